"""At-least-once delivery meets real concurrency (PostgreSQL): redelivered events and killed workers.

- the same outbox event delivered 10 times at once, each delivery then running what it found:
  one execution, one gift order;
- a worker process killed with SIGKILL in the middle of a step: the step's transaction dies with
  it, and the execution taken over after its lease expired completes with every action once;
- a runner whose lease another runner took over while its one-transaction run was under way:
  its finish finds the lease gone, and everything the run did is rolled back.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.inbox.models import Notification
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from runtime.actions import ActionRun, registered
from runtime.actions.order import OrderHold
from runtime.claim import execution_claim
from runtime.dispatch import event_dispatch, outbox_drain
from runtime.engine import execution_run
from runtime.models import ActionReceipt, Execution, FlowSlot
from tests.concurrency import at_once
from tests.factories import TEST_ACTOR, create_order
from tests.runtime.actions import Flaky
from tests.runtime.conftest import action, event_flow, load_template, publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    params = connection.settings_dict
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def test_one_event_delivered_ten_times_at_once_runs_once(channel, stocked, gift_stock):
    flow = publish(load_template("big-order-gift"))
    order = create_order(channel, external_id="RD-1", lines=(("TEA-001", 4),), status="paid")
    event = OutboxEvent.objects.get(name="order.paid", subject_id=str(order.pk))

    def deliver(_n: int) -> list[str]:
        return [execution_run(execution_id=execution_id) for execution_id in event_dispatch(event_id=event.pk)]

    outcomes = [outcome for delivered in at_once(deliver, 10) for outcome in delivered]

    execution = Execution.objects.get(flow=flow, event=event)
    assert execution.status == "succeeded"
    assert outcomes.count("succeeded") == 1
    assert set(outcomes) <= {"succeeded", "not_claimed"}
    assert Order.objects.filter(gift_for=order).count() == 1
    assert list(ActionReceipt.objects.filter(execution=execution).values_list("key", flat=True)) == [
        f"{execution.pk}:gift"
    ]
    gift_stock.refresh_from_db()
    assert gift_stock.on_hand == 49


def test_runners_claiming_different_executions_of_one_flow_at_once_do_not_get_in_each_others_way(channel, stocked):
    flow = publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "seen"})]))
    for i in range(24):
        create_order(channel, external_id=f"PAR-{i}", status="paid")
    outbox_drain()
    ids = sorted(Execution.objects.filter(flow=flow).values_list("id", flat=True))

    def runner(k: int) -> dict[int, str]:
        return {execution_id: execution_run(execution_id=execution_id) for execution_id in ids[k::6]}

    outcomes = {execution_id: outcome for chunk in at_once(runner, 6) for execution_id, outcome in chunk.items()}

    assert sorted(outcomes) == ids
    assert set(outcomes.values()) == {"succeeded"}


def _waiting_on_a_lock(dsn: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return bool(
            conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
        )


def test_a_worker_killed_mid_step_leaves_no_trace_and_the_takeover_runs_each_action_once(channel, stocked):
    publish(
        event_flow(
            "order.paid",
            [
                action("tell", "notify.inbox", {"to_role": "operator", "title": "Paid {{ order.number }}"}),
                action("tag", "order.tag", {"tag": "checked"}),
                action("note", "order.note", {"text": "checked by the flow"}),
            ],
        )
    )
    order = create_order(channel, external_id="KILL-1", status="paid")
    outbox_drain()
    execution = Execution.objects.get()
    dsn = _database_url()
    env = {**os.environ, "DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "orderflow.settings", "LOG_LEVEL": "WARNING"}
    script = (
        "import django; django.setup(); from runtime.engine import execution_run; "
        f"execution_run(execution_id={execution.pk})"
    )
    blocker = psycopg.connect(dsn)
    worker = None
    try:
        # Hold the order's row: step 2 (order.tag locks it) waits, mid-transaction; step 1 only references it.
        blocker.execute("SELECT id FROM orders_order WHERE id = %s FOR NO KEY UPDATE", [order.pk])
        worker = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=env)
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(dsn):
            assert worker.poll() is None, "the worker exited early"
            assert time.monotonic() < deadline, "the worker never reached step 2"
            time.sleep(0.05)
        # The run is database actions only, so it is one transaction: step 1 is not committed yet.
        assert not execution.steps.exists()
        assert not Notification.objects.filter(order=order).exists()

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        blocker.rollback()
        blocker.close()

    execution.refresh_from_db()
    assert execution.status == "running"
    assert execution_run(execution_id=execution.pk) == "not_claimed"
    later = timezone.now() + timedelta(seconds=301)
    assert execution_run(execution_id=execution.pk, now=later) == "succeeded"

    assert [(s.node_id, s.attempt, s.status) for s in execution.steps.order_by("id")] == [
        ("tell", 1, "succeeded"),
        ("tag", 1, "succeeded"),
        ("note", 1, "succeeded"),
    ]
    assert Notification.objects.filter(order=order).count() == 1
    trail = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), actor_kind="flow_execution")
    assert list(trail.values_list("action", flat=True)) == ["tagged", "noted"]
    assert ActionReceipt.objects.filter(execution=execution).count() == 3


def test_two_holds_of_one_order_at_once_agree_on_which_one_held_it(channel, stocked):
    # Given an order that is not held, and two runs holding it at the same moment
    order = create_order(channel, external_id="HOLD-RACE", status="paid")
    hold = OrderHold()

    def perform(n: int) -> bool:
        run = ActionRun(
            execution_id=n + 1,
            node_id="hold",
            key=f"{n + 1}:hold",
            actor=TEST_ACTOR,
            context={"order": {"id": order.pk}},
            now=timezone.now(),
        )
        with transaction.atomic():  # the runner's transaction around a database action
            output = hold.perform({"reason": f"check {n}"}, run)
            time.sleep(0.3)  # the other run reads meanwhile
        return output["was_held"]

    # When both perform the hold
    was_held = at_once(perform, 2)

    # Then the one that read after the other's hold committed says so: the read is made under the hold's lock
    assert sorted(was_held) == [False, True]
    assert (
        AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), action=AuditEntry.HELD).count() == 1
    )


class _TakenOver(Flaky):
    """On its first call, while the run is under way, another runner — on a connection of its own —
    takes the execution over, as it may once the first runner's lease has expired."""

    def __init__(self):
        super().__init__(0, key="test.taken_over")
        self.taken_over = False

    def perform(self, params, run):
        if self.calls:
            return super().perform(params, run)

        def take_over() -> None:
            try:
                later = timezone.now() + timedelta(seconds=301)
                claimed = execution_claim(execution_id=run.execution_id, now=later, owner="second-runner")
                self.taken_over = claimed is not None
            finally:
                connection.close()

        thread = threading.Thread(target=take_over)
        thread.start()
        thread.join(timeout=30)
        return super().perform(params, run)


