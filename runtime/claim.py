"""Who may run an execution now: the claim rules, in one place, and the claim that applies them.

``claimable`` is the rule; ``execution_claim`` (a runner taking one execution) and
``due_executions`` (the sweep finding the ones whose task may be lost, or whose ``resume_at``
has come) both filter by it, so the two never disagree about what is due.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from . import conf, guards, statuses
from .models import KILL_SWITCH_ID, Execution, KillSwitch

NOT_CLAIMED = "not_claimed"


def claimable(now: datetime) -> Q:
    """The executions a runner may claim at ``now``, with the kill switch off:

    - ``running`` whose lease has expired (its runner died; it keeps the slot it held);
    - ``waiting`` whose ``resume_at`` has come (a delay hands its subject on, so nothing holds it back);
    - ``pending`` and ``retrying`` whose ``resume_at`` (if any) has come, unless an earlier
      execution of the same subject is unfinished (``pending``, ``running`` or ``retrying``):
      one subject's executions run in id order.

    A flow's concurrency slot is the claim's to take (``guards.slot_acquire``): it is a counter,
    not a property of the row.
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


def execution_claim(*, execution_id: int, now: datetime, owner: str) -> Execution | None:
    """Makes ``owner`` the runner of the execution, or answers ``None`` (and changes nothing).

    One transaction: the execution row is read ``FOR UPDATE SKIP LOCKED`` (only it — not the
    version it joins for the checksum), so two runners, or two clusters, claiming the same
    execution never both get it: the second skips it instead of waiting. A claimable one that
    does not already hold a slot takes one of its flow's; without a free slot nothing changes.
    The claimed execution comes back ``running`` under the lease, with ``first_run`` (never
    started before) and ``version_checksum``.
    """
    lease_until = now + timedelta(seconds=conf.get("ORDERFLOW_EXECUTION_LEASE_SECONDS"))
    with transaction.atomic():
        execution = (
            Execution.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(claimable(now), pk=execution_id)
            .annotate(flow_version_checksum=F("flow_version__checksum"))
            .first()
        )
        if execution is None:
            return None
        if execution.status != statuses.RUNNING:
            if not guards.slot_acquire(flow_id=execution.flow_id):
                return None
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
    return execution


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
