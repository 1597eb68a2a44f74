"""A TOP trade in Orderflow's words: the status table and the mapping, on the kept payloads."""

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.base import InboundLine, ProviderError
from connectors.platforms.marketplace import CHINA
from connectors.platforms.taobao.manifest import CONNECTOR
from connectors.platforms.taobao.mapping import (
    STATUS_MAP,
    TRADE_FIELDS,
    inbound_order,
    needs_fullinfo,
    trade_status,
)

from .support import fixture_json

FULLINFO = fixture_json("taobao", "trade_fullinfo_get_response.json")["trade_fullinfo_get_response"]["trade"]
LISTED = fixture_json("taobao", "trades_sold_increment_get_response.json")["trades_sold_increment_get_response"]


def test_the_status_table_is_the_manifests():
    assert CONNECTOR.status_map == STATUS_MAP
    assert STATUS_MAP == {
        "TRADE_NO_CREATE_PAY": "pending_payment",
        "WAIT_BUYER_PAY": "pending_payment",
        "PAY_PENDING": "pending_payment",
        "WAIT_PRE_AUTH_CONFIRM": "pending_payment",
        "PAID_FORBID_CONSIGN": "paid",
        "WAIT_SELLER_SEND_GOODS": "paid",
        "SELLER_CONSIGNED_PART": "shipped",
        "WAIT_BUYER_CONFIRM_GOODS": "shipped",
        "TRADE_BUYER_SIGNED": "delivered",
        "TRADE_FINISHED": "completed",
        "TRADE_CLOSED": "cancelled",
        "TRADE_CLOSED_BY_TAOBAO": "cancelled",
        "TRADE_CLOSED after consign_time": "closed",
    }


def test_every_status_maps_through_the_table_and_a_closed_trade_after_shipping_is_closed():
    for status in STATUS_MAP:
        if " " not in status:
            assert trade_status({"status": status}) == STATUS_MAP[status]

    assert trade_status({"status": "TRADE_CLOSED", "consign_time": "2024-05-02 09:00:00"}) == "closed"
    assert trade_status({"status": "TRADE_CLOSED_BY_TAOBAO", "consign_time": ""}) == "cancelled"


def test_an_unknown_status_is_a_terminal_error():
    with pytest.raises(ProviderError) as caught:
        trade_status({"tid": 1, "status": "TRADE_LOST"})

    assert (caught.value.code, caught.value.retryable) == ("unknown_status", False)


def test_the_fullinfo_fixture_maps_to_an_inbound_order():
    order = inbound_order(FULLINFO)

    assert order.external_id == "2231958349000001"
    assert order.status == "paid"
    assert order.updated_at == datetime(2024, 5, 1, 10, 1, 30, tzinfo=CHINA)
    assert order.placed_at == datetime(2024, 5, 1, 10, 0, tzinfo=CHINA)
    assert order.paid_at == datetime(2024, 5, 1, 10, 1, 30, tzinfo=CHINA)
    assert (order.customer_name, order.customer_phone) == ("张**", "*******5678")  # masked, kept as given
    assert (order.province, order.city, order.district) == ("浙江省", "杭州市", "西湖区")
    assert order.address_line == "文新街道文三路 90 号"
    assert order.postcode == "310012"
    assert order.lines == (
        InboundLine(sku="TEA-001", quantity=1, unit_price=Decimal("368.00")),
        InboundLine(sku="SNK-002", quantity=3, unit_price=Decimal("62.00")),  # the item's merchant code
    )
    assert order.shipping_amount == Decimal("0.00")
    assert order.discount_amount == Decimal("9.00")  # 368 + 3 × 62 + 0 postage − 545 paid


def test_a_listed_trade_without_receiver_needs_the_full_info_and_a_full_one_does_not():
    assert [needs_fullinfo(trade) for trade in LISTED["trades"]["trade"]] == [True, True]
    assert needs_fullinfo(FULLINFO) is False


def test_a_line_without_a_merchant_code_is_a_terminal_error_naming_the_item():
    trade = {**FULLINFO, "orders": {"order": [{**FULLINFO["orders"]["order"][0], "outer_sku_id": ""}]}}

    with pytest.raises(ProviderError) as caught:
        inbound_order(trade)

    assert (caught.value.code, caught.value.retryable) == ("unmapped_sku", False)
    assert "item 600012345678" in caught.value.message


@pytest.mark.parametrize(
    ("field", "value"), [("payment", "a lot"), ("modified", "yesterday"), ("orders", {"order": []}), ("tid_str", "")]
)
def test_a_malformed_trade_is_a_terminal_error(field, value):
    trade = {**FULLINFO, field: value}
    if field == "tid_str":
        trade.pop("tid")

    with pytest.raises(ProviderError) as caught:
        inbound_order(trade)

    assert (caught.value.code, caught.value.retryable) == ("malformed_response", False)


def test_the_trade_source_is_the_device_and_there_is_no_ip():
    """TOP's trade names where it was placed (trade_from), never the buyer's IP."""
    mapped = inbound_order({**FULLINFO, "trade_from": "WAP,JHS"})

    assert (mapped.client_ip, mapped.device) == (None, "WAP,JHS")
    assert "trade_from" in TRADE_FIELDS.split(",")
    assert inbound_order({**FULLINFO, "trade_from": None}).device == ""
    assert inbound_order(FULLINFO).device == ""
