"""The live wake-up (coalesced) and the safety-net sweep."""

from datetime import timedelta

import pytest
import redis
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import OrmQ

from commerce.orders.models import Order
from commerce.orders.services import order_transition
from commerce.outbox.models import OutboxEvent
from runtime import dispatch
from runtime.claim import due_executions, execution_claim
from runtime.dispatch import dispatch_request, outbox_drain
from runtime.engine import execution_run
from runtime.models import Execution, WakeUp
from runtime.services import kill_switch_set, runtime_sweep
from runtime.wakeup import RedisWakeUp, wake_up
from tests.conftest import redis_server_url
from tests.factories import TEST_ACTOR, create_order
from tests.runtime.conftest import action, event_flow, load_template, publish

pytestmark = pytest.mark.django_db


def _queued() -> list[str]:
    return [q.func() for q in OrmQ.objects.order_by("id")]


@pytest.fixture(params=["database", "redis"])
def wake_up_store(request, settings):
    """The wake-up kept in the database (the embedded default), or in Redis (with ``REDIS_URL``)."""
    if request.param == "database":
        settings.ORDERFLOW_WAKEUP_REDIS_URL = ""
        yield wake_up("dispatch")
        return
    settings.ORDERFLOW_WAKEUP_REDIS_URL = redis_server_url("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    store = wake_up("dispatch")
    store.client.delete(store.key)
    yield store
    store.client.delete(store.key)


def _raised(store) -> bool:
    return store.peek()[0]


def _age(store, seconds: float) -> None:
    """Makes the raised flag look ``seconds`` old, as if its drain had never run."""
    if isinstance(store, RedisWakeUp):
        store.client.hset(store.key, "requested_at", (timezone.now() - timedelta(seconds=seconds)).timestamp())
    else:
        WakeUp.objects.filter(name="dispatch").update(requested_at=timezone.now() - timedelta(seconds=seconds))


def test_a_burst_of_events_queues_one_drain(channel, stocked, django_capture_on_commit_callbacks, wake_up_store):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for i in range(20):
            create_order(channel, external_id=f"BURST-{i}", status="paid")

    assert _queued() == ["runtime.tasks.outbox_drain_task"]
    assert _raised(wake_up_store) is True

    outbox_drain()
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="AFTER", status="paid")

    assert _queued() == ["runtime.tasks.outbox_drain_task"] * 2


def test_a_wake_up_costs_every_commit_one_statement(
    channel, stocked, django_capture_on_commit_callbacks, wake_up_store
):
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="ONE-1", status="paid")

    with CaptureQueriesContext(connection) as queries:
        assert dispatch_request() is False

    # In Redis (with REDIS_URL), none in the database.
    assert len(queries.captured_queries) == (0 if isinstance(wake_up_store, RedisWakeUp) else 1)


def test_a_wake_up_that_fails_does_not_fail_the_commit_that_made_the_events(
    channel, stocked, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable():
        raise redis.ConnectionError("Redis is restarting")

    monkeypatch.setattr("runtime.receivers.dispatch_request", unreachable)

    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(channel, external_id="DOWN-1", status="paid")

    assert Order.objects.filter(pk=order.pk).exists()
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2  # for the sweep
    assert "dispatch wake-up failed" in caplog.text


def test_a_request_whose_drain_never_ran_is_raised_again(
    channel, stocked, django_capture_on_commit_callbacks, wake_up_store
):
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="LOST-1", status="paid")
    _age(wake_up_store, 6)

    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="LOST-2", status="paid")

    assert _queued() == ["runtime.tasks.outbox_drain_task"] * 2


def _commit_during_the_drain(monkeypatch, channel, django_capture_on_commit_callbacks, external_id: str) -> list:
    """Makes the drain's first round commit an order (its event and wake-up request) as a
    concurrent writer would; answers the rounds' counts as they happen."""
    rounds = []
    real = dispatch.outbox_drain_round

    def drain_batches(**kwargs):
        result = real(**kwargs)
        rounds.append(result[0])
        if len(rounds) == 1:
            with django_capture_on_commit_callbacks(execute=True):
                create_order(channel, external_id=external_id, status="paid")
        return result

    monkeypatch.setattr(dispatch, "outbox_drain_round", drain_batches)
    return rounds


