"""The claim: ``claimable`` (the rule the sweep and the claim share), its SQL twin, and the claim itself.

On PostgreSQL the claim is one hand-written statement (``runtime.claim.CLAIM_SQL``) whose
``WHERE`` is ``CLAIMABLE_SQL``; elsewhere it goes through the ORM with ``claimable``. A table of
executions in every state that matters — each status, ``resume_at`` and lease past, future or
unset, an earlier execution of the same subject in each status, or none, or one without a
subject — is what holds the two to the same rows.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from runtime import claim, guards, statuses
from runtime.claim import CLAIMABLE_SQL, claim_parameters, claimable, execution_claim
from runtime.models import Execution, FlowSlot
from runtime.services import kill_switch_set
from tests.concurrency import at_once
from tests.runtime.conftest import action, publish

pytestmark = pytest.mark.django_db

MANUAL_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Tell the operators",
    "trigger": {"type": "manual"},
    "nodes": [action("tell", "notify.inbox", {"to_role": "operator", "title": "Hi"})],
    "edges": [{"from": "trigger", "to": "tell"}],
}

NOW = timezone.now().replace(microsecond=0)
MOMENTS = {"unset": None, "past": NOW - timedelta(seconds=1), "now": NOW, "future": NOW + timedelta(seconds=1)}
# Before the case's execution, on its subject: nothing, an execution in each status, or one with no subject.
EARLIER = (None, *statuses.STATUSES, "no subject")


def _table(flow) -> list[Execution]:
    """The case executions (an earlier one of the same subject, where the case has one, comes first)."""
    cases = []
    for n, (status, resume_at, lease_until, earlier) in enumerate(
        itertools.product(statuses.STATUSES, MOMENTS, MOMENTS, EARLIER)
    ):
        subject = f"case:{n}" if earlier != "no subject" else ""
        if earlier is not None:
            _execution(flow, statuses.PENDING if earlier == "no subject" else earlier, subject)
        cases.append(_execution(flow, status, subject, resume_at=MOMENTS[resume_at], lease_until=MOMENTS[lease_until]))
    return cases


def _execution(flow, status: str, subject: str, **fields) -> Execution:
    return Execution.objects.create(
        flow=flow,
        flow_version=flow.current_version,
        trigger_type="manual",
        status=status,
        subject_key=subject,
        **fields,
    )


def _by_the_rule() -> set[int]:
    return set(Execution.objects.filter(claimable(NOW)).values_list("id", flat=True))


def _by_the_sql() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT e.id FROM {Execution._meta.db_table} e WHERE {CLAIMABLE_SQL}", claim_parameters(NOW))
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
def test_the_claims_sql_and_the_sweeps_rule_select_the_same_executions():
    flow = publish(MANUAL_FLOW)
    cases = _table(flow)

    chosen = _by_the_rule()

    assert _by_the_sql() == chosen
    # The table has both kinds, and in numbers: the comparison above compares something.
    assert 100 < len(chosen & {e.pk for e in cases}) < len(cases) - 100
    kill_switch_set(engaged=True, reason="incident", user=None)
    assert _by_the_rule() == _by_the_sql() == set()


def test_a_claim_takes_exactly_the_executions_the_rule_selects(settings):
    # The claim itself, on either database: through CLAIM_SQL on PostgreSQL, through the ORM elsewhere.
    settings.ORDERFLOW_FLOW_CONCURRENCY = 10_000
    flow = publish(MANUAL_FLOW)
    cases = _table(flow)
    chosen = _by_the_rule()

    claimed = {e.pk for e in cases if execution_claim(execution_id=e.pk, now=NOW, owner="runner") is not None}

    assert claimed == chosen & {e.pk for e in cases}
    rows = Execution.objects.filter(pk__in=claimed)
    assert set(rows.values_list("status", "lease_owner", "lease_until").distinct()) == {
        ("running", "runner", NOW + timedelta(seconds=300))
    }
    assert not rows.filter(resume_at__isnull=False).exists()
    # A lease-expired running execution kept its slot; every other one took one.
    taken = sum(1 for e in cases if e.pk in claimed and e.status != statuses.RUNNING)
    assert FlowSlot.objects.get(flow=flow).running == taken


def test_a_claim_answers_the_first_run_and_the_versions_checksum():
    flow = publish(MANUAL_FLOW)
    fresh = _execution(flow, statuses.PENDING, "")
    resumed = _execution(flow, statuses.RETRYING, "", started_at=NOW - timedelta(minutes=5))

    first = execution_claim(execution_id=fresh.pk, now=NOW, owner="runner")
    again = execution_claim(execution_id=resumed.pk, now=NOW, owner="runner")

    assert (first.first_run, first.started_at, first.holds_slot) == (True, NOW, True)
    assert (again.first_run, again.started_at) == (False, NOW - timedelta(minutes=5))
    assert first.version_checksum == again.version_checksum == flow.current_version.checksum
    assert first.context == fresh.context
    assert Execution.objects.get(pk=fresh.pk).started_at == NOW


def test_a_claim_refused_for_want_of_a_slot_marks_the_flow_starved_and_changes_nothing_else(settings):
    settings.ORDERFLOW_FLOW_CONCURRENCY = 1
    flow = publish(MANUAL_FLOW)
    first, second = _execution(flow, statuses.PENDING, ""), _execution(flow, statuses.PENDING, "")
    assert execution_claim(execution_id=first.pk, now=NOW, owner="runner-1") is not None

    assert execution_claim(execution_id=second.pk, now=NOW, owner="runner-2") is None

    assert FlowSlot.objects.filter(flow=flow).values_list("running", "starved").get() == (1, True)
    second.refresh_from_db()
    assert (second.status, second.lease_owner, second.holds_slot, second.started_at) == ("pending", "", False, None)


def test_a_slot_freed_between_a_refusal_and_the_starved_mark_is_taken_by_the_claim_looking_again(settings, monkeypatch):
    # The releaser read no starved mark, so it woke no one: the refused claim must not wait for the sweep.
    settings.ORDERFLOW_FLOW_CONCURRENCY = 1
    flow = publish(MANUAL_FLOW)
    first, second = _execution(flow, statuses.PENDING, ""), _execution(flow, statuses.PENDING, "")
    assert execution_claim(execution_id=first.pk, now=NOW, owner="runner-1") is not None
    mark = guards.slot_starved

    def released_meanwhile(*, flow_id: int) -> None:
        assert guards.slot_release(flow_id=flow_id) is False
        mark(flow_id=flow_id)

    monkeypatch.setattr(claim.guards, "slot_starved", released_meanwhile)

    execution = execution_claim(execution_id=second.pk, now=NOW, owner="runner-2")

    assert execution is not None and execution.holds_slot
    assert FlowSlot.objects.get(flow=flow).running == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claims_racing_for_a_flows_last_slots_take_exactly_as_many_as_there_are(settings):
    settings.ORDERFLOW_FLOW_CONCURRENCY = 3
    flow = publish(MANUAL_FLOW)
    executions = [_execution(flow, statuses.PENDING, f"race:{n}") for n in range(12)]

    claimed = at_once(
        lambda n: execution_claim(execution_id=executions[n].pk, now=NOW, owner=f"runner-{n}") is not None, 12
    )

    assert claimed.count(True) == 3
    assert FlowSlot.objects.filter(flow=flow).values_list("running", "starved").get() == (3, True)
    assert Execution.objects.filter(status="running", holds_slot=True).count() == 3
    assert Execution.objects.filter(status="pending", holds_slot=False, lease_owner="").count() == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runners_claiming_one_execution_at_once_give_it_to_exactly_one():
    flow = publish(MANUAL_FLOW)
    execution = _execution(flow, statuses.PENDING, "")

    claimed = at_once(lambda n: execution_claim(execution_id=execution.pk, now=NOW, owner=f"runner-{n}") is not None, 8)

    assert claimed.count(True) == 1
    assert FlowSlot.objects.get(flow=flow).running == 1
    assert Execution.objects.get(pk=execution.pk).lease_owner == f"runner-{claimed.index(True)}"
