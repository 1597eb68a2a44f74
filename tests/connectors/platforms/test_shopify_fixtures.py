"""Every event type the Shopify connector handles has a real payload in its fixtures, and each one,
posted with a real signature, does what the event means."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from commerce.orders.models import Order
from connectors.models import WebhookDelivery
from connectors.platforms.shopify import webhook
from connectors.platforms.shopify.webhook import ShopifyInbound, signature
from connectors.services.connections import connection_credentials

FIXTURES = Path(webhook.__file__).parent / "fixtures"


def fixture_name(topic: str) -> str:
    return topic.replace("/", "_") + ".json"


def post_fixture(connection, topic: str):
    """Posts the topic's fixture to the connection's hook as Shopify would: raw bytes, signed."""
    body = (FIXTURES / fixture_name(topic)).read_bytes()
    credentials = connection_credentials(connection)
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature(credentials["client_secret"], body),
        "X-Shopify-Shop-Domain": credentials["shop_domain"],
        "X-Shopify-API-Version": "2024-07",
        "X-Shopify-Webhook-Id": f"fixture-{topic}",
        "X-Shopify-Event-Id": f"fixture-event-{topic}",
    }
    return Client().post(
        f"/hooks/shopify/{connection.pk}/", data=body, content_type="application/json", headers=headers
    )


def test_every_handled_topic_has_a_fixture():
    missing = [topic for topic in ShopifyInbound.topics if not (FIXTURES / fixture_name(topic)).is_file()]

    assert missing == []


def test_every_fixture_is_a_handled_topic():
    handled = {fixture_name(topic) for topic in ShopifyInbound.topics}

    assert sorted(path.name for path in FIXTURES.glob("*.json") if path.name not in handled) == []


@pytest.mark.parametrize(
    ("topic", "outcome", "status"),
    [
        ("orders/create", "processed", "paid"),
        ("orders/updated", "processed", "paid"),
        ("orders/paid", "processed", "paid"),
        ("orders/fulfilled", "processed", "shipped"),
        ("orders/cancelled", "processed", "cancelled"),
    ],
)
def test_each_fixture_posted_with_its_signature_does_what_its_event_means(shopify_connection, topic, outcome, status):
    answer = post_fixture(shopify_connection, topic)

    assert answer.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.outcome, delivery.error) == (topic, outcome, "")
    assert list(Order.objects.values_list("external_id", "status")) == ([("450789469", status)] if status else [])


def test_a_refund_before_its_order_is_kept_failed_for_replay(shopify_connection):
    answer = post_fixture(shopify_connection, "refunds/create")

    assert answer.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.outcome) == ("refunds/create", "failed")
    assert "450789469" in delivery.error


def test_a_refund_shopify_made_is_recorded_refunded_once_however_often_it_is_delivered(shopify_connection):
    from commerce.refunds.models import RefundRequest

    post_fixture(shopify_connection, "orders/paid")
    first = post_fixture(shopify_connection, "refunds/create")
    again = post_fixture(shopify_connection, "refunds/create")  # the same event id: acknowledged, not applied

    assert (first.status_code, again.status_code) == (200, 200)
    refund = RefundRequest.objects.get()
    assert (refund.status, refund.method, refund.amount, refund.source_key) == (
        "refunded",
        "channel",
        Decimal("209.00"),
        "shopify:509562969",
    )
    assert refund.note == "it broke during shipping"
    assert sorted(refund.lines.values_list("sku", "quantity")) == [("IPOD2008BLACK", 1), ("IPOD2008GREEN", 1)]
    delivery = WebhookDelivery.objects.get(topic="refunds/create", replay_of__isnull=True, outcome="processed")
    assert delivery.result["effects"][0]["refund"] == refund.pk


@pytest.mark.parametrize(
    "change, field",
    [
        ({"id": "509562969"}, "id"),
        ({"order_id": None}, "order_id"),
        ({"refund_line_items": [{"quantity": 1}]}, "refund_line_items[0]"),
        ({"refund_line_items": [{"quantity": 0, "line_item": {"sku": "A", "price": "1.00"}}]}, "refund_line_items[0]"),
        ({"transactions": [], "refund_line_items": []}, "transactions"),
        (
            {"transactions": [{"kind": "refund", "status": "success", "amount": "1e999"}]},
            "transactions.amount",
        ),
    ],
)
def test_a_malformed_refund_is_refused_by_field(change, field):
    import json

    from connectors.base import Rejected
    from connectors.platforms.shopify.mapping import channel_refund

    payload = {**json.loads((FIXTURES / "refunds_create.json").read_text()), **change}
    with pytest.raises(Rejected) as refused:
        channel_refund(payload)
    assert refused.value.status == 400 and field in refused.value.details
