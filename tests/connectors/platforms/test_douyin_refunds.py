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


def _aftersale_id(call) -> int:
    return json.loads(json.loads(call.body)[0]["data"])["aftersale_id"]


def test_the_kept_application_and_closing_read_as_asked_for_and_closed():
    asked = channel_refund(json.loads(fixture_bytes("douyin", "aftersale_requested.json"))[0])
    closed = channel_refund(json.loads(fixture_bytes("douyin", "aftersale_closed.json"))[0])

    assert (asked.refund_id, asked.order_external_id, asked.amount, asked.already_refunded, asked.closed) == (
        "7300000000000000123",
        "4980000000000000001",
        Decimal("59.90"),
        False,
        False,
    )
    assert asked.note == "抖店买家发起售后（reason_code=7）"
    assert (closed.refund_id, closed.already_refunded, closed.closed) == ("7300000000000000124", False, True)


def test_an_application_then_its_refund_is_one_request_settled_by_the_channel(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator, pushed, order = _polled_order(connection)
    asked = simulator.refund_message(pushed["order_id"], tag="200")
    refunded = simulator.refund_message(pushed["order_id"], aftersale_id=_aftersale_id(asked))

    answers = [_post(connection, asked), _post(connection, asked), _post(connection, refunded)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    refund = RefundRequest.objects.get()
    assert (refund.order_id, refund.amount, refund.status, refund.method) == (
        order.pk,
        order.total_amount,  # all it paid, the simulator's default
        "refunded",
        "channel",
    )
    assert refund.source_key == f"douyin:{_aftersale_id(asked)}"
    assert refund.ticket.status == "closed"
    topics = sorted(WebhookDelivery.objects.values_list("topic", "outcome"))
    assert topics == [
        ("aftersale_requested", "duplicate"),
        ("aftersale_requested", "processed"),
        ("refund_success", "processed"),
    ]


def test_an_application_alone_files_a_request_waiting_for_approval(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator, pushed, order = _polled_order(connection)

    _post(connection, simulator.refund_message(pushed["order_id"], tag="200"))

    refund = RefundRequest.objects.get()
    assert (refund.order_id, refund.status, refund.requested_by["source"]) == (order.pk, "approving", "webhook:douyin")


def test_a_closed_case_cancels_its_waiting_request_and_a_later_refund_of_it_changes_nothing(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator, pushed, _order = _polled_order(connection)
    asked = simulator.refund_message(pushed["order_id"], tag="200")
    closed = simulator.refund_message(pushed["order_id"], aftersale_id=_aftersale_id(asked), tag="207")
    late = simulator.refund_message(pushed["order_id"], aftersale_id=_aftersale_id(asked))

    for call in (asked, closed, late):
        assert _post(connection, call).status_code == 200

    refund = RefundRequest.objects.get()
    assert refund.status == "cancelled"  # a cancelled request is not reopened: an operator looks at it


def test_a_closing_of_a_case_never_seen_files_nothing(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator, pushed, _order = _polled_order(connection)

    answer = _post(connection, simulator.refund_message(pushed["order_id"], tag="207"))

    assert answer.status_code == 200
    assert RefundRequest.objects.count() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.outcome) == ("aftersale_closed", "processed")
    assert delivery.result["effects"][0]["outcome"] == "no_request"


def test_an_application_of_an_order_not_yet_polled_is_replayed_into_one_request(marketplace_catalog):
    connection = sandbox_connection("douyin")
    simulator = DouyinSimulator(connection)
    pushed = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=20))[0]
    _post(connection, simulator.refund_message(pushed["order_id"], tag="200"))
    failed = WebhookDelivery.objects.get()
    poll_run(connection, DouyinPoller(page_size=10), {}, timezone.now())

    from connectors.services.deliveries import delivery_replay

    replays = [delivery_replay(delivery_id=failed.pk) for _ in range(2)]

    assert failed.outcome == "failed"
    assert [r.outcome for r in replays] == ["processed", "processed"], [r.error for r in replays]
    assert [r.result["effects"][0]["created"] for r in replays] == [True, False]
    assert RefundRequest.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    ['{"aftersale_id":1,"p_id":2,"refund_amount":0}', '{"aftersale_id":1,"p_id":"x","refund_amount":100}'],
)
def test_a_malformed_application_is_refused_with_400(marketplace_catalog, data):
    connection = sandbox_connection("douyin")
    body = json.dumps([{"tag": "200", "msg_id": "1", "data": data}]).encode()

    answer = _post(connection, body, _signed(connection, body))

    assert answer.status_code == 400
    assert RefundRequest.objects.count() == 0
