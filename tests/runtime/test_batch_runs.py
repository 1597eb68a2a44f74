"""A run task's executions are claimed together (``executions_claim``) and then run one by one.

What the batch claim leaves — held back by an earlier execution of the same order, no slot for
the whole group, the kill switch — is decided one by one, exactly as ``execution_run`` does.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from runtime.dispatch import outbox_drain
from runtime.engine import executions_claim
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


def _claim_reads(queries) -> int:
    """Claims made: the batch's (one statement on PostgreSQL, a locking read elsewhere) and single ones."""
    return sum("AS version_checksum" in q["sql"] for q in queries.captured_queries)


def test_a_run_task_claims_its_executions_with_one_read_and_runs_them_in_order(channel, stocked):
    _note_flow("first")
    _note_flow("second")
    orders = [create_order(channel, external_id=f"BATCH-{i}", status="paid") for i in range(3)]
    outbox_drain()
    ids = _pending_ids()

    with CaptureQueriesContext(connection) as queries:
        outcomes = executions_run_task(ids)

    assert outcomes == ["succeeded"] * 6
    # Each order's second execution was held back by its first at the batch claim, and claimed
    # on its own once the first had finished: 1 batch read + 3 single ones.
    assert _claim_reads(queries) == 4
    finished = list(Execution.objects.order_by("finished_at", "id").values_list("subject_key", "flow__name"))
    for order in orders:
        assert [flow for subject, flow in finished if subject == f"order:{order.pk}"] == ["first", "second"]
    assert list(FlowSlot.objects.values_list("running", flat=True)) == [0, 0]


@pytest.mark.parametrize(("limit", "claim_reads"), [(6, 1), (5, 4)])
def test_a_batch_takes_its_slots_only_while_as_many_again_stay_free(channel, stocked, settings, limit, claim_reads):
    settings.ORDERFLOW_FLOW_CONCURRENCY = limit
    _note_flow("narrow")
    for i in range(3):
        create_order(channel, external_id=f"SLOT-{i}", status="paid")
    outbox_drain()
    ids = _pending_ids()

    with CaptureQueriesContext(connection) as queries:
        outcomes = executions_run_task(ids)

    assert outcomes == ["succeeded"] * 3
    assert _claim_reads(queries) == claim_reads
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
def test_on_postgresql_the_batch_claim_is_one_statement_and_creates_the_flows_slot_row(channel, stocked):
    _note_flow("one statement")
    for i in range(3):
        create_order(channel, external_id=f"ONE-{i}", status="paid")
    outbox_drain()
    ids = _pending_ids()
    assert not FlowSlot.objects.exists()

    with CaptureQueriesContext(connection) as queries:
        claimed = executions_claim(execution_ids=ids, now=timezone.now(), owner="runner-1")

    assert len(queries.captured_queries) == 1
    assert list(claimed) == ids
    assert all(
        (e.status, e.lease_owner, e.holds_slot, e.first_run, e.started_at is not None)
        == ("running", "runner-1", True, True, True)
        for e in claimed.values()
    )
    assert FlowSlot.objects.get().running == 3
    # Claimed already: a second batch claim takes none of them.
    assert executions_claim(execution_ids=ids, now=timezone.now(), owner="runner-2") == {}
    assert FlowSlot.objects.get().running == 3
