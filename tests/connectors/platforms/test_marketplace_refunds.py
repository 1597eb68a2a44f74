"""Refund requests from the marketplaces' refund lists (Taobao ``taobao.refunds.receive.get``,
Pinduoduo ``pdd.refund.list.increment.get``, JD ``jingdong.pop.afs.soa.refundapply.queryPageList``):
kept payloads read exactly, signed round trips through the sandboxes, one request per platform refund
whatever the windows repeat, and failed items kept and replayed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.refunds import statuses
from commerce.refunds.models import RefundRequest
from connectors.models import REFUNDS, PollCursor, PollRun, WebhookDelivery
from connectors.platforms.jd.refunds import channel_refund as jd_refund
from connectors.platforms.pinduoduo.refunds import channel_refund as pdd_refund
from connectors.platforms.taobao.refunds import channel_refund as taobao_refund
from connectors.registry import connector
from connectors.services.connections import connection_update
from connectors.services.deliveries import delivery_replay
from connectors.services.polled_items import MAX_ITEM_BYTES
from connectors.services.polling import MAX_PAGES_PER_RUN, connection_poll
from connectors.services.refunds import NotARefund, reason_category
from tests.conftest import client_for

from .support import fixture_json, sandbox_connection

pytestmark = pytest.mark.django_db

KEYS = ("taobao", "pinduoduo", "jd")
# Each platform's refund statuses: asked for, refunded by the platform, closed by the buyer.
OPEN = {"taobao": "WAIT_SELLER_AGREE", "pinduoduo": 2, "jd": 0}
SUCCESS = {"taobao": "SUCCESS", "pinduoduo": 10, "jd": 3}
CLOSED = {"taobao": "CLOSED", "pinduoduo": 11, "jd": 11}
REFUND_ID = {"taobao": "refund_id", "pinduoduo": "id", "jd": "id"}


ORDER_ID = {"taobao": "tid_str", "pinduoduo": "order_sn", "jd": "orderId"}


def _order_id(key: str, order: dict) -> str:
    return str(order[ORDER_ID[key]])


def _shop(key: str):
    connection = sandbox_connection(key)
    simulator = connector(key).sandbox(connection)
    return connection, simulator


def _new_order(key, connection, simulator, *, poll: bool = True) -> tuple[dict, str]:
    made = simulator.orders_create(1, at=timezone.now() - timedelta(minutes=20))[0]
    if poll:
        _caught_up(connection, "orders")
    return made, _order_id(key, made)


def _caught_up(connection, stream: str) -> PollRun:
    """Polls ``stream`` until a run ends before its page limit (Pinduoduo's first day is 48 windows
    of 30 minutes: more than one run); answers the last run, with the counts of them all."""
    runs = []
    while not runs or runs[-1].pages == MAX_PAGES_PER_RUN:
        run = connection_poll(connection_id=connection.pk, stream=stream)
        assert run is not None and run.status == PollRun.SUCCEEDED, run and run.error
        runs.append(run)
    last = runs[-1]
    for name in ("created", "updated", "ignored", "errors"):
        setattr(last, name, sum(getattr(run, name) for run in runs))
    last.error = "\n".join(run.error for run in runs)
    return last


def _refund(key, simulator, order_id: str, **changes) -> dict:
    # Inside the window a poll now reads (it ends a minute before now) and inside the 3 minutes the
    # next window overlaps it with: a second poll lists the refund again.
    at = timezone.now() - timedelta(minutes=2)
    return simulator.refund_create(order_id, at=at, **changes)


def _move(key, simulator, refund: dict, status) -> dict:
    return simulator.refund_update(refund[REFUND_ID[key]], status=status, at=timezone.now() - timedelta(seconds=90))


def _poll_refunds(connection) -> PollRun:
    if PollCursor.objects.filter(connection=connection, stream=REFUNDS).exists():
        run = connection_poll(connection_id=connection.pk, stream=REFUNDS)
        assert run is not None
        return run
    return _caught_up(connection, REFUNDS)


# --- the kept payloads ---------------------------------------------------------------------------


def test_taobaos_kept_refunds_read_as_one_asked_for_and_one_refunded():
    refunds = fixture_json("taobao", "refunds_receive_get_response.json")["refunds_receive_get_response"]
    asked, refunded = (taobao_refund(refund) for refund in refunds["refunds"]["refund"])

    assert (asked.refund_id, asked.order_external_id, asked.amount, asked.already_refunded, asked.closed) == (
        "86000000000001",
        "2231958349000001",
        Decimal("368.00"),
        False,
        False,
    )
    assert (asked.reason, [(line.sku, line.quantity) for line in asked.lines]) == (
        statuses.NO_REASON_7_DAYS,
        [("TEA-001", 1)],
    )
    assert (refunded.amount, refunded.already_refunded, refunded.reason) == (
        Decimal("129.00"),
        True,
        statuses.DAMAGED_IN_TRANSIT,
    )
    assert refunded.note == "淘宝退款 86000000000002：商品破损（外包装压坏）"


def test_pinduoduos_kept_cases_read_as_one_asked_for_and_one_withdrawn():
    cases = fixture_json("pinduoduo", "refund_increment_get_response.json")["refund_increment_get_response"]
    asked, withdrawn = (pdd_refund(case) for case in cases["refund_list"])

    assert (asked.refund_id, asked.order_external_id, asked.amount, asked.reason) == (
        "5200000001",
        "250301-310000000000001",
        Decimal("62.00"),
        statuses.NO_REASON_7_DAYS,
    )
    assert [(line.sku, line.quantity) for line in asked.lines] == [("SNK-002", 1)]
    assert (withdrawn.closed, withdrawn.already_refunded, withdrawn.reason) == (True, False, statuses.QUALITY)


def test_a_pinduoduo_exchange_is_no_refund():
    case = fixture_json("pinduoduo", "refund_increment_get_response.json")["refund_increment_get_response"]
    exchange = {**case["refund_list"][0], "after_sales_type": 4, "after_sales_status": 14}

    assert isinstance(pdd_refund(exchange), NotARefund)


def test_jds_kept_applications_read_in_fen():
    answer = fixture_json("jd", "refundapply_queryPageList_responce.json")
    asked, refunded = (
        jd_refund(refund)
        for refund in answer["jingdong_pop_afs_soa_refundapply_queryPageList_responce"]["queryResult"]["result"]
    )

    assert (asked.refund_id, asked.order_external_id, asked.amount, asked.already_refunded) == (
        "3100000001",
        "280000000001",
        Decimal("368.00"),
        False,
    )
    assert (refunded.amount, refunded.already_refunded, refunded.reason, refunded.lines) == (
        Decimal("129.00"),
        True,
        statuses.OTHER,
        (),
    )


KEPT = {
    "taobao": (
        "refunds_receive_get_response.json",
        lambda b: b["refunds_receive_get_response"]["refunds"]["refund"][0],
    ),
    "pinduoduo": ("refund_increment_get_response.json", lambda b: b["refund_increment_get_response"]["refund_list"][0]),
    "jd": (
        "refundapply_queryPageList_responce.json",
        lambda b: b["jingdong_pop_afs_soa_refundapply_queryPageList_responce"]["queryResult"]["result"][0],
    ),
}


@pytest.mark.parametrize("key", KEYS)
def test_a_simulated_refund_has_the_fields_of_the_kept_payload(marketplace_catalog, key):
    name, pick = KEPT[key]
    connection, simulator = _shop(key)
    _made, order_id = _new_order(key, connection, simulator, poll=False)

    refund = _refund(key, simulator, order_id)

    assert set(refund) >= set(pick(fixture_json(key, name)))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("七天无理由退换货", statuses.NO_REASON_7_DAYS),
        ("商品破损/少件", statuses.DAMAGED_IN_TRANSIT),
        ("卖家发错货", statuses.WRONG_ITEM),
        ("质量问题", statuses.QUALITY),
        ("未收到货", statuses.NOT_RECEIVED),
        ("退差价", statuses.PRICE_ADJUSTMENT),
        ("其他", statuses.OTHER),
        ("", statuses.OTHER),
    ],
)
def test_a_reason_text_reads_as_its_category(text, category):
    assert reason_category(text) == category


# --- round trips through the sandboxes ------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_a_refund_asked_then_made_on_the_platform_is_one_request_refunded_by_the_channel(marketplace_catalog, key):
    connection, simulator = _shop(key)
    _made, order_id = _new_order(key, connection, simulator)
    order = Order.objects.get(external_id=order_id)
    refund = _refund(key, simulator, order_id)

    first = _poll_refunds(connection)
    again = _poll_refunds(connection)  # the next window overlaps the last: the refund is listed again

    assert (first.status, first.created, first.errors) == (PollRun.SUCCEEDED, 1, 0)
    assert again.status == PollRun.SUCCEEDED and again.created == 0
    request = RefundRequest.objects.get()
    assert (request.order_id, request.status, request.source_key) == (
        order.pk,
        statuses.APPROVING,  # more than the policy approves by itself
        f"{key}:{refund[REFUND_ID[key]]}",
    )
    assert request.requested_by["source"] == f"poll:{key}"

    _move(key, simulator, refund, SUCCESS[key])
    settled = _poll_refunds(connection)

    assert settled.errors == 0
    request = RefundRequest.objects.get()
    assert (request.status, request.method, request.ticket.status) == (statuses.REFUNDED, statuses.CHANNEL, "closed")
    assert WebhookDelivery.objects.count() == 0  # nothing failed, nothing kept
    assert PollCursor.objects.get(connection=connection, stream=REFUNDS).cursor


@pytest.mark.parametrize("key", KEYS)
def test_a_refund_first_seen_refunded_is_recorded_refunded(marketplace_catalog, key):
    connection, simulator = _shop(key)
    _made, order_id = _new_order(key, connection, simulator)
    refund = _refund(key, simulator, order_id)
    _move(key, simulator, refund, SUCCESS[key])

    _poll_refunds(connection)

    request = RefundRequest.objects.get()
    assert (request.status, request.method, request.source_key) == (
        statuses.REFUNDED,
        statuses.CHANNEL,
        f"{key}:{refund[REFUND_ID[key]]}",
    )


@pytest.mark.parametrize("key", KEYS)
def test_a_refund_the_buyer_withdraws_cancels_the_waiting_request(marketplace_catalog, key):
    connection, simulator = _shop(key)
    _made, order_id = _new_order(key, connection, simulator)
    refund = _refund(key, simulator, order_id)
    _poll_refunds(connection)
    _move(key, simulator, refund, CLOSED[key])

    _poll_refunds(connection)

    request = RefundRequest.objects.get()
    assert request.status == statuses.CANCELLED
    assert request.decisions.get().note  # why: the platform's words, or "closed on the sales channel"


@pytest.mark.parametrize("key", KEYS)
def test_a_poll_signed_with_another_secret_is_refused_by_the_platform_and_changes_nothing(marketplace_catalog, key):
    secret = {"taobao": "app_secret", "pinduoduo": "client_secret", "jd": "app_secret"}[key]
    connection, simulator = _shop(key)
    _made, order_id = _new_order(key, connection, simulator)
    _refund(key, simulator, order_id)
    connection_update(connection_id=connection.pk, credentials={secret: "not-the-secret"})

    run = connection_poll(connection_id=connection.pk, stream=REFUNDS)

    assert run.status == PollRun.FAILED
    assert "sign" in run.error.lower() or "签名" in run.error
    assert RefundRequest.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert not PollCursor.objects.get(connection=connection, stream=REFUNDS).cursor


# --- failed items, kept and replayed --------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_a_refund_of_an_order_not_yet_here_is_kept_failed_and_its_replay_files_it_once(marketplace_catalog, key):
    connection, simulator = _shop(key)
    _made, order_id = _new_order(key, connection, simulator, poll=False)
    refund = _refund(key, simulator, order_id)

    first = _poll_refunds(connection)
    second = _poll_refunds(connection)  # the overlapping window lists the same refund again

    assert (first.status, first.errors) == (PollRun.SUCCEEDED, 1), first.error
    assert order_id in first.error
    assert RefundRequest.objects.count() == 0
    failed = WebhookDelivery.objects.get()
    assert (failed.source, failed.topic, failed.outcome, failed.verified) == ("poll", "poll:refund", "failed", True)
    assert failed.attempts == 2 and second.errors == 1
    assert str(refund[REFUND_ID[key]]) in bytes(failed.body).decode()
    assert PollCursor.objects.get(connection=connection, stream=REFUNDS).cursor  # moved on all the same

    assert _caught_up(connection, "orders").created == 1  # the order arrives
    admin = client_for("admin")
    listed = admin.get(f"/api/v1/connections/{connection.pk}/deliveries/").json()["results"]
    answers = [admin.post(f"/api/v1/deliveries/{failed.pk}/replay/") for _ in range(2)]

    assert [item["id"] for item in listed] == [failed.pk]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert [answer.json()["outcome"] for answer in answers] == ["processed", "processed"], answers[0].json()["error"]
    assert [answer.json()["result"]["effects"][0]["created"] for answer in answers] == [True, False]
    assert RefundRequest.objects.get().source_key == f"{key}:{refund[REFUND_ID[key]]}"
    _poll_refunds(connection)
    assert RefundRequest.objects.count() == 1


def test_an_operator_may_not_replay_a_polled_item(marketplace_catalog):
    connection, simulator = _shop("taobao")
    _made, order_id = _new_order("taobao", connection, simulator, poll=False)
    _refund("taobao", simulator, order_id)
    _poll_refunds(connection)
    failed = WebhookDelivery.objects.get()

    answer = client_for("operator").post(f"/api/v1/deliveries/{failed.pk}/replay/")

    assert answer.status_code == 403
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"refund_fee": "-3.00"}, "malformed_response"),
        ({"refund_fee": "many"}, "malformed_response"),
        ({"refund_id": "R-1"}, "malformed_response"),
        ({"tid": None}, "malformed_response"),
        ({"status": "SOMETHING_NEW"}, "malformed_response"),
    ],
)
def test_a_malformed_refund_is_kept_failed_and_the_poll_goes_on(marketplace_catalog, change, error):
    connection, simulator = _shop("taobao")
    _made, order_id = _new_order("taobao", connection, simulator)
    bad = _refund("taobao", simulator, order_id)
    simulator.record_save("refund", bad["refund_id"], {**bad, **change})
    good = _refund("taobao", simulator, order_id, amount=Decimal("10.00"), line=0)

    run = _poll_refunds(connection)

    assert (run.status, run.errors, run.created) == (PollRun.SUCCEEDED, 1, 1)
    failed = WebhookDelivery.objects.get()
    assert failed.outcome == "failed" and failed.error.startswith(error)
    assert RefundRequest.objects.get().source_key == f"taobao:{good['refund_id']}"
    replay = delivery_replay(delivery_id=failed.pk)
    assert (replay.outcome, replay.replay_of_id) == ("failed", failed.pk)  # still malformed: nothing filed
    assert RefundRequest.objects.count() == 1


def test_an_oversized_refund_is_recorded_rejected_without_its_body_and_cannot_be_replayed(marketplace_catalog):
    connection, simulator = _shop("taobao")
    _made, order_id = _new_order("taobao", connection, simulator)
    bad = _refund("taobao", simulator, order_id)
    simulator.record_save("refund", bad["refund_id"], {**bad, "desc": "长" * MAX_ITEM_BYTES})

    run = _poll_refunds(connection)

    assert (run.status, run.errors) == (PollRun.SUCCEEDED, 1)
    kept = WebhookDelivery.objects.get()
    assert (kept.outcome, bytes(kept.body), kept.verified) == ("rejected", b"", False)
    assert "payload_too_large" in kept.error
    answer = client_for("admin").post(f"/api/v1/deliveries/{kept.pk}/replay/")
    assert (answer.status_code, answer.json()["code"]) == (409, "not_replayable")
    assert RefundRequest.objects.count() == 0


def test_a_refund_past_what_the_order_paid_is_kept_failed(marketplace_catalog):
    connection, simulator = _shop("pinduoduo")
    _made, order_id = _new_order("pinduoduo", connection, simulator)
    _refund("pinduoduo", simulator, order_id, amount=Decimal("99999.00"))

    run = _poll_refunds(connection)

    assert run.errors == 1
    assert WebhookDelivery.objects.get().error.startswith("refund_exceeds_paid")
    assert RefundRequest.objects.count() == 0


PDD_CASE = fixture_json("pinduoduo", "refund_increment_get_response.json")["refund_increment_get_response"][
    "refund_list"
][0]
JD_APPLY = fixture_json("jd", "refundapply_queryPageList_responce.json")[
    "jingdong_pop_afs_soa_refundapply_queryPageList_responce"
]["queryResult"]["result"][0]


@pytest.mark.parametrize(
    ("read", "item"),
    [
        (pdd_refund, {**PDD_CASE, "id": "abc"}),
        (pdd_refund, {**PDD_CASE, "order_sn": ""}),
        (pdd_refund, {**PDD_CASE, "after_sales_status": 99}),
        (pdd_refund, {**PDD_CASE, "refund_amount": "0.00"}),
        (pdd_refund, {**PDD_CASE, "refund_amount": "1e400"}),
        (jd_refund, {**JD_APPLY, "id": -4}),
        (jd_refund, {**JD_APPLY, "orderId": True}),
        (jd_refund, {**JD_APPLY, "status": "x"}),
        (jd_refund, {**JD_APPLY, "applyRefundSum": 59.9}),  # yuan with a fraction: not fen
        (jd_refund, {**JD_APPLY, "applyRefundSum": 0}),
    ],
)
def test_a_malformed_refund_of_pinduoduo_or_jd_is_refused_by_its_reader(read, item):
    from connectors.base import ProviderError

    with pytest.raises(ProviderError) as refused:
        read(item)

    assert (refused.value.code, refused.value.retryable) == ("malformed_response", False)


def test_a_refund_that_closed_the_trade_is_recorded_after_the_trade_came_in_closed(marketplace_catalog):
    connection, simulator = _shop("taobao")
    made, tid = _new_order("taobao", connection, simulator)
    refund = _refund("taobao", simulator, tid, amount=Decimal(made["payment"]))
    _move("taobao", simulator, refund, "SUCCESS")
    simulator.orders_update(tid, status="TRADE_CLOSED", at=timezone.now() - timedelta(seconds=80))
    assert _caught_up(connection, "orders").updated == 1
    order = Order.objects.get(external_id=tid)
    assert order.status == "cancelled"

    run = _poll_refunds(connection)

    assert run.errors == 0, run.error
    request = RefundRequest.objects.get()
    assert (request.order_id, request.amount, request.status) == (order.pk, Decimal(made["payment"]), statuses.REFUNDED)


def test_a_connections_refunds_are_due_on_their_own_cursor_and_queued_by_the_minutes_schedule(
    marketplace_catalog, monkeypatch
):
    from connectors import tasks
    from connectors.services.polling import connections_due_for_poll

    connection, _simulator = _shop("taobao")
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda name, *args: queued.append((name, *args)))
    now = timezone.now()

    assert connections_due_for_poll(now=now, stream=REFUNDS) == [connection.pk]
    tasks.polls_due_task()
    assert queued == [(tasks.POLL_TASK, connection.pk), (tasks.REFUND_POLL_TASK, connection.pk)]

    tasks.connection_refund_poll_task(connection.pk)  # polls the refunds: the orders stay due

    assert connections_due_for_poll(now=timezone.now(), stream=REFUNDS) == []
    assert connections_due_for_poll(now=timezone.now()) == [connection.pk]
    assert PollRun.objects.get().stream == REFUNDS
