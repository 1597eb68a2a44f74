"""The live wake-up: each transaction that wrote outbox events asks for a drain (coalesced: ``dispatch_request``);
and, in django-q2 cluster workers, the in-process resume timers (``queue.resume_at_time``)."""

import multiprocessing

from django_q.signals import post_spawn

from commerce.outbox.services import outbox_committed

from . import queue
from .dispatch import dispatch_request


def _outbox_committed(sender, event_ids: list[int], **kwargs) -> None:
    dispatch_request()


def _worker_spawned(sender, proc_name: str = "", **kwargs) -> None:
    # django-q2's sync mode runs its worker function in the caller's own process: not a cluster worker.
    if multiprocessing.parent_process() is not None:
        queue.timers_enabled = True


def connect() -> None:
    outbox_committed.connect(_outbox_committed, dispatch_uid="runtime.wake_dispatcher")
    post_spawn.connect(_worker_spawned, dispatch_uid="runtime.resume_timers")
