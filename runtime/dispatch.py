"""From the outbox to executions: match each event to the enabled flows whose trigger names it.

Delivery is at least once: an event is marked dispatched in the transaction that creates its
executions, and the unique constraint ``execution_once_per_event_version`` makes a second
delivery of the same event create nothing. The drain runs one dispatcher at a time (the
``dispatch`` lock) in event id order, so the executions of one order are created — and run —
in the order its events happened.
"""

import time
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from builder.catalog import action_spec
from builder.models import FlowVersion
from builder.selectors import published_versions_for_events
from builder.validation import validate_document
from commerce.outbox.models import OutboxEvent
from commerce.outbox.selectors import outbox_pending_first
from commerce.outbox.services import events_mark_dispatched
from core.actors import FLOW_EXECUTION
from core.cache import BoundedCache
from core.time import iso_utc

from . import conf, guards, statuses
from .engine import executions_run
from .lock_objects import named_lock_and_kill_switch
from .models import Execution
from .queue import DRAIN_TASK, enqueue, runs_enqueue_on_commit
from .wakeup import wake_up

DISPATCH = "dispatch"


def event_context(event: OutboxEvent) -> dict:
    """An event's execution context without ``steps``: ``{"event": {id, type, occurred_at}, **payload}``."""
    return {"event": {"id": event.pk, "type": event.name, "occurred_at": iso_utc(event.occurred_at)}, **event.payload}


def subject_key_of(event: OutboxEvent) -> str:
    return f"{event.subject_type}:{event.subject_id}"


# (version id, checksum) → (the action keys it names, their catalog specs then, the problem).
# Bounded: a long-lived worker sees every version ever published.
_validity: BoundedCache[tuple[tuple[str, ...], tuple, str]] = BoundedCache(maxsize=2048)


def version_problem(version: FlowVersion) -> str:
    """Why a published version cannot run against today's catalog (an action gone or changed), or ``""``.

    Versions never change, so the answer is cached per version, for as long as the catalog entries
    it names stay the same objects; only then is the document read.
    """
    cached = _validity.get((version.pk, version.checksum))
    if cached is not None and all(action_spec(key) is spec for key, spec in zip(cached[0], cached[1], strict=True)):
        return cached[2]
    keys = tuple(sorted({n.get("action", "") for n in version.document.get("nodes", []) if n.get("type") == "action"}))
    problems = validate_document(version.document)
    problem = (
        "the published version does not validate any more: "
        + "; ".join(f"{p.node_id or '-'} {p.pointer}: {p.detail}" for p in problems[:5])
        if problems
        else ""
    )
    _validity.put((version.pk, version.checksum), (keys, tuple(action_spec(key) for key in keys), problem))
    return problem


def _cause(event: OutboxEvent, version: FlowVersion) -> tuple[int | None, bool]:
    """The execution whose action emitted ``event`` (if a flow's), and whether it was this flow's."""
    actor = event.actor or {}
    if actor.get("kind") != FLOW_EXECUTION:
        return None, False
    caused_by = int(actor["id"]) if str(actor.get("id", "")).isdigit() else None
    return caused_by, actor.get("source") == f"flow:{version.flow_id}"


