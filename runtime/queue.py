"""Putting runtime work on the django-q2 queue — always after the surrounding transaction commits.

``Q_CLUSTER["sync"]`` (read at call time, so tests can switch it with ``settings``) runs the task
in the caller's thread, as django-q2's own sync mode does.
"""

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

from . import conf

RUN_TASK = "runtime.tasks.execution_run_task"
RUN_MANY_TASK = "runtime.tasks.executions_run_task"
DRAIN_TASK = "runtime.tasks.outbox_drain_task"
SWEEP_TASK = "runtime.tasks.runtime_sweep_task"


def enqueue(func: str, *args, **kwargs) -> None:
    """Queues ``func(*args, **kwargs)`` now. Call it outside transactions (or via ``enqueue_on_commit``).

    Per-execution tasks are not kept in django-q2's result table (``save=False``): the execution
    and its steps are their record. Failures are kept, as django-q2 always does.
    """
    sync = bool(settings.Q_CLUSTER.get("sync", False))
    async_task(func, *args, q_options={"sync": sync, "save": False}, **kwargs)


def enqueue_on_commit(func: str, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(func, *args, **kwargs))


def run_on_commit(execution_ids, **kwargs) -> None:
    """Queues the executions' runs once the transaction that created or freed them commits.

    One task per execution, or — for a backlog — one per ``ORDERFLOW_RUN_TASK_BATCH`` of them in
    id order, run one after the other (each still claimed on its own), so a burst of events
    does not pay the queue's round trip once per execution.
    """
    ids = list(execution_ids)
    if ids:
        transaction.on_commit(lambda: enqueue_runs(ids, **kwargs))


def enqueue_runs(execution_ids: list[int], **kwargs) -> None:
    """Queues the runs now (outside any transaction), grouped as ``run_on_commit`` describes."""
    size = max(1, conf.get("ORDERFLOW_RUN_TASK_BATCH"))
    for start in range(0, len(execution_ids), size):
        chunk = execution_ids[start : start + size]
        if len(chunk) == 1:
            enqueue(RUN_TASK, chunk[0], **kwargs)
        else:
            enqueue(RUN_MANY_TASK, chunk, **kwargs)
