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


def signed(body: bytes) -> dict:
    return {
        "X-Shopify-Hmac-Sha256": base64.b64encode(
            hmac.new(SIGNED["client_secret"].encode(), body, hashlib.sha256).digest()
        ).decode()
    }


def test_truncated_malformed_and_ill_typed_bodies_answer_400_and_touch_no_order(shopify_connection):
    truncated = BODY[: len(BODY) // 2]
    ill_typed = BODY.replace(b'"quantity":1', b'"quantity":"1"', 1)
    no_lines = b'{"id": 1, "updated_at": "2008-01-10T11:00:00-05:00", "line_items": []}'
    nested = b"[" * 5000 + b"]" * 5000

    answers = {
        "truncated, original signature": post(shopify_connection, body=truncated),
        "truncated, signed": post(shopify_connection, body=truncated, **signed(truncated)),
        "wrong type": post(shopify_connection, body=ill_typed, **signed(ill_typed)),
        "no lines": post(shopify_connection, body=no_lines, **signed(no_lines)),
        "deeply nested": post(shopify_connection, body=nested, **signed(nested)),
    }

    assert {name: a.status_code for name, a in answers.items()} == {
        "truncated, original signature": 401,
        "truncated, signed": 400,
        "wrong type": 400,
        "no lines": 400,
        "deeply nested": 400,
    }
    assert answers["wrong type"].json()["details"] == {"line_items.0": "sku, quantity"}
    assert Order.objects.count() == 0
    assert set(WebhookDelivery.objects.values_list("outcome", flat=True)) == {"rejected"}


def test_missing_headers_another_shop_and_get_are_refused(shopify_connection):
    no_hmac = Client().post(
        f"/hooks/shopify/{shopify_connection.pk}/",
        data=BODY,
        content_type="application/json",
        **_headers({k: v for k, v in SIGNED["headers"].items() if k != "X-Shopify-Hmac-Sha256"}),
    )
    no_webhook_id = post(shopify_connection, **{"X-Shopify-Webhook-Id": ""})
    other_shop = post(shopify_connection, **{"X-Shopify-Shop-Domain": "someone-else.myshopify.com"})
    get = Client().get(f"/hooks/shopify/{shopify_connection.pk}/")

    assert (no_hmac.status_code, no_hmac.json()["code"]) == (401, "bad_signature")
    assert (no_webhook_id.status_code, no_webhook_id.json()["details"]) == (
        400,
        {"headers": ["X-Shopify-Webhook-Id"]},
    )
    assert (other_shop.status_code, other_shop.json()["code"]) == (403, "wrong_shop")
    assert get.status_code == 405
    assert Order.objects.count() == 0


def test_an_unhandled_topic_is_acknowledged_kept_and_ignored(shopify_connection):
    body = b'{"id": 5, "title": "a product"}'

    answer = post(shopify_connection, body=body, **signed(body), **{"X-Shopify-Topic": "products/update"})

    assert answer.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.topic) == ("ignored", "products/update")
    assert Order.objects.count() == 0


def test_a_failed_delivery_is_replayed_once_its_cause_is_fixed(shopify_connection):
    from commerce.inventory.models import StockItem

    StockItem.objects.filter(sku="IPOD2008RED").update(on_hand=0)
    post(shopify_connection)
    failed = WebhookDelivery.objects.get()
    assert failed.outcome == "failed"
    assert failed.error.startswith("450789469: insufficient_stock")
    StockItem.objects.filter(sku="IPOD2008RED").update(on_hand=5)

    from connectors.services.deliveries import delivery_replay

    replay = delivery_replay(delivery_id=failed.pk)

    assert (replay.outcome, replay.replay_of_id) == ("processed", failed.pk)
    assert Order.objects.count() == 1
    shopify_connection.refresh_from_db()
    assert shopify_connection.consecutive_failures == 1  # the failed delivery; replays are not health checks


def test_a_delivery_left_accepted_by_a_crash_is_applied_by_the_sweep(shopify_connection):
    from datetime import timedelta

    from django.utils import timezone

    from connectors.services.deliveries import deliveries_sweep

    stuck = WebhookDelivery.objects.create(
        connection=shopify_connection,
        headers=SIGNED["headers"],
        body=BODY,
        verified=True,
        dedup_key="orders/create:x",
        topic="orders/create",
        outcome="accepted",
    )

    assert deliveries_sweep(now=timezone.now() + timedelta(seconds=30)) == 0
    assert deliveries_sweep(now=timezone.now() + timedelta(minutes=2)) == 1

    stuck.refresh_from_db()
    assert stuck.outcome == "processed"
    assert Order.objects.count() == 1
