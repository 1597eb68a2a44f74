"""The simulated Shopify shop: its answers to bad input, its demo orders, the webhooks it signs."""

import json

import pytest

from commerce.catalog.models import Product
from connectors.base import InboundRequest, Rejected
from connectors.http import session_for
from connectors.platforms.shopify.manifest import CONNECTOR
from connectors.platforms.shopify.mapping import inbound_order
from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.platforms.shopify.webhook import ShopifyInbound, signature
from connectors.services.connections import connection_credentials, connection_test, connection_update

from .conftest import SKUS, T0, vector_order_keys

API = "https://orderflow-demo.myshopify.com/admin/api/2024-07/"
TOKEN = {"X-Shopify-Access-Token": "shpat_sandbox_token"}


@pytest.fixture
def session(sandbox_connection):
    return session_for(sandbox_connection, CONNECTOR)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("limit=0", {"limit": "Invalid value."}),
        ("limit=251", {"limit": "Invalid value."}),
        ("limit=ten", {"limit": "Invalid value."}),
        ("status=lost", {"status": "Invalid value."}),
        ("updated_at_min=yesterday", {"updated_at_min": "Invalid value."}),
        ("order=price+asc", {"order": "Invalid value."}),
        ("page_info=not-a-cursor", {"page_info": "Invalid value."}),
        ("page_info=eyJyZXNvdXJjZSI6InByb2R1Y3RzIn0", {"page_info": "Invalid value."}),  # another resource's
        (
            "page_info=x&status=any",
            "status cannot be passed when page_info is present. "
            "See https://shopify.dev/api/usage/pagination-rest for more information.",
        ),
    ],
)
def test_bad_list_parameters_answer_400_with_shopifys_error_body(session, query, errors):
    answer = session.get(f"{API}orders.json?{query}", headers=TOKEN, timeout=1)

    assert answer.status_code == 400
    assert answer.json() == {"errors": errors}
    assert answer.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/40"


def test_a_missing_or_wrong_token_answers_401_with_shopifys_body(session):
    answers = [
        session.get(f"{API}shop.json", timeout=1),
        session.get(f"{API}shop.json", headers={"X-Shopify-Access-Token": "shpat_other"}, timeout=1),
    ]

    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


def test_unknown_paths_and_methods_answer_404(session):
    answers = [
        session.get(f"{API}customers.json", headers=TOKEN, timeout=1),
        session.post(f"{API}shop.json", headers=TOKEN, timeout=1),
        session.get("https://orderflow-demo.myshopify.com/admin/shop.json", headers=TOKEN, timeout=1),
        session.get(f"{API}orders/404.json", headers=TOKEN, timeout=1),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert answers[0].json() == {"errors": "Not Found"}


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        (b"{not json", 400, "Invalid JSON in request body."),
        (b"[]", 400, "Invalid JSON in request body."),
        (b'{"location_id": 1, "inventory_item_id": 1}', 400, {"available": "Required parameter missing or invalid"}),
        (
            b'{"location_id": 1, "inventory_item_id": 1, "available": true}',
            400,
            {"available": "Required parameter missing or invalid"},
        ),
        (b'{"location_id": 2, "inventory_item_id": 1, "available": 3}', 404, "Not Found"),
        (b'{"location_id": 1, "inventory_item_id": 1, "available": 3}', 404, "Not Found"),
    ],
)
def test_bad_inventory_sets_are_refused(session, body, status, errors):
    answer = session.post(
        f"{API}inventory_levels/set.json",
        data=body,
        headers={**TOKEN, "Content-Type": "application/json"},
        timeout=1,
    )

    assert answer.status_code == status
    assert answer.json() == {"errors": errors}


