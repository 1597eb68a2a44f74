"""Running executions: claim one (``claim``), walk it (``steps``), one after the other.

The claim rules live in ``runtime.claim``, the runner in ``runtime.steps``, the runner's own rows
in ``runtime.persistence``; this module is the entry the tasks and the dispatcher call.
"""

import uuid
from datetime import datetime

from django.utils import timezone

from core.trace import bind_trace_id, new_trace_id, reset_trace_id

from .claim import NOT_CLAIMED, execution_claim
from .steps import Runner


def execution_run(*, execution_id: int, now: datetime | None = None) -> str:
    """Claims the execution and runs it as far as it can go now; returns its status afterwards.

    Answers ``"not_claimed"`` when it is not this runner's to run (another has it, it is not due,
    it waits for an earlier execution of its subject or for a slot, or the kill switch is on),
    and ``"lost"`` when another runner took it over midway (an expired lease). Safe to call any
    number of times, concurrently: every action is guarded by its receipt.
    """
    now = now or timezone.now()
    owner = uuid.uuid4().hex
    execution = execution_claim(execution_id=execution_id, now=now, owner=owner)
    if execution is None:
        return NOT_CLAIMED
    token = bind_trace_id(execution.trace_id or new_trace_id())
    try:
        return Runner(execution, owner, now).run()
    finally:
        reset_trace_id(token)


def executions_run(*, execution_ids: list[int], now: datetime | None = None) -> list[str]:
    """Runs the executions one after the other, in the order given, each as ``execution_run`` does
    (claimed just before it runs, so it holds a slot only while it runs). Answers their statuses."""
    return [execution_run(execution_id=execution_id, now=now) for execution_id in execution_ids]
