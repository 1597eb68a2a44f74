"""The live wake-up: each transaction that wrote outbox events asks for a drain (coalesced: ``dispatch_request``);
and, in django-q2 cluster processes, the in-process resume wake-ups (``queue.resume_wake_up``) and
database connections that last. Their commits wait for the disk like every other (PostgreSQL's
``synchronous_commit`` stays ``on``): a flow's transitions and an action's receipt must survive a
crash of the server, or the action would run again."""

import logging
import multiprocessing

from django.db import connections
from django_q.signals import post_spawn

from commerce.outbox.services import outbox_committed

from . import conf, queue
from .dispatch import dispatch_request

logger = logging.getLogger(__name__)


def _outbox_committed(sender, event_ids: list[int], **kwargs) -> None:
    # The events are committed whatever happens here: a wake-up that cannot be asked for (the
    # database or Redis unreachable a moment) must not fail the commerce write that made them;
    # the minute's sweep drains them.
    try:
        dispatch_request()
    except Exception:
        logger.warning("dispatch wake-up failed; the sweep will drain events %s", event_ids[:10], exc_info=True)


def _worker_spawned(sender, proc_name: str = "", **kwargs) -> None:
    # django-q2's sync mode runs its worker function in the caller's own process: not a cluster worker.
    if multiprocessing.parent_process() is None:
        return
    queue.timers_enabled = True
    keep_connections(conf.get("ORDERFLOW_WORKER_CONN_MAX_AGE"))


def keep_connections(max_age: int | None) -> None:
    """Lets this process keep its database connections for ``max_age`` seconds (``None``: for good).

    The project closes a connection after every request (``CONN_MAX_AGE`` 0: under ASGI each
    request runs in a thread of its own, and a kept connection would outlive it). A cluster
    process runs its tasks one after the other in one thread, and django-q2 checks the
    connection before each task: closing it there means a new PostgreSQL backend — a fork, an
    authentication and cold catalog caches — for every task, which cost more than the task.
    Health checks replace a connection the server dropped meanwhile.
    """
    for alias in connections:
        connections.settings[alias].update(CONN_MAX_AGE=max_age, CONN_HEALTH_CHECKS=True)


def connect() -> None:
    outbox_committed.connect(_outbox_committed, dispatch_uid="runtime.wake_dispatcher")
    post_spawn.connect(_worker_spawned, dispatch_uid="runtime.resume_timers")
