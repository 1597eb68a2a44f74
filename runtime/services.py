"""Runtime writes: start runs (manual, webhook), replay a dead execution, the kill switch, the sweep.

Each service is one transaction; work is queued only after it commits.
"""

import uuid
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from builder.errors import FlowNotFound
from builder.models import Flow, FlowVersion
from core.time import iso_utc
from core.trace import current_trace_id

from . import guards, statuses
from .claim import due_executions
from .dispatch import outbox_drain, version_problem
from .errors import ExecutionNotFound, FlowNotRunnable, NotReplayable
from .models import KILL_SWITCH_ID, Execution, ExecutionStep, KillSwitch
from .queue import RUN_TASK, SWEEP_TASK, enqueue, enqueue_on_commit, runs_enqueue_on_commit


def _start(*, version: FlowVersion, trigger_type: str, context: dict, dedupe_key: str | None) -> tuple[Execution, bool]:
    """Creates a pending execution (or finds the one with ``dedupe_key``) and queues it on commit."""
    with transaction.atomic():
        if dedupe_key:
            existing = Execution.objects.filter(dedupe_key=dedupe_key).first()
            if existing is not None:
                return existing, False
        try:
            with transaction.atomic():
                execution = Execution.objects.create(
                    flow_id=version.flow_id,
                    flow_version=version,
                    trigger_type=trigger_type,
                    dedupe_key=dedupe_key,
                    context=context,
                    trace_id=current_trace_id(),
                )
        except IntegrityError:
            return Execution.objects.get(dedupe_key=dedupe_key), False
        runs_enqueue_on_commit([execution.pk])
    return execution, True


def _runnable_version(flow: Flow, trigger_type: str) -> FlowVersion:
    version = flow.current_version
    if version is None or not flow.enabled:
        raise FlowNotRunnable(
            message="Publish and enable the flow before running it.", details={"flow": flow.pk, "enabled": flow.enabled}
        )
    if version.trigger_type != trigger_type:
        raise FlowNotRunnable(
            message=f"The flow's trigger is {version.trigger_type!r}, not {trigger_type!r}.",
            details={"trigger": version.trigger_type},
        )
    problem = version_problem(version)
    if problem:
        raise FlowNotRunnable(message=problem, details={"version": version.number})
    return version


def manual_run_start(*, flow_id: int, input: dict) -> Execution:
    """Starts the current version of an enabled flow with a ``manual`` trigger, with ``input`` in its context.

    Raises ``FlowNotFound``, or ``FlowNotRunnable`` (not published, disabled, another trigger, or a
    version the catalog no longer accepts). While the kill switch is engaged the run waits.
    """
    flow = Flow.objects.select_related("current_version").filter(pk=flow_id).first()
    if flow is None:
        raise FlowNotFound(details={"flow": flow_id})
    version = _runnable_version(flow, "manual")
    run_id = f"manual:{uuid.uuid4().hex}"
    context = {"event": {"id": run_id, "type": "manual", "occurred_at": iso_utc(timezone.now())}, "input": input}
    execution, _created = _start(version=version, trigger_type="manual", context=context, dedupe_key=None)
    return execution


def webhook_run_start(
    *, version: FlowVersion, body, headers: dict[str, str], delivery_id: str = ""
) -> tuple[Execution, bool]:
    """Starts a webhook flow's run with ``{"webhook": {"body", "headers"}}`` in its context.

    ``delivery_id`` (the caller's ``Idempotency-Key``) dedupes: the same id again answers the
    execution it started the first time, ``created=False``.
    """
    dedupe_key = f"webhook:{version.pk}:{delivery_id}" if delivery_id else None
    run_id = dedupe_key or f"webhook:{uuid.uuid4().hex}"
    context = {
        "event": {"id": run_id, "type": "webhook", "occurred_at": iso_utc(timezone.now())},
        "webhook": {"body": body, "headers": headers},
    }
    return _start(version=version, trigger_type="webhook", context=context, dedupe_key=dedupe_key)


def execution_replay(*, execution_id: int) -> Execution:
    """Runs a ``dead`` execution again from the step that failed, with that step's retry budget renewed.

    Steps that succeeded are not run again (their receipts stand). Raises ``NotReplayable`` for
    any other status.
    """
    with transaction.atomic():
        execution = Execution.objects.select_for_update().filter(pk=execution_id).first()
        if execution is None:
            raise ExecutionNotFound(details={"execution": execution_id})
        if execution.status != statuses.DEAD:
            raise NotReplayable(details={"status": execution.status})
        last = ExecutionStep.objects.filter(execution=execution, node_id=execution.current_node).aggregate(
            last=Max("attempt")
        )["last"]
        execution.status = statuses.PENDING
        execution.retry_floor = last or 0
        execution.resume_at = None
        execution.finished_at = None
        execution.status_reason = f"replayed from {execution.current_node}"
        execution.save(update_fields=["status", "retry_floor", "resume_at", "finished_at", "status_reason"])
        runs_enqueue_on_commit([execution.pk])
    return execution


def kill_switch_set(*, engaged: bool, reason: str, user: User | None) -> KillSwitch:
    """Engages or releases the kill switch. Releasing it queues a sweep that picks up everything that waited."""
    with transaction.atomic():
        switch, _created = KillSwitch.objects.select_for_update().get_or_create(pk=KILL_SWITCH_ID)
        switch.engaged = engaged
        switch.reason = reason
        switch.changed_by = user
        switch.changed_at = timezone.now()
        switch.save()
        if not engaged:
            enqueue_on_commit(SWEEP_TASK, all_pending=True)
    return switch


def runtime_sweep(*, now: datetime | None = None, all_pending: bool = False) -> dict:
    """The safety net, every minute: drain the outbox, then queue every execution that is due.

    Catches what a lost wake-up, a lost task or a dead worker left behind. Queues tasks — so it
    runs outside any transaction. Nothing while the kill switch is engaged.
    """
    now = now or timezone.now()
    if guards.kill_switch_engaged():
        return {"kill_switch": True, "dispatched": 0, "woken": 0}
    dispatched = outbox_drain()
    ids = due_executions(now=now, all_pending=all_pending)
    for execution_id in ids:
        enqueue(RUN_TASK, execution_id, now=now)
    return {"kill_switch": False, "dispatched": dispatched, "woken": len(ids)}
