"""Every external event is applied once: the same Shopify order delivered twenty times at once,
interleaved with a poll that returns it, makes one order and one ``order.created``; a later update
is applied once; an older update after a newer one is ignored and audited. PostgreSQL: real
concurrent transactions."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from connectors.models import WebhookDelivery
from connectors.platforms.shopify.mapping import inbound_order
from connectors.platforms.shopify.webhook import signature
from connectors.services.ingest import inbound_order_ingest
from tests.concurrency import at_once

from .conftest import vector

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SIGNED = vector("shopify", "webhook_hmac_synthetic.json")
ORDER = json.loads(SIGNED["raw_body_utf8"])


def deliver(connection, payload: dict, *, topic: str, event_id: str):
    body = json.dumps(payload).encode()
    headers = {
        **SIGNED["headers"],
        "X-Shopify-Topic": topic,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Webhook-Id": f"w-{event_id}",
        "X-Shopify-Hmac-Sha256": signature(SIGNED["client_secret"], body),
    }
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    return Client().post(f"/hooks/shopify/{connection.pk}/", data=body, content_type="application/json", **meta)


def test_twenty_concurrent_copies_and_a_poll_make_one_order_and_one_created_event(shopify_connection):
    def work(index: int):
        if index == 20:  # the poll returning the same order, at the same moment
            return inbound_order_ingest(
                connection=shopify_connection, order=inbound_order(ORDER), source="poll"
            ).outcome
        return deliver(shopify_connection, ORDER, topic="orders/create", event_id="evt-1").status_code

    results = at_once(work, 21)

    assert results[:20] == [200] * 20
    assert results[20] in ("created", "ignored")
    assert Order.objects.count() == 1
    assert OutboxEvent.objects.filter(name="order.created").count() == 1
    outcomes = sorted(WebhookDelivery.objects.values_list("outcome", flat=True))
    assert outcomes == ["duplicate"] * 19 + ["processed"]


def test_a_later_update_applies_once_and_an_older_one_after_it_is_ignored_and_audited(shopify_connection):
    deliver(shopify_connection, ORDER, topic="orders/create", event_id="evt-1")
    order = Order.objects.get()
    fulfilled = {**ORDER, "fulfillment_status": "fulfilled", "updated_at": "2008-01-10T12:00:00-05:00"}
    older = {**ORDER, "financial_status": "paid", "updated_at": "2008-01-10T11:30:00-05:00"}

    first = at_once(
        lambda _i: deliver(shopify_connection, fulfilled, topic="orders/updated", event_id="evt-2").status_code, 5
    )
    late = deliver(shopify_connection, older, topic="orders/updated", event_id="evt-3")

    assert first == [200] * 5
    assert late.status_code == 200
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.channel_updated_at == datetime(2008, 1, 10, 17, 0, tzinfo=UTC)  # 12:00 -05:00
    assert OutboxEvent.objects.filter(name="order.status_changed", subject_id=str(order.pk)).count() == 1
    ignored = AuditEntry.objects.filter(subject_id=str(order.pk), action=AuditEntry.IGNORED)
    assert [entry.changes["why"] for entry in ignored] == ["stale_update"]
    assert sorted(WebhookDelivery.objects.values_list("outcome", flat=True)) == ["duplicate"] * 4 + ["processed"] * 3
