from datetime import datetime

from django.db import connection, transaction
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
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    field = OutboxEvent._meta.get_field("dispatched_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET dispatched_at = %s WHERE id IN ({', '.join(['%s'] * len(event_ids))})",
            [field.get_db_prep_save(at, connection), *event_ids],
        )


def event_emit(*, name: str, subject_type: str, subject_id, payload: dict, actor: Actor) -> OutboxEvent:
    """Writes one event into the outbox. Must run inside the transaction that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("domain events are written inside the transaction of the change they announce")
    event = event_build(name=name, subject_type=subject_type, subject_id=subject_id, payload=payload, actor=actor)
    event.save(force_insert=True)
    _announce_on_commit(event.pk)
    return event


def events_announce(events: list[OutboxEvent]) -> None:
    """Announces events the caller wrote itself (``event_build`` + ``bulk_create``), as
    ``event_emit`` does: once, after commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("domain events are written inside the transaction of the change they announce")
    for event in events:
        if event.pk is None:
            raise ValueError(f"event {event.name!r} is not written yet")
        _announce_on_commit(event.pk)


def _announce_on_commit(event_id: int) -> None:
    """Collects the transaction's event ids and announces them once, after it commits.

    One announcement per transaction, not per event: a service that writes five events wakes the
    runtime once. If the callback was discarded (its savepoint rolled back) a fresh list starts.
    """
    conn = transaction.get_connection()
    pending = getattr(conn, "_orderflow_outbox_pending", None)
    registered = any(entry[1] is _announce_pending for entry in conn.run_on_commit)
    if pending is None or not registered:
        pending = conn._orderflow_outbox_pending = []
        transaction.on_commit(_announce_pending)
    pending.append(event_id)


def _announce_pending() -> None:
    conn = transaction.get_connection()
    event_ids, conn._orderflow_outbox_pending = conn._orderflow_outbox_pending or [], None
    outbox_committed.send(sender=OutboxEvent, event_ids=event_ids)
