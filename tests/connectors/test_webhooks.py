"""The inbound webhook endpoint, end to end through a real connector (Shopify) and its real vector."""

import base64
import hashlib
import hmac

from django.test import Client

from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from connectors.models import WebhookDelivery

from .conftest import vector

SIGNED = vector("shopify", "webhook_hmac_synthetic.json")
BODY = SIGNED["raw_body_utf8"].encode()


def _headers(headers: dict) -> dict:
    return {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if name != "Content-Type"
    }


def post(connection, body: bytes = BODY, **overrides):
    headers = {**SIGNED["headers"], **overrides}
    return Client().post(
        f"/hooks/shopify/{connection.pk}/", data=body, content_type="application/json", **_headers(headers)
    )


def test_the_vectors_delivery_creates_one_order_and_is_kept(shopify_connection):
    answer = post(shopify_connection)

    assert answer.status_code == 200
    order = Order.objects.get()
    assert order.external_id == "450789469"
    assert order.channel.code == "shopify"
    assert order.status == "paid"  # financial_status "authorized"
    assert sorted(order.lines.values_list("sku", "quantity")) == [
        ("IPOD2008BLACK", 1),
        ("IPOD2008GREEN", 1),
        ("IPOD2008RED", 1),
    ]
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == "processed"
    assert delivery.verified is True
    assert delivery.topic == "orders/create"
    assert delivery.dedup_key == "orders/create:98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert bytes(delivery.body) == BODY
    assert delivery.result == {"orders": [{"external_id": "450789469", "order": order.pk, "outcome": "created"}]}
    assert OutboxEvent.objects.filter(name="order.created").count() == 1


def test_the_same_event_again_is_acknowledged_and_ignored(shopify_connection):
    post(shopify_connection)

    again = post(shopify_connection, **{"X-Shopify-Webhook-Id": "another-delivery"})

    assert again.status_code == 200
    assert Order.objects.count() == 1
    assert OutboxEvent.objects.filter(name="order.created").count() == 1
    assert sorted(WebhookDelivery.objects.values_list("outcome", flat=True)) == ["duplicate", "processed"]


def test_a_one_byte_change_in_body_signature_or_secret_is_rejected_and_changes_nothing(shopify_connection):
    changed_body = BODY.replace(b'"409.94"', b'"409.95"')
    flipped = SIGNED["headers"]["X-Shopify-Hmac-Sha256"]
    flipped = ("A" if flipped[0] != "A" else "B") + flipped[1:]
    other_secret = base64.b64encode(hmac.new(b"test-shopify-app-secreT", BODY, hashlib.sha256).digest()).decode()

    answers = [
        post(shopify_connection, body=changed_body),
        post(shopify_connection, **{"X-Shopify-Hmac-Sha256": flipped}),
        post(shopify_connection, **{"X-Shopify-Hmac-Sha256": other_secret}),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert {a.json()["code"] for a in answers} == {"bad_signature"}
    assert Order.objects.count() == 0
    assert list(WebhookDelivery.objects.values_list("outcome", "verified")) == [("rejected", False)] * 3


def test_unknown_connection_and_wrong_connector_answer_404_and_store_nothing(shopify_connection):
    assert Client().post("/hooks/shopify/999999/", data=BODY, content_type="application/json").status_code == 404
    assert (
        Client().post(f"/hooks/alipay/{shopify_connection.pk}/", data=BODY, content_type="application/json").status_code
        == 404
    )
    assert WebhookDelivery.objects.count() == 0


def test_an_oversized_body_answers_413_before_it_is_read(shopify_connection, settings):
    settings.ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES = 1000

    answer = post(shopify_connection)

    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, bytes(delivery.body)) == ("rejected", b"")
    assert Order.objects.count() == 0
