"""Every event type the Shopify connector handles has a real payload in its fixtures, and each one,
posted with a real signature, does what the event means."""

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
        ("refunds/create", "ignored", None),
    ],
)
def test_each_fixture_posted_with_its_signature_does_what_its_event_means(shopify_connection, topic, outcome, status):
    answer = post_fixture(shopify_connection, topic)

    assert answer.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.outcome, delivery.error) == (topic, outcome, "")
    assert list(Order.objects.values_list("external_id", "status")) == ([("450789469", status)] if status else [])