def test_a_one_transaction_run_whose_lease_was_taken_over_rolls_back_whole(channel, stocked):
    taken_over = _TakenOver()
    with registered(taken_over):
        publish(event_flow("order.paid", [action("tag", "order.tag", {"tag": "x"}), action("over", "test.taken_over")]))
        order = create_order(channel, external_id="TAKEN-1", status="paid")
        outbox_drain()
        execution = Execution.objects.get()

        assert execution_run(execution_id=execution.pk) == "lost"
        assert taken_over.taken_over

        # Nothing the run did stands: not the tag, not a receipt, not a step record.
        execution.refresh_from_db()
        assert (execution.status, execution.lease_owner, execution.holds_slot) == ("running", "second-runner", True)
        assert not execution.steps.exists()
        assert not ActionReceipt.objects.exists()
        assert not Order.objects.get(pk=order.pk).tag_rows.exists()
        # The slot went over with the execution: the second runner holds the one the first took.
        assert FlowSlot.objects.get().running == 1

        later = timezone.now() + timedelta(seconds=700)  # the second runner's lease has run out too
        assert execution_run(execution_id=execution.pk, now=later) == "succeeded"

    assert list(Order.objects.get(pk=order.pk).tag_rows.values_list("name", flat=True)) == ["x"]
    assert ActionReceipt.objects.filter(execution=execution).count() == 2
    assert FlowSlot.objects.get().running == 0
