"""The runner and its guards: matching, retries and replay, crash recovery, ordering, delays,
the kill switch, loop protection, the customer-contact rate limit and the concurrency limit.

These tests drive the runtime by hand — ``outbox_drain`` and ``execution_run`` with explicit
``now`` — so each step and each refusal can be seen.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from builder.errors import InvalidFlow
from builder.services import flow_create, flow_publish
from commerce.audit.models import AuditEntry
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from runtime.actions import registered
from runtime.claim import due_executions, execution_claim
from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.models import ActionReceipt, Execution, FlowSlot
from runtime.services import execution_replay, kill_switch_set
from tests.factories import TEST_ACTOR, create_order, make_user
from tests.runtime.actions import Contact, Crash, Flaky
from tests.runtime.conftest import action, condition, event_flow, load_template, publish

pytestmark = pytest.mark.django_db

LATER = (timezone.now() + timedelta(days=1)).replace(second=30, microsecond=0)


def _only(**filters) -> Execution:
    return Execution.objects.get(**filters)


def _attempts(execution: Execution) -> list[tuple]:
    return [(s.node_id, s.attempt, s.status) for s in execution.steps.order_by("id")]


def _paid(channel, external_id: str, quantity: int = 1) -> Order:
    return create_order(channel, external_id=external_id, lines=(("TEA-001", quantity),), status="paid")


# --- matching -------------------------------------------------------------------------------


def test_a_disabled_flow_does_not_match(channel, stocked, gift_stock):
    publish(load_template("big-order-gift"), enabled=False)
    _paid(channel, "D-1", 4)

    assert outbox_drain() == 2
    assert Execution.objects.count() == 0
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0


def test_a_flow_for_another_event_does_not_match(channel, stocked):
    publish(event_flow("order.cancelled", [action("note", "order.note", {"text": "cancelled"})]))
    _paid(channel, "D-2")

    outbox_drain()

    assert Execution.objects.count() == 0


def test_an_invalid_draft_is_never_published_so_never_runs(channel, stocked):
    owner = make_user("flow-owner", "operator")
    flow = flow_create(owner=owner, definition=event_flow("order.paid", [action("gift", "order.create_gift", {})]))

    with pytest.raises(InvalidFlow):
        flow_publish(flow_id=flow.pk, user=owner)
    _paid(channel, "I-1")
    outbox_drain()

    assert Execution.objects.count() == 0


def test_a_published_version_whose_action_left_the_catalog_is_suppressed_not_run(channel, stocked):
    with registered(Flaky(0)):
        flow = publish(event_flow("order.paid", [action("flaky", "test.flaky")]))
    _paid(channel, "I-2")

    outbox_drain()

    execution = _only(flow=flow)
    assert execution.status == "suppressed"
    assert execution.status_reason.startswith("the published version does not validate any more: flaky /nodes/0/")
    assert "test.flaky" in execution.status_reason
    assert execution_run(execution_id=execution.pk) == "not_claimed"
    assert execution.steps.count() == 0


def test_an_event_is_matched_to_a_flow_version_once_however_often_it_is_dispatched(channel, stocked):
    flow = publish(event_flow("order.paid", [action("note", "order.note", {"text": "paid"})]))
    _paid(channel, "M-1")
    outbox_drain()
    OutboxEvent.objects.update(dispatched_at=None)

    outbox_drain()

    assert Execution.objects.filter(flow=flow).count() == 1


# --- retries, dead, replay ------------------------------------------------------------------


def test_a_failing_step_retries_with_exponential_backoff_then_dies_and_replays_from_that_step(channel, stocked):
    flaky = Flaky(failures=3)
    with registered(flaky):
        publish(
            event_flow(
                "order.paid",
                [
                    action("tag", "order.tag", {"tag": "tried"}),
                    action("flaky", "test.flaky", retry={"max_attempts": 3, "backoff_seconds": 10}),
                ],
            )
        )
        order = _paid(channel, "R-1")
        outbox_drain()
        execution = _only(subject_key=f"order:{order.pk}")

        assert execution_run(execution_id=execution.pk, now=LATER) == "retrying"
        execution.refresh_from_db()
        assert execution.resume_at == LATER + timedelta(seconds=10)
        assert execution.status_reason == "flaky: failure 1 (attempt 1 of 3)"
        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=9)) == "not_claimed"
        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=10)) == "retrying"
        execution.refresh_from_db()
        assert execution.resume_at == LATER + timedelta(seconds=30)
        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=30)) == "dead"
        execution.refresh_from_db()
        assert (execution.status, execution.current_node) == ("dead", "flaky")
        assert _attempts(execution) == [
            ("tag", 1, "succeeded"),
            ("flaky", 1, "failed"),
            ("flaky", 2, "failed"),
            ("flaky", 3, "failed"),
        ]
        assert execution.steps.get(node_id="flaky", attempt=3).error == {
            "code": "flaky",
            "message": "failure 3",
            "retryable": True,
            "details": {},
        }

        execution_replay(execution_id=execution.pk)
        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=31)) == "succeeded"

    execution.refresh_from_db()
    assert execution.status == "succeeded"
    assert _attempts(execution)[-1] == ("flaky", 4, "succeeded")
    assert execution.steps.get(node_id="flaky", attempt=4).output == {"calls": 4}
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action=AuditEntry.TAGGED).count() == 1


def test_a_terminal_failure_is_not_retried(channel, stocked):
    with registered(Flaky(failures=1, retryable=False)):
        publish(
            event_flow("order.paid", [action("flaky", "test.flaky", retry={"max_attempts": 5, "backoff_seconds": 1})])
        )
        _paid(channel, "R-2")
        outbox_drain()
        execution = Execution.objects.get()

        assert execution_run(execution_id=execution.pk) == "dead"

    assert _attempts(execution) == [("flaky", 1, "failed")]


def test_only_a_dead_execution_can_be_replayed(channel, stocked):
    publish(event_flow("order.paid", [action("note", "order.note", {"text": "paid"})]))
    _paid(channel, "R-3")
    outbox_drain()
    execution = Execution.objects.get()
    execution_run(execution_id=execution.pk)

    with pytest.raises(Exception) as refused:
        execution_replay(execution_id=execution.pk)

    assert refused.value.code == "not_replayable"
    assert refused.value.details == {"status": "succeeded"}


def test_a_missing_template_path_fails_the_step_instead_of_rendering_empty(channel, stocked):
    # The path is in the order's schema (so the flow publishes), but this order has one line only.
    publish(event_flow("order.paid", [action("note", "order.note", {"text": "Third: {{ order.lines.2.sku }}"})]))
    _paid(channel, "R-4")
    outbox_drain()
    execution = Execution.objects.get()

    assert execution_run(execution_id=execution.pk) == "dead"
    assert execution.steps.get().error == {
        "code": "missing_path",
        "message": "order.lines.2.sku is not in the context",
        "retryable": False,
        "details": {"path": "order.lines.2.sku"},
    }


# --- crash recovery -------------------------------------------------------------------------


def _crash_between_tag_and_note(channel, external_id: str) -> tuple[Order, Execution]:
    """A paid order and its pending execution of tag → ``test.crash`` → note."""
    publish(
        event_flow(
            "order.paid",
            [
                action("tag", "order.tag", {"tag": "vip"}),
                action("crash", "test.crash"),
                action("note", "order.note", {"text": "done"}),
            ],
        )
    )
    order = _paid(channel, external_id)
    outbox_drain()
    return order, Execution.objects.get()


def test_a_runner_killed_between_steps_is_taken_over_and_no_action_runs_twice(channel, stocked):
    # A network action in the flow: the run goes step by step, each action committing on its own.
    crash = Crash(external=True)
    with registered(crash):
        order, execution = _crash_between_tag_and_note(channel, "K-1")

        with pytest.raises(SystemExit):
            execution_run(execution_id=execution.pk, now=LATER)
        execution.refresh_from_db()
        assert execution.status == "running"
        assert _attempts(execution) == [("tag", 1, "succeeded")]
        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=299)) == "not_claimed"

        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=301)) == "succeeded"

    assert _attempts(execution) == [("tag", 1, "succeeded"), ("crash", 1, "succeeded"), ("note", 1, "succeeded")]
    assert sorted(ActionReceipt.objects.values_list("key", flat=True)) == [
        f"{execution.pk}:crash",
        f"{execution.pk}:note",
        f"{execution.pk}:tag",
    ]
    trail = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk))
    assert trail.filter(action=AuditEntry.TAGGED).count() == 1
    assert trail.filter(action=AuditEntry.NOTED).count() == 1
    assert crash.calls == 2
    assert FlowSlot.objects.get().running == 0


def test_a_runner_killed_inside_a_one_transaction_run_leaves_nothing_and_the_takeover_runs_each_action_once(
    channel, stocked
):
    crash = Crash()  # a database action: the whole run is one transaction
    with registered(crash):
        order, execution = _crash_between_tag_and_note(channel, "K-2")

        with pytest.raises(SystemExit):
            execution_run(execution_id=execution.pk, now=LATER)
        execution.refresh_from_db()
        trail = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk))
        # The tag before the crash was rolled back with everything else; the claim stands.
        assert (execution.status, _attempts(execution), ActionReceipt.objects.count()) == ("running", [], 0)
        assert not trail.filter(action=AuditEntry.TAGGED).exists()

        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(seconds=301)) == "succeeded"

    assert _attempts(execution) == [("tag", 1, "succeeded"), ("crash", 1, "succeeded"), ("note", 1, "succeeded")]
    assert ActionReceipt.objects.count() == 3
    assert trail.filter(action=AuditEntry.TAGGED).count() == 1
    assert trail.filter(action=AuditEntry.NOTED).count() == 1
    assert crash.calls == 2
    assert FlowSlot.objects.get().running == 0


def test_a_failure_in_a_one_transaction_run_is_recorded_once_and_the_actions_before_it_are_kept(channel, stocked):
    flaky = Flaky(failures=1)
    with registered(flaky):
        publish(
            event_flow(
                "order.paid",
                [action("tag", "order.tag", {"tag": "vip"}), action("flaky", "test.flaky")],
            )
        )
        order = _paid(channel, "K-3")
        outbox_drain()
        execution = Execution.objects.get()

        # The one-transaction walk is rolled back at the failure; the step-by-step walk commits the
        # tag and records the failure the first walk met, without calling the action again.
        assert execution_run(execution_id=execution.pk, now=LATER) == "retrying"
        assert flaky.calls == 1
        assert _attempts(execution) == [("tag", 1, "succeeded"), ("flaky", 1, "failed")]
        trail = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk))
        assert trail.filter(action=AuditEntry.TAGGED).count() == 1
        # Its slot given back and its lease let go: the execution is due again after its backoff.
        execution.refresh_from_db()
        assert (execution.holds_slot, execution.lease_owner, execution.lease_until) == (False, "", None)
        assert FlowSlot.objects.get().running == 0
        assert due_executions(now=execution.resume_at) == [execution.pk]

        assert execution_run(execution_id=execution.pk, now=LATER + timedelta(hours=1)) == "succeeded"

    assert flaky.calls == 2
    assert _attempts(execution) == [("tag", 1, "succeeded"), ("flaky", 1, "failed"), ("flaky", 2, "succeeded")]
    assert trail.filter(action=AuditEntry.TAGGED).count() == 1
    assert sorted(ActionReceipt.objects.values_list("node_id", flat=True)) == ["flaky", "tag"]


# --- ordering per subject -------------------------------------------------------------------


def test_executions_of_one_order_run_in_the_order_its_events_happened(channel, stocked):
    flaky = Flaky(failures=1)
    with registered(flaky):
        flow = publish(
            event_flow(
                "order.status_changed",
                [action("flaky", "test.flaky", retry={"max_attempts": 2, "backoff_seconds": 60})],
            )
        )
        order = create_order(channel, external_id="O-1")
        other = create_order(channel, external_id="O-2")
        order_services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR)
        order_services.order_transition(order_id=order.pk, to="processing", actor=TEST_ACTOR)
        order_services.order_transition(order_id=other.pk, to="paid", actor=TEST_ACTOR)
        outbox_drain()
        first, second = Execution.objects.filter(flow=flow, subject_key=f"order:{order.pk}").order_by("id")
        unrelated = Execution.objects.get(flow=flow, subject_key=f"order:{other.pk}")

        assert execution_run(execution_id=second.pk, now=LATER) == "not_claimed"
        assert execution_run(execution_id=first.pk, now=LATER) == "retrying"
        assert execution_run(execution_id=second.pk, now=LATER) == "not_claimed"
        assert execution_run(execution_id=unrelated.pk, now=LATER) == "succeeded"
        assert execution_run(execution_id=first.pk, now=LATER + timedelta(seconds=60)) == "succeeded"
        assert execution_run(execution_id=second.pk, now=LATER + timedelta(seconds=60)) == "succeeded"

    assert [e.context["to"] for e in Execution.objects.filter(subject_key=f"order:{order.pk}").order_by("id")] == [
        "paid",
        "processing",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.finished_at <= second.started_at


# --- delay ----------------------------------------------------------------------------------


def test_a_delay_parks_the_execution_and_it_resumes_with_the_order_as_it_is_then(channel, stocked):
    publish(
        event_flow(
            "order.paid",
            [
                action("wait", "delay", {"minutes": 15}),
                condition("still_paid", {"==": [{"var": "order.status"}, "paid"]}),
                action("remind", "order.note", {"text": "still paid"}),
            ],
            edges=[("trigger", "wait"), ("wait", "still_paid"), ("still_paid", "remind", "true")],
        )
    )
    order = _paid(channel, "W-1")
    outbox_drain()
    execution = Execution.objects.get()

    assert execution_run(execution_id=execution.pk, now=LATER) == "waiting"
    execution.refresh_from_db()
    assert execution.resume_at == LATER + timedelta(minutes=15)
    assert due_executions(now=LATER + timedelta(minutes=14)) == []
    assert due_executions(now=LATER + timedelta(minutes=15)) == [execution.pk]
    order_services.order_transition(order_id=order.pk, to="processing", actor=TEST_ACTOR)

    assert execution_run(execution_id=execution.pk, now=LATER + timedelta(minutes=15)) == "succeeded"
    execution.refresh_from_db()
    assert execution.context["order"]["status"] == "processing"
    assert [(s.node_id, s.status, s.decision) for s in execution.steps.order_by("id")] == [
        ("wait", "succeeded", None),
        ("still_paid", "succeeded", False),
    ]
    assert execution.steps.get(node_id="wait").duration_ms >= 15 * 60 * 1000


def test_a_waiting_execution_does_not_hold_back_the_next_one_of_its_order(channel, stocked):
    flow = publish(event_flow("order.status_changed", [action("wait", "delay", {"minutes": 5})]))
    order = create_order(channel, external_id="W-2")
    order_services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR)
    order_services.order_transition(order_id=order.pk, to="processing", actor=TEST_ACTOR)
    outbox_drain()
    first, second = Execution.objects.filter(flow=flow).order_by("id")

    assert execution_run(execution_id=first.pk, now=LATER) == "waiting"
    assert execution_run(execution_id=second.pk, now=LATER) == "waiting"


# --- kill switch ----------------------------------------------------------------------------


def test_the_kill_switch_holds_events_and_runs_until_released(
    channel, stocked, gift_stock, q_sync, django_capture_on_commit_callbacks
):
    publish(load_template("big-order-gift"))
    kill_switch_set(engaged=True, reason="incident", user=None)

    with django_capture_on_commit_callbacks(execute=True):
        order = _paid(channel, "KS-1", 4)

    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2
    assert Execution.objects.count() == 0
    assert Order.objects.filter(gift_for=order).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        kill_switch_set(engaged=False, reason="", user=None)

    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    assert Order.objects.filter(gift_for=order).count() == 1


class _Engage(Flaky):
    """Engages the kill switch, as an operator would midway through a run."""

    def perform(self, params, run):
        kill_switch_set(engaged=True, reason="stop", user=None)
        return super().perform(params, run)


def test_a_running_execution_stops_before_its_next_action_when_the_kill_switch_is_engaged(channel, stocked, settings):
    settings.ORDERFLOW_KILL_SWITCH_RECHECK_SECONDS = 0  # by default a runner may see it up to a second late
    with registered(_Engage(0, key="test.engage")):
        publish(event_flow("order.paid", [action("engage", "test.engage"), action("tag", "order.tag", {"tag": "x"})]))
        order = _paid(channel, "KS-2")
        outbox_drain()
        execution = Execution.objects.get()

        assert execution_run(execution_id=execution.pk) == "pending"
        execution.refresh_from_db()
        assert (execution.status_reason, execution.current_node) == ("kill switch engaged", "tag")
        assert execution_run(execution_id=execution.pk) == "not_claimed"
        kill_switch_set(engaged=False, reason="", user=None)
        assert execution_run(execution_id=execution.pk) == "succeeded"

    assert _attempts(execution) == [("engage", 1, "succeeded"), ("tag", 1, "succeeded")]
    assert list(Order.objects.get(pk=order.pk).tag_rows.values_list("name", flat=True)) == ["x"]


# --- loop protection ------------------------------------------------------------------------


def _drive(limit: int = 50) -> None:
    """Dispatch and run until nothing is left to do (what the worker does, by hand)."""
    for _ in range(limit):
        outbox_drain()
        pending = list(Execution.objects.filter(status="pending").order_by("id").values_list("id", flat=True))
        if not pending:
            return
        for execution_id in pending:
            execution_run(execution_id=execution_id)
    raise AssertionError("the runtime did not settle")


def test_a_flow_that_retriggers_itself_on_the_same_order_is_suppressed_after_the_limit(channel, stocked, settings):
    settings.ORDERFLOW_LOOP_LIMIT_PER_MINUTE = 3
    flow = publish(
        event_flow(
            "order.held",
            [action("release", "order.release"), action("hold", "order.hold", {"reason": "hold it again"})],
        )
    )
    order = create_order(channel, external_id="L-1")
    order_services.order_hold(order_id=order.pk, reason="check the address", actor=TEST_ACTOR)

    _drive()

    runs = list(Execution.objects.filter(flow=flow).order_by("id"))
    assert [(e.status, e.self_triggered) for e in runs] == [
        ("succeeded", False),
        ("succeeded", True),
        ("succeeded", True),
        ("succeeded", True),
        ("suppressed", True),
    ]
    assert runs[-1].status_reason == (
        f"loop protection: flow {flow.pk} re-triggered itself on order:{order.pk} more than 3 times in a minute"
    )
    assert runs[1].caused_by == runs[0].pk
    assert OutboxEvent.objects.filter(name="order.held", subject_id=str(order.pk)).count() == 5


# --- customer-contact rate limit ------------------------------------------------------------


def test_customer_contacts_over_the_flow_rate_wait_for_the_next_minute(channel, stocked, settings):
    settings.ORDERFLOW_CUSTOMER_CONTACT_RATE = 2
    contact = Contact()
    with registered(contact):
        publish(event_flow("order.paid", [action("contact", "test.contact")]))
        orders = [_paid(channel, f"C-{i}") for i in range(3)]
        outbox_drain()
        runs = list(Execution.objects.order_by("id"))

        assert [execution_run(execution_id=e.pk, now=LATER) for e in runs] == ["succeeded", "succeeded", "retrying"]
        runs[2].refresh_from_db()
        assert runs[2].resume_at == LATER.replace(second=0) + timedelta(minutes=1)
        assert runs[2].status_reason == "customer-contact rate limit reached; waiting for the next minute"
        assert runs[2].steps.count() == 0
        assert execution_run(execution_id=runs[2].pk, now=LATER + timedelta(seconds=30)) == "succeeded"

    assert contact.contacted == [o.pk for o in orders]


# --- concurrency limit ----------------------------------------------------------------------


def test_a_flow_runs_at_most_its_concurrency_limit_and_a_freed_slot_wakes_the_waiting(
    channel, stocked, settings, q_sync, django_capture_on_commit_callbacks
):
    settings.ORDERFLOW_FLOW_CONCURRENCY = 1
    flow = publish(event_flow("order.paid", [action("note", "order.note", {"text": "seen"})]))
    _paid(channel, "CC-1")
    _paid(channel, "CC-2")
    outbox_drain()
    first, second = Execution.objects.order_by("id")
    past = timezone.now() - timedelta(seconds=400)
    assert execution_claim(execution_id=first.pk, now=past, owner="a-worker-that-dies") is not None

    assert execution_run(execution_id=second.pk) == "not_claimed"
    assert FlowSlot.objects.filter(flow=flow).values_list("running", "starved").get() == (1, True)
    with django_capture_on_commit_callbacks(execute=True):
        assert execution_run(execution_id=first.pk) == "succeeded"

    second.refresh_from_db()
    assert second.status == "succeeded"
    assert FlowSlot.objects.filter(flow=flow).values_list("running", "starved").get() == (0, False)
