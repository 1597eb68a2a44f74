"""Who may run an execution now: the claim rules, in one place, and the claim that applies them.

``claimable`` is the rule; ``execution_claim`` (a runner taking one execution) and
``due_executions`` (the sweep finding the ones whose task may be lost, or whose ``resume_at``
has come) both apply it, so the two never disagree about what is due.

On PostgreSQL the claim is one statement (``CLAIM_SQL``), written out because the ORM cannot say
it: a locking read that skips a row another runner holds, a conditional counter (the flow's
concurrency slot) and the update, together. Its ``WHERE`` is ``claimable`` in SQL
(``CLAIMABLE_SQL``); ``tests/runtime/test_claim.py`` holds the two to the same rows over a table
of cases. Elsewhere (SQLite, which has no ``SKIP LOCKED`` and serialises writers anyway) the claim
is the same steps through the ORM, in one transaction.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from builder.models import FlowVersion

from . import conf, guards, statuses
from .models import KILL_SWITCH_ID, Execution, FlowSlot, KillSwitch

NOT_CLAIMED = "not_claimed"


def claimable(now: datetime) -> Q:
    """The executions a runner may claim at ``now``, with the kill switch off:

    - ``running`` whose lease has expired (its runner died; it keeps the slot it held);
    - ``waiting`` whose ``resume_at`` has come (a delay hands its subject on, so nothing holds it back);
    - ``pending`` and ``retrying`` whose ``resume_at`` (if any) has come, unless an earlier
      execution of the same subject is unfinished (``pending``, ``running`` or ``retrying``):
      one subject's executions run in id order.

    A flow's concurrency slot is the claim's to take: it is a counter, not a property of the row.
    ``CLAIMABLE_SQL`` says the same in SQL; change both together.
    """
    switch_engaged = Exists(KillSwitch.objects.filter(pk=KILL_SWITCH_ID, engaged=True))
    held_back = Exists(
        Execution.objects.filter(
            subject_key=OuterRef("subject_key"), id__lt=OuterRef("id"), status__in=statuses.BLOCKING
        ).exclude(subject_key="")
    )
    due = Q(resume_at__isnull=True) | Q(resume_at__lte=now)
    lease_expired = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    return ~switch_engaged & (
        Q(lease_expired, status=statuses.RUNNING)
        | Q(due, status=statuses.WAITING)
        | (Q(due, status__in=(statuses.PENDING, statuses.RETRYING)) & ~held_back)
    )


_EXECUTION = Execution._meta.db_table
_FIELDS = Execution._meta.concrete_fields

# ``claimable`` for the execution ``e``, with the parameters of ``claim_parameters``.
CLAIMABLE_SQL = f"""
    NOT EXISTS (SELECT FROM {KillSwitch._meta.db_table} k WHERE k.id = %(kill_switch)s AND k.engaged)
    AND (
        (e.status = %(running)s AND (e.lease_until IS NULL OR e.lease_until <= %(now)s))
        OR (e.status = %(waiting)s AND (e.resume_at IS NULL OR e.resume_at <= %(now)s))
        OR (e.status IN (%(pending)s, %(retrying)s) AND (e.resume_at IS NULL OR e.resume_at <= %(now)s)
            AND NOT EXISTS (
                SELECT FROM {_EXECUTION} b
                WHERE b.subject_key = e.subject_key AND b.subject_key <> '' AND b.id < e.id
                  AND b.status = ANY(%(blocking)s)))
    )"""

# The claim, in one statement (so one round trip and one commit):
#
# - ``candidate``: the execution, if ``CLAIMABLE_SQL`` holds, locked ``FOR UPDATE SKIP LOCKED`` —
#   of two runners claiming it at once the second finds nothing instead of waiting;
# - ``slot``: unless it is a lease-expired ``running`` one (which kept its slot), one of its flow's
#   ``ORDERFLOW_FLOW_CONCURRENCY`` slots, as a conditional counter: the flow's row is created on
#   its first claim, and an existing row is incremented only below the limit — the upsert locks
#   the row, so of two claims racing for the last slot one gets it;
# - ``claimed``: the execution ``running`` under the lease, only if it needs no slot or got one.
#
# The answer is one row when the execution was claimable: its flow, ``first_run`` (never started
# before), the version's checksum and the claimed row's columns — ``NULL`` when no slot was free.
CLAIM_SQL = f"""
WITH candidate AS MATERIALIZED (
    SELECT e.id, e.flow_id, e.status, e.started_at FROM {_EXECUTION} e
    WHERE e.id = %(id)s AND {CLAIMABLE_SQL}
    FOR UPDATE OF e SKIP LOCKED
),
slot AS (
    INSERT INTO {FlowSlot._meta.db_table} AS s (flow_id, running, starved)
    SELECT c.flow_id, 1, false FROM candidate c WHERE c.status <> %(running)s AND %(limit)s > 0
    ON CONFLICT (flow_id) DO UPDATE SET running = s.running + 1 WHERE s.running < %(limit)s
    RETURNING s.flow_id
),
claimed AS (
    UPDATE {_EXECUTION} e
    SET status = %(running)s, lease_owner = %(owner)s, lease_until = %(lease_until)s, resume_at = NULL,
        started_at = COALESCE(e.started_at, %(now)s), holds_slot = (e.holds_slot OR c.status <> %(running)s)
    FROM candidate c
    WHERE e.id = c.id AND (c.status = %(running)s OR EXISTS (SELECT FROM slot))
    RETURNING {", ".join(f"e.{field.column}" for field in _FIELDS)}
)
SELECT c.flow_id, c.started_at IS NULL, v.checksum, claimed.*
FROM candidate c
LEFT JOIN claimed ON true
LEFT JOIN {FlowVersion._meta.db_table} v ON v.id = claimed.flow_version_id
"""


def claim_parameters(now: datetime) -> dict:
    """The parameters of ``CLAIMABLE_SQL`` at ``now``."""
    return {
        "now": now,
        "kill_switch": KILL_SWITCH_ID,
        "running": statuses.RUNNING,
        "waiting": statuses.WAITING,
        "pending": statuses.PENDING,
        "retrying": statuses.RETRYING,
        "blocking": list(statuses.BLOCKING),
    }


def execution_claim(*, execution_id: int, now: datetime, owner: str) -> Execution | None:
    """Makes ``owner`` the runner of the execution, or answers ``None`` (and changes nothing).

    The claim commits on its own (or with the caller's transaction, if there is one): the lease
    is what keeps other runners off while the run's own transactions come and go, and a runner
    that dies leaves it to expire. The execution row is locked ``FOR UPDATE SKIP LOCKED`` (only
    it — not the version it joins for the checksum), so two runners, or two clusters, claiming
    the same execution never both get it: the second skips it instead of waiting. A claimable
    one that does not already hold a slot takes one of its flow's; without a free slot nothing
    changes but the flow's ``starved`` mark, so the runner that frees one wakes it. The claimed
    execution comes back ``running`` under the lease, with ``first_run`` (never started before)
    and ``version_checksum``.
    """
    lease_until = now + timedelta(seconds=conf.get("ORDERFLOW_EXECUTION_LEASE_SECONDS"))
    claim = _claim_in_one_statement if connection.vendor == "postgresql" else _claim_through_the_orm
    execution, starved_flow = claim(execution_id, now, owner, lease_until)
    if starved_flow is not None:
        # No free slot. Marked starved, the flow's next slot release wakes its pending executions;
        # one released between the refusal and the mark saw no mark, so the claim looks once more.
        guards.slot_starved(flow_id=starved_flow)
        execution, _starved = claim(execution_id, now, owner, lease_until)
    return execution


def _claim_in_one_statement(
    execution_id: int, now: datetime, owner: str, lease_until: datetime
) -> tuple[Execution | None, int | None]:
    """``CLAIM_SQL``: the claimed execution, or ``None`` and the flow when it was refused for want of a slot."""
    parameters = {
        **claim_parameters(now),
        "id": execution_id,
        "owner": owner,
        "lease_until": lease_until,
        "limit": conf.get("ORDERFLOW_FLOW_CONCURRENCY"),
    }
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, parameters)
        row = cursor.fetchone()
    if row is None:
        return None, None
    flow_id, first_run, checksum, *columns = row
    if columns[0] is None:
        return None, flow_id
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(_FIELDS, columns, strict=True)
    ]
    execution = Execution.from_db(connection.alias, [field.attname for field in _FIELDS], values)
    execution.first_run = first_run
    execution.version_checksum = checksum
    return execution, None


def _claim_through_the_orm(
    execution_id: int, now: datetime, owner: str, lease_until: datetime
) -> tuple[Execution | None, int | None]:
    """The claim's steps through the ORM, in one transaction; answers as ``_claim_in_one_statement``."""
    with transaction.atomic():
        execution = (
            Execution.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(claimable(now), pk=execution_id)
            .annotate(flow_version_checksum=F("flow_version__checksum"))
            .first()
        )
        if execution is None:
            return None, None
        if execution.status != statuses.RUNNING:
            if not guards.slot_acquire(flow_id=execution.flow_id):
                return None, execution.flow_id
            execution.holds_slot = True
        execution.version_checksum = execution.flow_version_checksum
        execution.first_run = execution.started_at is None
        execution.status = statuses.RUNNING
        execution.lease_owner = owner
        execution.lease_until = lease_until
        execution.resume_at = None
        execution.started_at = execution.started_at or now
        Execution.objects.filter(pk=execution.pk).update(
            status=execution.status,
            lease_owner=owner,
            lease_until=lease_until,
            resume_at=None,
            started_at=execution.started_at,
            holds_slot=execution.holds_slot,
        )
    return execution, None


def due_executions(*, now: datetime, all_pending: bool = False, limit: int | None = None) -> list[int]:
    """Ids of claimable executions whose task may be lost, oldest first — ``claimable`` at ``now``,
    leaving out ``pending`` ones younger than ``ORDERFLOW_SWEEP_PENDING_AFTER_SECONDS`` (their
    task is most likely still queued) unless ``all_pending``.

    This is how a parked run resumes: its ``resume_at`` is the durable record, and a pass over
    this list (the sweep, or the wake-up armed when it parked) claims it once it is due.
    """
    limit = limit or conf.get("ORDERFLOW_SWEEP_BATCH")
    due = Execution.objects.filter(claimable(now))
    if not all_pending:
        young = now - timedelta(seconds=conf.get("ORDERFLOW_SWEEP_PENDING_AFTER_SECONDS"))
        due = due.exclude(status=statuses.PENDING, created_at__gt=young)
    return list(due.order_by("id").values_list("id", flat=True)[:limit])
