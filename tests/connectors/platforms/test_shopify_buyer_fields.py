"""Shopify's order carries the buyer's browser IP, user agent, customer id and note: the risk rules read them."""

import json
from pathlib import Path

from connectors.platforms.shopify.mapping import inbound_order

FIXTURES = Path(__file__).resolve().parents[3] / "connectors" / "platforms" / "shopify" / "fixtures"


def _order(**changes) -> dict:
    return {**json.loads((FIXTURES / "orders_updated.json").read_bytes()), **changes}


def test_the_fixtures_buyer_fields_map_and_its_unspecified_ip_is_none():
    order = inbound_order(_order())

    assert (order.client_ip, order.device, order.buyer_account, order.buyer_remark) == (
        None,  # the sample says 0.0.0.0: no address
        "",
        "207119551",
        "Please leave the parcel at the front desk.",
    )


def test_browser_ip_first_then_the_client_details():
    details = {"browser_ip": "198.51.100.4", "user_agent": "Mozilla/5.0 (iPhone)"}

    assert inbound_order(_order(browser_ip="203.0.113.5", client_details=details)).client_ip == "203.0.113.5"
    from_details = inbound_order(_order(browser_ip=None, client_details=details))
    assert (from_details.client_ip, from_details.device) == ("198.51.100.4", "Mozilla/5.0 (iPhone)")
    assert inbound_order(_order(browser_ip="not-an-ip", client_details=None)).client_ip is None
