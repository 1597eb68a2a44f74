"""A run task's executions run one after the other, each claimed just before it runs.

So a run task holds one of its flow's slots at a time, and whatever a claim refuses — held back
by an earlier execution of the same order, no slot, the kill switch — is decided exactly as
``execution_run`` decides it.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from runtime.claim import CLAIM_SQL, execution_claim
from runtime.dispatch import outbox_drain
from runtime.models import Execution, FlowSlot
from runtime.services import kill_switch_set
from runtime.tasks import executions_run_task
from tests.factories import create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _note_flow(name: str) -> None:
    publish(event_flow("order.paid", [action("note", "order.note", {"text": name})], name=name))


def _pending_ids() -> list[int]:
    return list(Execution.objects.filter(status="pending").order_by("id").values_list("id", flat=True))


def _claims(queries) -> int:
    """Claims: on PostgreSQL the claim's one statement (``runtime.claim.CLAIM_SQL``), elsewhere its
    locking read of the execution (the one statement that reads its version's checksum)."""
    return sum(_is_claim(q["sql"]) or 'AS "flow_version_checksum"' in q["sql"] for q in queries.captured_queries)


def _is_claim(sql: str) -> bool:
    """Whether ``sql`` (as logged: with its parameters in) is ``CLAIM_SQL``."""
    return sql.startswith(CLAIM_SQL[: CLAIM_SQL.index("%")])


def test_a_run_task_runs_its_executions_in_order_each_claimed_once(channel, stocked):
    _note_flow("first")
    _note_flow("second")
    orders = [create_order(channel, external_id=f"BATCH-{i}", status="paid") for i in range(3)]
    outbox_drain()
    ids = _pending_ids()

    with CaptureQueriesContext(connection) as queries:
        outcomes = executions_run_task(ids)

    assert outcomes == ["succeeded"] * 6
    # Each order's second execution is claimed once its first has finished, in the same task.
    assert _claims(queries) == 6
    finished = list(Execution.objects.order_by("finished_at", "id").values_list("subject_key", "flow__name"))
    for order in orders:
        assert [flow for subject, flow in finished if subject == f"order:{order.pk}"] == ["first", "second"]
    assert list(FlowSlot.objects.values_list("running", flat=True)) == [0, 0]


def test_a_run_task_holds_one_slot_at_a_time(channel, stocked, settings):
    settings.ORDERFLOW_FLOW_CONCURRENCY = 1
    _note_flow("narrow")
    for i in range(3):
        create_order(channel, external_id=f"SLOT-{i}", status="paid")
    outbox_drain()

    assert executions_run_task(_pending_ids()) == ["succeeded"] * 3
    assert (FlowSlot.objects.get().running, FlowSlot.objects.get().starved) == (0, False)


def test_nothing_is_claimed_while_the_kill_switch_is_engaged(channel, stocked):
    _note_flow("stopped")
    for i in range(2):
        create_order(channel, external_id=f"KILL-{i}", status="paid")
    outbox_drain()
    ids = _pending_ids()
    kill_switch_set(engaged=True, reason="incident", user=None)

    assert executions_run_task(ids) == ["not_claimed"] * 2
    assert _pending_ids() == ids


@pytest.mark.postgres
def test_on_postgresql_a_pending_execution_is_claimed_in_one_statement_that_creates_the_slot_row(channel, stocked):
    _note_flow("one statement")
    create_order(channel, external_id="ONE-1", status="paid")
    outbox_drain()
    [execution_id] = _pending_ids()
    assert not FlowSlot.objects.exists()

    with CaptureQueriesContext(connection) as queries:
        execution = execution_claim(execution_id=execution_id, now=timezone.now(), owner="runner-1")

    # The locking read (SKIP LOCKED), the slot (a flow's first claim creates its row) and the
    # execution's status: one statement.
    assert [_is_claim(q["sql"]) for q in queries.captured_queries] == [True]
    assert "FOR UPDATE OF e SKIP LOCKED" in CLAIM_SQL
    assert (execution.status, execution.lease_owner, execution.holds_slot, execution.first_run) == (
        "running",
        "runner-1",
        True,
        True,
    )
    assert execution.started_at is not None
    assert execution.context["event"]["type"] == "order.paid"  # the JSON column, decoded
    assert FlowSlot.objects.get().running == 1
    # Claimed already, its lease running: nobody else gets it, and nothing changes.
    with CaptureQueriesContext(connection) as queries:
        assert execution_claim(execution_id=execution_id, now=timezone.now(), owner="runner-2") is None
    assert len(queries.captured_queries) == 1
    assert FlowSlot.objects.get().running == 1
    assert Execution.objects.get(pk=execution_id).lease_owner == "runner-1"
