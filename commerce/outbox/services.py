from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import partial

from django.db import transaction
from django.dispatch import Signal

from core.actors import Actor
from core.trace import current_trace_id

from .models import OutboxEvent
from .names import DOMAIN_EVENTS

# Sent once after a transaction that wrote outbox events commits, with ``event_ids=[…]``.
# The runtime listens to wake its dispatcher; commerce never learns who listens.
outbox_committed = Signal()


def event_build(*, name: str, subject_type: str, subject_id, payload: dict, actor: Actor) -> OutboxEvent:
    """An unsaved event, for callers that write several with one ``bulk_create``."""
    if name not in DOMAIN_EVENTS:
        raise ValueError(f"unknown domain event {name!r}")
    return OutboxEvent(
        name=name,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=payload,
        actor=actor.as_dict(),
        trace_id=current_trace_id(),
    )


def events_mark_dispatched(event_ids: list[int], *, at: datetime) -> None:
    """Stamps the events dispatched (the runtime's drain, in the transaction that created their executions)."""
    if not event_ids:
        return
    OutboxEvent.objects.filter(pk__in=event_ids).update(dispatched_at=at)


def event_emit(*, name: str, subject_type: str, subject_id, payload: dict, actor: Actor) -> OutboxEvent:
    """Writes one event into the outbox. Must run inside the transaction that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("domain events are written inside the transaction of the change they announce")
    event = event_build(name=name, subject_type=subject_type, subject_id=subject_id, payload=payload, actor=actor)
    event.save(force_insert=True)
    _announce_on_commit([event.pk])
    return event


def events_announce(events: list[OutboxEvent]) -> None:
    """Announces events the caller wrote itself (``event_build`` + ``bulk_create``), as
    ``event_emit`` does: after commit, all of them in one announcement."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("domain events are written inside the transaction of the change they announce")
    for event in events:
        if event.pk is None:
            raise ValueError(f"event {event.name!r} is not written yet")
    _announce_on_commit([event.pk for event in events])


# The event ids of the ``events_announced_together`` block running, else ``None``.
_together: ContextVar[list[int] | None] = ContextVar("outbox_events_announced_together", default=None)


def _announce_on_commit(event_ids: list[int]) -> None:
    """Announces ``event_ids`` after the transaction commits, and never if it — or the savepoint
    they were written in — rolls back (Django discards that savepoint's ``on_commit`` callbacks).

    One announcement per call, with the events of that call — or, inside an
    ``events_announced_together`` block, one for the block. Listeners coalesce anyway (the
    runtime's wake-up raises one flag for a burst), but each announcement costs them a round trip.
    """
    together = _together.get()
    if together is not None:
        together.extend(event_ids)
        return
    transaction.on_commit(partial(outbox_committed.send, sender=OutboxEvent, event_ids=event_ids))


@contextmanager
def events_announced_together() -> Iterator[None]:
    """A block, inside a transaction, whose events — written through any service — are announced
    once, after the transaction commits: for a change that writes events through several services
    (a courier's signature: the parcel's events and the order's move). The announcement is
    registered when the block ends without an error; a block inside another adds to the outer one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_announced_together needs a transaction around it: it announces after the commit")
    if _together.get() is not None:
        yield
        return
    event_ids: list[int] = []
    token = _together.set(event_ids)
    try:
        yield
    finally:
        _together.reset(token)
    if event_ids:
        _announce_on_commit(event_ids)
