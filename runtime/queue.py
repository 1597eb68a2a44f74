"""Putting runtime work on the django-q2 queue — always after the surrounding transaction commits.

``Q_CLUSTER["sync"]`` (read at call time, so tests can switch it with ``settings``) runs the task
in the caller's thread, as django-q2's own sync mode does.

**Resuming on time.** A run parked until a moment (a retry's backoff, a ``delay``) has one
record of it: the execution's ``resume_at``, committed with the park. One thing resumes it: a
claim of the executions that are due (``claim.due_executions``), which the ``runtime.sweep``
schedule makes every minute. For promptness, the cluster worker that parked a run for less than
``RESUME_HORIZON`` arms a wake-up once the park commits: an in-process timer that queues the
run at ``resume_at`` (within milliseconds). It is only a wake-up: lost with its process, the
sweep still resumes the run; fired twice, or beside the sweep, the second claim finds the run
not due or not its own, so it runs once.
"""

import math
import os
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django_q.brokers import Broker, get_broker
from django_q.brokers.redis_broker import Redis
from django_q.tasks import async_task

from . import conf
from .wakeup import shared_redis

RUN_TASK = "runtime.tasks.execution_run_task"
RUN_MANY_TASK = "runtime.tasks.executions_run_task"
DRAIN_TASK = "runtime.tasks.outbox_drain_task"
SWEEP_TASK = "runtime.tasks.runtime_sweep_task"
RESUME_HORIZON = timedelta(minutes=1)


def enqueue(func: str, *args, first: bool = False, **kwargs) -> None:
    """Queues ``func(*args, **kwargs)`` now. Call it outside transactions (or via ``enqueue_on_commit``).

    Per-execution tasks are not kept in django-q2's result table (``save=False``): the execution
    and its steps are their record. Failures are kept, as django-q2 always does.

    ``first``: at the head of the queue, the next task a worker takes — for the outbox's drain,
    which every run waits for: queued behind a backlog of runs it would hold back the dispatch
    of every new event until the backlog is done. With Redis only (the ORM broker has no head).
    """
    sync = bool(settings.Q_CLUSTER.get("sync", False))
    async_task(func, *args, q_options={"sync": sync, "save": False, "broker": broker(first=first)}, **kwargs)


class HeadOfQueue(Redis):
    """The cluster's own Redis list, entered at the head (``LPUSH``) instead of the tail: workers
    take from the head (``BLPOP``), so a task queued here is the next one taken."""

    def enqueue(self, task):
        return self.connection.lpush(self.list_key, task)


_brokers: dict[tuple[int, bool], Broker] = {}


def broker(*, first: bool = False) -> Broker:
    """This process's django-q2 broker (``first``: the one that queues at the head, where the queue
    is Redis). Left to itself, ``async_task`` makes a new one for every task — with Redis a new
    client, so a new connection and its handshake per task."""
    pid = os.getpid()
    found = _brokers.get((pid, first))
    if found is None:
        if any(owner != pid for owner, _first in _brokers):
            _brokers.clear()  # a forked child does not share its parent's
        found = get_broker()
        if first and isinstance(found, Redis):
            found = HeadOfQueue()
        _brokers[(pid, first)] = found
    return found


_throttle_lock = threading.Lock()
_last_queued: dict[str, float] = {}


def enqueue_at_most_every(func: str, *, seconds: float) -> bool:
    """Queues ``func()`` unless it was queued less than ``seconds`` ago; answers whether it did.

    For work that reads what changed since its own watermark (a refresh, a sync), kicked after
    commits: a kick dropped inside the interval loses nothing that the next kick, or the schedule
    behind it, does not pick up. "Ago" is counted by this process first (a clock read, nothing else
    on the hot path) and then, where the queue is Redis, across every process: one ``SET NX PX``
    per process and interval, so the web and worker processes together queue one task per
    interval, not one each.
    """
    now = time.monotonic()
    with _throttle_lock:
        if now - _last_queued.get(func, -math.inf) < seconds:
            return False
        _last_queued[func] = now
    client = shared_redis()
    if client is not None:
        key = f"orderflow:{settings.Q_CLUSTER.get('name', 'orderflow')}:queued:{func}"
        if not client.set(key, b"1", nx=True, px=max(1, int(seconds * 1000))):
            return False
    enqueue(func)
    return True


def enqueue_on_commit(func: str, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(func, *args, **kwargs))


def runs_enqueue_on_commit(execution_ids, **kwargs) -> None:
    """Queues the executions' runs once the transaction that created or freed them commits.

    One task per execution, or — for a backlog — one per ``ORDERFLOW_RUN_TASK_BATCH`` of them in
    id order, run one after the other (each still claimed on its own), so a burst of events
    does not pay the queue's round trip once per execution.
    """
    ids = list(execution_ids)
    if ids:
        transaction.on_commit(lambda: enqueue_runs(ids, **kwargs))


def enqueue_runs(execution_ids: list[int], **kwargs) -> None:
    """Queues the runs now (outside any transaction), grouped as ``runs_enqueue_on_commit`` describes."""
    size = max(1, conf.get("ORDERFLOW_RUN_TASK_BATCH"))
    for start in range(0, len(execution_ids), size):
        chunk = execution_ids[start : start + size]
        if len(chunk) == 1:
            enqueue(RUN_TASK, chunk[0], **kwargs)
        else:
            enqueue(RUN_MANY_TASK, chunk, **kwargs)


# Set in django-q2 cluster worker processes (``post_spawn``, see ``receivers``): only there do
# parks arm in-process wake-ups. Elsewhere — tests, the web server, sync mode — nothing would
# keep a timer's process alive, and the sweep resumes the run.
timers_enabled = False


def resume_wake_up(execution_id: int, resume_at: datetime, *, now: datetime) -> bool:
    """Arms the wake-up of a run parked until ``resume_at`` once the park commits; answers whether
    it will (in a cluster worker, for a park shorter than ``RESUME_HORIZON``). Call it in the
    transaction that parks the execution: a park that rolls back arms nothing."""
    if resume_at - now > RESUME_HORIZON or not timers_enabled or settings.Q_CLUSTER.get("sync", False):
        return False
    transaction.on_commit(lambda: resume_timer_arm(execution_id, resume_at))
    return True


def resume_timer_arm(execution_id: int, resume_at: datetime) -> threading.Timer:
    """A daemon timer that queues the execution's run at ``resume_at`` (see the module's docstring)."""
    delay = max((resume_at - timezone.now()).total_seconds(), 0.0)
    timer = threading.Timer(delay, _resume_due, args=(execution_id,))
    timer.daemon = True
    timer.start()
    return timer


def _resume_due(execution_id: int) -> None:
    try:
        enqueue(RUN_TASK, execution_id)
    finally:
        # The ORM broker opened this thread's own connection; the thread ends here.
        connections.close_all()