def test_demo_orders_are_shopify_orders_of_catalog_skus_with_chinese_buyers(shop):
    orders = shop.orders_create(3)

    first = orders[0]
    assert vector_order_keys() - set(first) == {"payment_details", "total_price_usd"}  # a card; US dollars
    assert [o["order_number"] for o in orders] == [1001, 1002, 1003]
    assert [o["name"] for o in orders] == ["#1001", "#1002", "#1003"]
    assert {line["sku"] for o in orders for line in o["line_items"]} <= set(SKUS)
    assert first["created_at"] == first["updated_at"] == "2025-03-01T20:00:00+08:00"
    assert (first["currency"], first["financial_status"], first["shipping_address"]["country_code"]) == (
        "CNY",
        "paid",
        "CN",
    )
    mapped = inbound_order(first)
    assert mapped.external_id == str(first["id"])
    assert mapped.customer_name == first["shipping_address"]["last_name"] + first["shipping_address"]["first_name"]
    assert mapped.status == "paid"
    assert shop.orders_all() == orders


def test_orders_update_moves_updated_at_on_by_at_least_a_second_and_knows_the_fields(shop):
    order = shop.orders_create(1, skus=SKUS)[0]

    paid = shop.orders_update(order["id"], financial_status="paid")
    cancelled = shop.orders_update(order["id"], cancelled_at=True)

    assert paid["updated_at"] == "2025-03-01T20:00:01+08:00"
    assert (cancelled["updated_at"], cancelled["cancelled_at"], cancelled["cancel_reason"]) == (
        "2025-03-01T20:00:02+08:00",
        "2025-03-01T20:00:02+08:00",
        "customer",
    )
    assert inbound_order(cancelled).status == "cancelled"
    assert shop.order(order["id"]) == cancelled
    with pytest.raises(ValueError, match="an order has no field 'colour'"):
        shop.orders_update(order["id"], colour="red")
    with pytest.raises(KeyError):
        shop.orders_update(1, financial_status="paid")


def test_webhooks_are_signed_over_the_raw_body_and_carry_every_shopify_header(shop, sandbox_connection):
    order = shop.orders_create(1, skus=SKUS)[0]
    credentials = connection_credentials(sandbox_connection)

    call = shop.webhook("orders/create", order)
    again = shop.webhook("orders/create", order, event_id=call.headers["X-Shopify-Event-Id"])
    forged = shop.webhook("orders/create", order, tamper=True)

    assert json.loads(call.body) == order
    assert call.headers["X-Shopify-Hmac-Sha256"] == signature("sandbox-shopify-client-secret", call.body)
    assert {
        name: call.headers[name] for name in ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version")
    } == {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "orderflow-demo.myshopify.com",
        "X-Shopify-API-Version": "2024-07",
    }
    assert call.headers["X-Shopify-Triggered-At"] == "2025-03-01T12:00:00Z"
    inbound = ShopifyInbound()
    inbound.verify(InboundRequest(body=call.body, headers=call.headers, query={}), credentials)
    assert inbound.dedup_key(InboundRequest(body=again.body, headers=again.headers, query={})) == inbound.dedup_key(
        InboundRequest(body=call.body, headers=call.headers, query={})
    )
    assert again.headers["X-Shopify-Webhook-Id"] != call.headers["X-Shopify-Webhook-Id"]
    assert json.loads(forged.body)["total_price"] == "0.01"
    with pytest.raises(Rejected) as refused:
        inbound.verify(InboundRequest(body=forged.body, headers=forged.headers, query={}), credentials)
    assert refused.value.code == "bad_signature"


def test_an_empty_catalog_makes_no_demo_orders(sandbox_connection):
    Product.objects.update(active=False)

    with pytest.raises(ValueError, match="the catalog has no active products"):
        ShopifySimulator(sandbox_connection, clock=lambda: T0.timestamp()).orders_create(1)


def test_test_connection_is_ok_with_the_shops_token_and_says_why_not_with_another(sandbox_connection):
    ok = connection_test(connection_id=sandbox_connection.pk)
    connection_update(connection_id=sandbox_connection.pk, credentials={"access_token": "shpat_old"})
    refused = connection_test(connection_id=sandbox_connection.pk)

    assert (ok.ok, ok.message) == (True, "ok")
    assert (refused.ok, refused.code) == (False, "unauthorized")
    assert refused.message == (
        "Shopify refused the access token: [API] Invalid API key or access token (unrecognized login or wrong "
        "password). Enter the Admin API access token of the app again."
    )
    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.consecutive_failures, sandbox_connection.last_error) == (1, refused.message)
