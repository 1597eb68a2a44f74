"""Kuaidi100 pushes through ``/hooks/kuaidi100/<connection id>/``: verified, kept, deduplicated, applied."""

import json
from urllib.parse import urlencode

import pytest

from commerce.audit.models import AuditEntry
from commerce.inbox.models import Notification
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.shipments.models import Shipment, TrackingEvent
from connectors.couriers.kuaidi100.signing import push_sign
from connectors.models import WebhookDelivery
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.runtime.conftest import action, event_flow, publish

from .conftest import SALT, TRACKING_NO, kuaidi100_fixture, post_form

pytestmark = pytest.mark.django_db

SUCCESS = '{"result":true,"returnCode":"200","message":"成功"}'


def _push(connection, topic: str):
    return post_form("kuaidi100", connection, kuaidi100_fixture(topic))


def _shipment_events():
    return list(OutboxEvent.objects.filter(subject_type="shipment").order_by("id").values_list("name", flat=True))


def test_the_vector_push_is_answered_with_the_exact_success_reply_and_stored(kuaidi100, parcel):
    response = _push(kuaidi100, "push.polling")

    assert response.status_code == 200
    assert response.content.decode("utf-8") == SUCCESS
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.topic, delivery.dedup_key) == (
        "processed",
        "push.polling",
        f"{TRACKING_NO}:2024-05-02 09:10:00:0",
    )
    assert list(TrackingEvent.objects.values_list("status", "description")) == [
        ("in_transit", "【深圳市】圆通速递 已揽收"),
        ("in_transit", "【深圳市】快件已发往 北京转运中心"),
    ]
    parcel.refresh_from_db()
    assert parcel.status == "in_transit"
    assert _shipment_events() == ["shipment.created", "shipment.updated"]


def test_a_signed_push_delivers_the_order_once_even_delivered_five_times(kuaidi100, parcel, shipped_order):
    _push(kuaidi100, "push.polling")

    answers = [_push(kuaidi100, "push.shutdown") for _ in range(5)]

    assert [(a.status_code, a.content.decode()) for a in answers] == [(200, SUCCESS)] * 5
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    assert Shipment.objects.get(pk=parcel.pk).status == "signed"
    assert _shipment_events() == ["shipment.created", "shipment.updated", "shipment.updated", "shipment.signed"]
    assert (
        list(WebhookDelivery.objects.order_by("id").values_list("outcome", flat=True))
        == ["processed", "processed"] + ["duplicate"] * 4
    )
    move = AuditEntry.objects.get(
        subject_type="order",
        subject_id=str(shipped_order.pk),
        action="transitioned",
        changes__status=["shipped", "delivered"],
    )
    assert (move.actor_kind, move.actor_id, move.source) == ("connection", str(kuaidi100.pk), "webhook:kuaidi100")


def test_the_classic_recipe_completes_the_order_and_notifies_once_for_five_pushes(kuaidi100, parcel, shipped_order):
    flow = publish(
        event_flow(
            "shipment.signed",
            [
                action("complete", "order.transition", {"to": "completed", "reason": "parcel signed for"}),
                action(
                    "tell",
                    "notify.inbox",
                    {"to_role": "operator", "title": "{{ order.number }} 已签收", "body": "{{ shipment.tracking_no }}"},
                ),
            ],
        )
    )
    _push(kuaidi100, "push.polling")
    outbox_drain(run_inline=10)

    for _ in range(5):
        _push(kuaidi100, "push.shutdown")
        outbox_drain(run_inline=10)

    assert Order.objects.get(pk=shipped_order.pk).status == "completed"
    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded"
    notes = list(Notification.objects.values_list("title", "body", "order_id"))
    assert notes == [(f"{shipped_order.number} 已签收", TRACKING_NO, shipped_order.pk)]


def test_an_older_in_transit_push_after_signed_changes_nothing_backwards(kuaidi100, parcel, shipped_order):
    _push(kuaidi100, "push.shutdown")

    response = _push(kuaidi100, "push.polling")

    assert response.status_code == 200
    assert Shipment.objects.get(pk=parcel.pk).status == "signed"
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    assert _shipment_events().count("shipment.signed") == 1


def test_an_abort_push_without_nodes_is_acknowledged_and_ignored(kuaidi100, parcel):
    response = _push(kuaidi100, "push.abort")

    assert (response.status_code, response.content.decode()) == (200, SUCCESS)
    assert WebhookDelivery.objects.get().outcome == "ignored"


def test_a_push_for_an_unknown_parcel_is_kept_failed_for_replay(kuaidi100, db):
    response = _push(kuaidi100, "push.polling")

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == "failed"
    assert "shipment_not_found" in delivery.error


def _forged(body: bytes) -> bytes:
    return body.replace(b"sign=1805", b"sign=1806")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (_forged(kuaidi100_fixture("push.polling")), "application/x-www-form-urlencoded", 401, "bad_signature"),
        (b"param=%7B%7D", "application/x-www-form-urlencoded", 401, "bad_signature"),
        (b"sign=ABC", "application/x-www-form-urlencoded", 400, "missing_field"),
        (b"\xff\xfe=1", "application/x-www-form-urlencoded", 400, "malformed_form"),
        (b'{"param": "{}"}', "application/json", 400, "malformed_form"),
        (
            urlencode({"param": "{not json", "sign": push_sign("{not json", SALT)}).encode(),
            "application/x-www-form-urlencoded",
            400,
            "malformed_json",
        ),
        (
            urlencode(
                {"param": '{"lastResult":{"nu":""}}', "sign": push_sign('{"lastResult":{"nu":""}}', SALT)}
            ).encode(),
            "application/x-www-form-urlencoded",
            400,
            "malformed_payload",
        ),
        (b"param=" + b"x" * (300 * 1024), "application/x-www-form-urlencoded", 413, "payload_too_large"),
    ],
)
def test_bad_input_is_refused_kept_as_rejected_and_changes_nothing(
    kuaidi100, parcel, shipped_order, body, content_type, status, code
):
    response = post_form("kuaidi100", kuaidi100, body, content_type)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert WebhookDelivery.objects.get().outcome == "rejected"
    assert TrackingEvent.objects.count() == 0
    assert Order.objects.get(pk=shipped_order.pk).status == "shipped"
    assert _shipment_events() == ["shipment.created"]


def test_a_push_signed_with_another_salt_is_refused(kuaidi100, parcel):
    param = json.dumps({"status": "polling", "lastResult": {"nu": TRACKING_NO, "state": "3", "data": []}})
    body = urlencode({"param": param, "sign": push_sign(param, "another-salt")}).encode()

    response = post_form("kuaidi100", kuaidi100, body)

    assert response.status_code == 401
    assert Shipment.objects.get(pk=parcel.pk).status == "created"