def test_a_commit_while_the_drain_runs_queues_no_drain_and_the_running_one_takes_it(
    channel, stocked, monkeypatch, django_capture_on_commit_callbacks, wake_up_store
):
    publish(event_flow("order.paid", [action("note", "order.note", {"text": "paid"})]))
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="RUN-1", status="paid")
    assert _queued() == ["runtime.tasks.outbox_drain_task"]
    rounds = _commit_during_the_drain(monkeypatch, channel, django_capture_on_commit_callbacks, "RUN-2")

    outbox_drain()

    assert rounds == [2, 2]  # order.created + order.paid of RUN-1, then of RUN-2
    assert _queued() == ["runtime.tasks.outbox_drain_task"]  # still the first request's task only
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert _raised(wake_up_store) is False
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="RUN-3", status="paid")
    assert _queued() == ["runtime.tasks.outbox_drain_task"] * 2


@pytest.mark.parametrize(
    ("gather_below", "waits"),
    [(8, [0.01]), (2, [])],
    ids=["after-a-small-round-it-waits-to-gather-more", "after-a-full-round-it-goes-on-at-once"],
)
def test_a_drain_that_goes_on_waits_only_after_a_small_round(
    channel, stocked, monkeypatch, settings, django_capture_on_commit_callbacks, gather_below, waits
):
    settings.ORDERFLOW_DRAIN_GATHER_BELOW = gather_below
    settings.ORDERFLOW_DRAIN_GATHER_SECONDS = 0.01
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="GATHER-1", status="paid")
    rounds = _commit_during_the_drain(monkeypatch, channel, django_capture_on_commit_callbacks, "GATHER-2")
    slept = []
    monkeypatch.setattr(dispatch.time, "sleep", slept.append)

    outbox_drain()

    assert (rounds, slept) == ([2, 2], waits)  # each round: order.created + order.paid


def test_a_drain_past_its_time_hands_over_to_a_fresh_task_with_the_flag_still_raised(
    channel, stocked, monkeypatch, settings, django_capture_on_commit_callbacks, wake_up_store
):
    settings.ORDERFLOW_DRAIN_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="LONG-1", status="paid")
    rounds = _commit_during_the_drain(monkeypatch, channel, django_capture_on_commit_callbacks, "LONG-2")

    outbox_drain()

    assert rounds == [2]
    assert _queued() == ["runtime.tasks.outbox_drain_task"] * 2
    assert _raised(wake_up_store) is True
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2


def test_a_drain_stopped_by_the_kill_switch_lowers_the_flag(
    channel, stocked, django_capture_on_commit_callbacks, wake_up_store
):
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="KILL-1", status="paid")
    kill_switch_set(engaged=True, reason="test", user=None)

    assert outbox_drain() == 0

    assert _raised(wake_up_store) is False
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2


def test_a_drain_with_no_wake_up_row_yet_creates_none(channel, stocked, wake_up_store):
    create_order(channel, external_id="QUIET-1", status="paid")  # no commit hook: nothing requested

    assert outbox_drain() == 2

    assert wake_up_store.peek() is None


def test_the_sweep_drains_the_outbox_and_picks_up_what_was_left_behind(
    channel, stocked, gift_stock, q_sync, django_capture_on_commit_callbacks
):
    publish(load_template("big-order-gift"))
    order = create_order(channel, external_id="SW-1", lines=(("TEA-001", 4),), status="paid")

    with django_capture_on_commit_callbacks(execute=True):
        result = runtime_sweep()

    assert result == {"kill_switch": False, "dispatched": 2, "woken": 0}
    assert Order.objects.filter(gift_for=order).count() == 1


def test_due_executions_are_those_left_behind_and_not_held_back(channel, stocked):
    flow = publish(event_flow("order.status_changed", [action("note", "order.note", {"text": "x"})]))
    orders = [create_order(channel, external_id=f"DUE-{i}", status="paid") for i in range(4)]
    for order in orders:
        order_transition(order_id=order.pk, to="processing", actor=TEST_ACTOR)
    order_transition(order_id=orders[0].pk, to="shipped", actor=TEST_ACTOR)
    outbox_drain()
    now = timezone.now()
    first, blocked, fresh, retry, stale = (
        *Execution.objects.filter(flow=flow, subject_key=f"order:{orders[0].pk}").order_by("id"),
        *(Execution.objects.get(flow=flow, subject_key=f"order:{o.pk}") for o in orders[1:]),
    )
    Execution.objects.filter(pk__in=[first.pk, blocked.pk]).update(created_at=now - timedelta(minutes=5))
    Execution.objects.filter(pk=retry.pk).update(status="retrying", resume_at=now - timedelta(seconds=1))
    execution_claim(execution_id=stale.pk, now=now - timedelta(minutes=10), owner="dead-worker")

    assert due_executions(now=now) == [first.pk, retry.pk, stale.pk]
    assert due_executions(now=now, all_pending=True) == [first.pk, fresh.pk, retry.pk, stale.pk]
    assert execution_run(execution_id=stale.pk, now=now) == "succeeded"
