"""Douyin's 退款成功 push (tag 206): signed as the platform signs it, a channel refund recorded once."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from commerce.orders.models import Order
from commerce.refunds.models import RefundRequest
from connectors.models import WebhookDelivery
from connectors.platforms.douyin.manifest import CONNECTOR
from connectors.platforms.douyin.poller import DouyinPoller
from connectors.platforms.douyin.sandbox import DouyinSimulator
from connectors.platforms.douyin.webhook import DouyinInbound, channel_refund, message_sign
from connectors.services.connections import connection_credentials

from .support import PLATFORMS, fixture_bytes, poll_run, sandbox_connection

pytestmark = pytest.mark.django_db


def _post(connection, call_or_body, headers=None):
    body = call_or_body if isinstance(call_or_body, bytes) else call_or_body.body
    headers = headers if headers is not None else dict(call_or_body.headers)
    headers.pop("Content-Type", None)
    return Client().post(f"/hooks/douyin/{connection.pk}/", data=body, content_type="application/json", headers=headers)


def _signed(connection, body: bytes) -> dict:
    credentials = connection_credentials(connection)
    sign = message_sign(app_key=credentials["app_key"], app_secret=credentials["app_secret"], body=body)
    return {"event-sign": sign, "app-id": credentials["app_key"]}


def _polled_order(connection):
    simulator = DouyinSimulator(connection)
    order = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=20))[0]
    poll_run(connection, DouyinPoller(page_size=10), {}, timezone.now())
    return simulator, order, Order.objects.get(external_id=order["order_id"])


def test_every_handled_topic_has_a_fixture_and_every_fixture_a_topic():
    fixtures = sorted(
        p.stem for p in (PLATFORMS / "douyin" / "fixtures").glob("*.json") if p.stem != "order_searchList"
    )
    assert [t for t in DouyinInbound.topics if t not in fixtures] == []
    assert CONNECTOR.inbound is not None and "webhook" in CONNECTOR.features


def test_the_kept_push_reads_as_the_refund_douyin_made():
    message = json.loads(fixture_bytes("douyin", "refund_success.json"))[0]

    refund = channel_refund(message)

    assert (refund.refund_id, refund.order_external_id, refund.amount, refund.already_refunded) == (
        "7300000000000000123",
        "4980000000000000001",
        Decimal("59.90"),
        True,
    )


def test_the_sandboxs_push_of_a_polled_order_is_recorded_refunded_once(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator, pushed, order = _polled_order(connection)
    call = simulator.refund_message(pushed["order_id"], amount_fen=1990)
    again = simulator.refund_message(  # the same refund in another delivery
        pushed["order_id"], amount_fen=1990, aftersale_id=json.loads(json.loads(call.body)[0]["data"])["aftersale_id"]
    )

    first = _post(connection, call)
    duplicate = _post(connection, call)  # the same delivery: acknowledged, not applied
    second = _post(connection, again)

    assert [a.status_code for a in (first, duplicate, second)] == [200, 200, 200]
    assert first.json() == {"code": 0, "msg": "success"}
    refund = RefundRequest.objects.get()
    assert (refund.order_id, refund.status, refund.method, refund.amount) == (
        order.pk,
        "refunded",
        "channel",
        Decimal("19.90"),
    )
    assert refund.source_key.startswith("douyin:73")
    assert refund.ticket.status == "closed"
    assert WebhookDelivery.objects.filter(outcome="processed").count() == 2


def test_a_refund_of_an_order_not_yet_polled_fails_the_delivery_for_replay(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator = DouyinSimulator(connection)
    pushed = simulator.orders_create(1)[0]

    answer = _post(connection, simulator.refund_message(pushed["order_id"]))

    assert answer.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.outcome) == ("refund_success", "failed")
    assert pushed["order_id"] in delivery.error
    assert RefundRequest.objects.count() == 0


@pytest.mark.parametrize("change", ["tamper", "no_sign", "other_secret"])
def test_a_forged_push_is_refused_with_401_and_changes_nothing(marketplace_catalog, change):
    connection = sandbox_connection("douyin")
    simulator, pushed, _order = _polled_order(connection)
    call = simulator.refund_message(pushed["order_id"], tamper=change == "tamper")
    headers = dict(call.headers)
    if change == "no_sign":
        headers.pop("event-sign")
    if change == "other_secret":
        headers["event-sign"] = message_sign(app_key=headers["app-id"], app_secret="not-the-secret", body=call.body)

    answer = _post(connection, call.body, headers)

    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")
    assert RefundRequest.objects.count() == 0


def test_a_push_for_another_app_is_refused(marketplace_catalog):
    connection = sandbox_connection("douyin")
    body = fixture_bytes("douyin", "refund_success.json")
    headers = {**_signed(connection, body), "app-id": "7000000000000000999"}

    answer = _post(connection, body, headers)

    assert (answer.status_code, answer.json()["code"]) == (403, "wrong_app")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        (b"{}", None),
        (b"[]", None),
        (json.dumps([{"tag": "206"}]).encode(), "[0]"),
        (json.dumps([{"tag": "206", "msg_id": "1", "data": "{}"}]).encode(), "[0].aftersale_id"),
        (
            json.dumps(
                [{"tag": "206", "msg_id": "1", "data": '{"aftersale_id":1,"p_id":2,"refund_amount":-5}'}]
            ).encode(),
            "[0].refund_amount",
        ),
        (json.dumps([{"tag": "206", "msg_id": "1", "data": "nope"}]).encode(), "[0].data"),
    ],
)
def test_a_malformed_push_is_refused_with_400_and_kept_for_inspection(marketplace_catalog, body, field):
    connection = sandbox_connection("douyin")

    answer = _post(connection, body, _signed(connection, body))

    assert answer.status_code == 400
    if field:
        assert field in answer.json()["details"]
    assert RefundRequest.objects.count() == 0


def test_a_push_of_other_tags_is_acknowledged_without_acting(marketplace_catalog):
    connection = sandbox_connection("douyin")
    body = json.dumps([{"tag": "100", "msg_id": "9", "data": '{"p_id":1}'}]).encode()

    answer = _post(connection, body, _signed(connection, body))

    assert answer.status_code == 200 and answer.json() == {"code": 0, "msg": "success"}
    assert RefundRequest.objects.count() == 0
    assert WebhookDelivery.objects.get().outcome in ("ignored", "processed")