def _executions_for(events: list[OutboxEvent], now: datetime) -> list[int]:
    """Creates the executions of ``events`` (at most one per event and version); returns the pending ones' ids.

    A version that no longer validates, and a flow re-triggered by its own actions on the same
    subject more than ``ORDERFLOW_LOOP_LIMIT_PER_MINUTE`` times a minute, get a ``suppressed``
    execution saying why instead of a run.
    """
    names = {event.name for event in events}
    versions = list(published_versions_for_events(events=names))
    if not versions:
        return []
    by_name: dict[str, list[FlowVersion]] = defaultdict(list)
    for version in versions:
        by_name[version.trigger_event].append(version)
    loop_limit = conf.get("ORDERFLOW_LOOP_LIMIT_PER_MINUTE")
    loop_counts: dict[tuple[int, str], int] = {}
    rows = []
    for event in events:
        for version in by_name.get(event.name, ()):
            subject = subject_key_of(event)
            caused_by, self_triggered = _cause(event, version)
            status, reason = statuses.PENDING, ""
            problem = version_problem(version)
            if problem:
                status, reason = statuses.SUPPRESSED, problem
            elif self_triggered:
                key = (version.flow_id, subject)
                if key not in loop_counts:
                    loop_counts[key] = guards.self_triggered_recently(
                        flow_id=version.flow_id, subject_key=subject, now=now
                    )
                if loop_counts[key] >= loop_limit:
                    status = statuses.SUPPRESSED
                    reason = (
                        f"loop protection: flow {version.flow_id} re-triggered itself on {subject} "
                        f"more than {loop_limit} times in a minute"
                    )
                else:
                    loop_counts[key] += 1
            rows.append(
                Execution(
                    flow_id=version.flow_id,
                    flow_version=version,
                    trigger_type="event",
                    event=event,
                    subject_key=subject,
                    status=status,
                    status_reason=reason,
                    context=event_context(event),
                    trace_id=event.trace_id,
                    caused_by=caused_by,
                    self_triggered=self_triggered,
                    created_at=now,
                    finished_at=now if status == statuses.SUPPRESSED else None,
                )
            )
    if not rows:
        return []
    # A redelivered event's executions exist already: they are skipped, and the pending ones
    # among them are answered with the new ones.
    Execution.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Execution.objects.filter(event_id__in=[e.pk for e in events], status=statuses.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def dispatch_lock() -> bool:
    """Takes the ``dispatch`` lock (waiting for its holder) and answers whether the kill switch is engaged."""
    return named_lock_and_kill_switch(DISPATCH)


def outbox_drain(*, now: datetime | None = None, run_inline: int = 0) -> int:
    """Dispatches every committed, undispatched outbox event, in id order; returns how many.

    One drain at a time (``RuntimeLock`` ``dispatch``, waited for); each batch is one transaction
    that creates the executions and marks the events dispatched; their run tasks are queued after
    it commits — or, when a batch starts no more than ``run_inline`` executions (events trickling
    in), this drain runs them itself after the commit, outside the lock, saving them a trip
    through the queue. Does nothing while the kill switch is engaged: the events wait in the outbox.

    The ``dispatch`` wake-up stays raised while the drain runs, so the commits meanwhile queue no
    more drains — each only counts itself (the wake-up's generation). When the outbox is empty the
    drain lowers the flag, unless a request came in since it started: then it drains again. Under
    a steady stream of events one drain keeps going, instead of one queued task per commit; after
    a round of few events it waits ``ORDERFLOW_DRAIN_GATHER_SECONDS`` (10 ms) so the next round
    serves several (a round costs the same for one event as for eight); after
    ``ORDERFLOW_DRAIN_SECONDS`` it hands over to a fresh task.
    """
    started = time.monotonic()
    generation = _wakeup_generation()
    total = 0
    while True:
        # Only the first round runs executions itself: a drain that goes on hands every later
        # round's runs to the other workers, or it would run them all on one.
        drained, engaged = outbox_drain_round(now=now, run_inline=run_inline if total == 0 else 0)
        total += drained
        if engaged:
            _wakeup_lower()  # the next commit raises it again; the switch's release sweeps
            return total
        more, generation = _wakeup_end(generation)
        if not more:
            return total
        if time.monotonic() - started > conf.get("ORDERFLOW_DRAIN_SECONDS"):
            enqueue(DRAIN_TASK, first=True)  # the flag stays raised for it
            return total
        if drained < conf.get("ORDERFLOW_DRAIN_GATHER_BELOW"):
            # A trickle: let a few more events come, so the next round serves several at once.
            time.sleep(conf.get("ORDERFLOW_DRAIN_GATHER_SECONDS"))


def outbox_drain_round(*, now: datetime | None, run_inline: int) -> tuple[int, bool]:
    """Drains until a batch comes back short; answers how many events, and whether the kill switch stopped it.

    A batch smaller than ``ORDERFLOW_DISPATCH_BATCH`` took every event committed before it read
    the outbox; one committed since has counted itself in the wake-up's generation.
    """
    batch = conf.get("ORDERFLOW_DISPATCH_BATCH")
    total = 0
    while True:
        with transaction.atomic():
            if dispatch_lock():
                return total, True
            events = outbox_pending_first(batch)
            if not events:
                return total, False
            moment = now or timezone.now()
            started = _executions_for(events, moment)
            inline = started if len(started) <= run_inline else []
            if not inline:
                runs_enqueue_on_commit(started)
            events_mark_dispatched([e.pk for e in events], at=moment)
        if inline:
            executions_run(execution_ids=inline)
        total += len(events)
        if len(events) < batch:
            return total, False


def _wakeup_generation() -> int | None:
    return wake_up(DISPATCH).generation()


def _wakeup_end(generation: int | None) -> tuple[bool, int | None]:
    """Lowers the wake-up if no request came since ``generation``.

    One round trip. Answers whether requests came (the flag stays raised, its time renewed, for
    this drain to go on) and the generation now. A commit that counts itself before this is
    drained by the next round; one after it finds the flag lowered and queues a drain. ``None``
    (no wake-up when the drain began): whoever made one queued its own drain.
    """
    if generation is None:
        return False, None
    return wake_up(DISPATCH).end(generation, now=timezone.now())


def _wakeup_lower() -> None:
    wake_up(DISPATCH).lower()


def event_dispatch(*, event_id: int, now: datetime | None = None) -> list[int]:
    """Delivers one event (again): creates its missing executions and queues the pending ones.

    Takes no dispatch lock — at-least-once delivery is safe on the unique constraint alone,
    which is what a redelivery (or a concurrent one) relies on. Returns the pending executions' ids.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = OutboxEvent.objects.get(pk=event_id)
        if guards.kill_switch_engaged():
            return []
        ids = _executions_for([event], now)
        OutboxEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(dispatched_at=now)
        runs_enqueue_on_commit(ids)
    return ids


def dispatch_request() -> bool:
    """Asks for a drain: queues one unless one is already requested or running.

    Called after every commit that wrote outbox events; a burst of events raises the flag once
    and queues one task, and a drain that is running counts the requests that came meanwhile and
    drains again (``outbox_drain``). A flag raised longer ago than ``ORDERFLOW_WAKEUP_STALE_SECONDS``
    (a running drain renews it) is taken as lost — its task never ran, or died — and raised
    again. One round trip that answers whether it raised the flag, since every commerce write
    pays for it — in Redis when the queue is there (``wakeup``). Must be called outside a
    transaction (it queues).
    """
    now = timezone.now()
    stale = now - timedelta(seconds=conf.get("ORDERFLOW_WAKEUP_STALE_SECONDS"))
    raised = wake_up(DISPATCH).request(now=now, stale_before=stale)
    if raised:
        enqueue(DRAIN_TASK, first=True)
    return raised
