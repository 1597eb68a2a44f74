"""Shipment writes: record a parcel, apply its courier's tracking events, flag stalled parcels.

Each service is one transaction that validates, locks, changes, audits and emits. Lock order:
the order row, then its shipment row — the order first, as everywhere in the domain, because
a signed parcel moves its order (``order_transition``, which locks the order row again in the
same transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.audit.services import audit_record
from commerce.orders import statuses as order_statuses
from commerce.orders.lock_objects import order_lock, order_lock_row
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from commerce.orders.services import order_transition
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from commerce.outbox.services import event_build, event_emit, events_announce, events_announced_together
from commerce.tickets import constants as ticket_constants
from commerce.tickets.services import ticket_open
from core.accounts.roles import OPERATOR
from core.actors import Actor
from core.errors import InvalidInput, NotFound

from . import statuses
from .errors import ShipmentNotFound, TrackingNoTaken
from .lock_objects import shipment_lock
from .models import Parcel, ParcelLine, Shipment, TrackingEvent
from .representation import shipment_representation

SUBJECT = "shipment"
SHIPMENT_CREATED = "shipment_created"  # audit actions on the order's timeline
SHIPMENT_STATUS = "shipment_status"
SHIPMENT_EXCEPTION = "shipment_exception"
MAX_TRACKING_NO = 64
MAX_EVENTS_AT_ONCE = 500

STALLED_NO_EVENT = "no_tracking_event"
STALLED_OVERDUE = "overdue"
STALL_REASONS = (STALLED_NO_EVENT, STALLED_OVERDUE)


def stall_after() -> timedelta:
    """How long a parcel on its way may go without a tracking event (``ORDERFLOW_SHIPMENT_STALL_HOURS``, 4)."""
    return timedelta(hours=float(getattr(settings, "ORDERFLOW_SHIPMENT_STALL_HOURS", 4)))


@dataclass(frozen=True)
class TrackingInput:
    """One tracking node as a courier connector read it, its status mapped by the connector's table."""

    occurred_at: datetime
    status: str
    code: str = ""
    description: str = ""
    location: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TrackingResult:
    shipment: Shipment
    new_events: int
    from_status: str
    to_status: str
    order_outcome: str = ""  # the order's move on a signature: applied, ignored, duplicate, refused

    def as_dict(self) -> dict:
        return {
            "shipment": self.shipment.pk,
            "new_events": self.new_events,
            "status": [self.from_status, self.to_status],
            **({"order": self.order_outcome} if self.order_outcome else {}),
        }


def _emit(name: str, shipment: Shipment, order: Order, actor: Actor, latest=None, **extra) -> None:
    event_emit(
        name=name,
        subject_type=SUBJECT,
        subject_id=shipment.pk,
        payload={
            "order": order_representation(order),
            "shipment": shipment_representation(shipment, latest_event=latest),
            **extra,
        },
        actor=actor,
    )


def _events_emit(names_: list[str], shipment: Shipment, order: dict, actor: Actor, latest) -> None:
    """Writes the parcel's events of one tracking update with one insert and one announcement; each
    carries ``order`` (a representation) and the parcel as it now is."""
    parcel = shipment_representation(shipment, latest_event=latest)
    events = [
        event_build(
            name=name,
            subject_type=SUBJECT,
            subject_id=shipment.pk,
            payload={"order": order, "shipment": parcel},
            actor=actor,
        )
        for name in names_
    ]
    OutboxEvent.objects.bulk_create(events)
    events_announce(events)


def _order(order_id: int) -> Order:
    return Order.objects.select_related("channel", "customer").get(pk=order_id)


def shipment_create(
    *,
    order_id: int,
    courier: str,
    tracking_no: str,
    actor: Actor,
    carrier: str = "",
    expected_delivery_at: datetime | None = None,
    parcel_id: int | None = None,
) -> tuple[Shipment, bool]:
    """Records a parcel of the order; returns it and whether it is new.

    Idempotent: the same courier and tracking number on the same order again returns the stored
    shipment and emits nothing; on another order it is ``TrackingNoTaken`` (unique constraint) —
    unless both are the shipments of one planned ``parcel_id`` (a merged parcel: one number,
    one shipment per order it carries).
    Emits ``shipment.created`` and writes the order's audit entry, in the order's row lock.
    """
    tracking_no = (tracking_no or "").strip()
    problems = {}
    if not tracking_no or len(tracking_no) > MAX_TRACKING_NO:
        problems["tracking_no"] = f"1 to {MAX_TRACKING_NO} characters"
    if not courier or len(courier) > 32:
        problems["courier"] = "a courier code of 1 to 32 characters"
    if problems:
        raise InvalidInput(details=problems)
    with transaction.atomic():
        try:
            order_lock_row(order_id)
        except Order.DoesNotExist:
            raise NotFound(details={"order": order_id}) from None
        same_number = Shipment.objects.filter(courier=courier, tracking_no=tracking_no)
        for stored in same_number:
            if stored.order_id == order_id:
                return stored, False
            if parcel_id is None or stored.parcel_id != parcel_id:
                raise TrackingNoTaken(details={"tracking_no": tracking_no, "order": stored.order_id})
        try:
            with transaction.atomic():
                shipment = Shipment.objects.create(
                    order_id=order_id,
                    courier=courier,
                    carrier=carrier,
                    tracking_no=tracking_no,
                    expected_delivery_at=expected_delivery_at,
                    parcel_id=parcel_id,
                )
        except IntegrityError:
            # Another order's transaction recorded it between our look and our insert.
            raise TrackingNoTaken(details={"tracking_no": tracking_no}) from None
        audit_record(
            subject_type="order",
            subject_id=order_id,
            action=SHIPMENT_CREATED,
            actor=actor,
            changes={
                "shipment": shipment.pk,
                "courier": courier,
                "carrier": carrier,
                "tracking_no": tracking_no,
                **({"parcel": parcel_id} if parcel_id is not None else {}),
            },
        )
        _emit(names.SHIPMENT_CREATED, shipment, _order(order_id), actor, latest=None)
    return shipment, True


def _dedup(events: Sequence[TrackingInput]) -> list[TrackingInput]:
    seen: dict[tuple[datetime, str], TrackingInput] = {}
    for event in events:
        if event.status not in statuses.STATUSES:
            raise InvalidInput(details={"status": f"unknown shipment status {event.status!r}"})
        seen.setdefault((event.occurred_at, event.status), event)
    return sorted(seen.values(), key=lambda e: e.occurred_at)


def tracking_events_apply(
    *, courier: str, tracking_no: str, events: Sequence[TrackingInput], actor: Actor, source: str
) -> TrackingResult:
    """Stores the parcel's tracking events not stored yet and moves its status forward.

    - dedup on (shipment, time, status), under the shipment's row lock (and the unique
      constraint): a repeated push or a poll of the full history stores nothing twice, emits
      nothing twice;
    - the status follows the newest event, only when that event is not older than the newest
      held (a new node of the same second as the newest counts), and never leaves ``signed``
      or ``returned`` — an older "in transit" after "signed" is stored in the history and
      changes nothing;
    - one ``shipment.updated`` when new events were stored; ``shipment.exception`` on entering
      ``exception``; on entering ``signed``, the order moves to ``delivered`` through
      ``order_transition`` (audited with ``actor``, the courier's connection) and
      ``shipment.signed`` is emitted — once, since nothing leaves ``signed``.

    An unknown (courier, tracking number) is ``ShipmentNotFound``: the shipment is recorded on
    its order first (``shipment_create``), and a delivery refused for it can be replayed then.

    A merged parcel's number is the shipment of each order it carries: every one of them gets
    the events (each order moves on its own), in order id order (the lock order); the result is
    the first one's.
    """
    batch = _dedup(events[:MAX_EVENTS_AT_ONCE])
    found = list(
        Shipment.objects.filter(courier=courier, tracking_no=tracking_no)
        .order_by("order_id", "pk")
        .values_list("pk", "order_id")
    )
    if not found:
        raise ShipmentNotFound(details={"courier": courier, "tracking_no": tracking_no})
    # The parcel's events and the order's move are announced once, together.
    with transaction.atomic(), events_announced_together():
        results = [
            _tracking_events_apply_one(shipment_id, order_id, tracking_no, batch, actor=actor, source=source)
            for shipment_id, order_id in found
        ]
    return results[0]


def _tracking_events_apply_one(
    shipment_id: int, order_id: int, tracking_no: str, batch: list[TrackingInput], *, actor: Actor, source: str
) -> TrackingResult:
    # No savepoint: ``tracking_events_apply`` opens the transaction and lets any error roll all of
    # it back (nothing is caught between the shipments of a merged parcel), so one would only add
    # two statements to every courier push.
    with transaction.atomic(savepoint=False):
        # The order first (the lock order), read whole: a signature moves it, and every update's
        # events carry its representation.
        order = order_lock(order_id)
        shipment = shipment_lock(shipment_id)
        before = shipment.status
        held = set(
            TrackingEvent.objects.filter(shipment=shipment, occurred_at__in=[e.occurred_at for e in batch]).values_list(
                "occurred_at", "status"
            )
        )
        fresh = [e for e in batch if (e.occurred_at, e.status) not in held]
        if not fresh:
            return TrackingResult(shipment, 0, before, before)
        stored = TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    shipment=shipment,
                    occurred_at=e.occurred_at,
                    status=e.status,
                    code=e.code[:32],
                    description=e.description,
                    location=e.location[:200],
                    source=source[:100],
                    raw=e.raw,
                )
                for e in fresh
            ]
        )
        held_newest = shipment.last_event_at
        status = before
        for event in fresh:
            newer = held_newest is None or event.occurred_at >= held_newest
            if newer and status not in statuses.FINAL:
                status = event.status
        newest = fresh[-1].occurred_at
        changed = ["status", "stalled_at", "updated_at"]
        shipment.status = status
        shipment.stalled_at = None
        if shipment.last_event_at is None or newest > shipment.last_event_at:
            shipment.last_event_at = newest
            changed.append("last_event_at")
        shipment.save(update_fields=changed)
        latest = _latest_event(shipment, stored, held_newest)
        if status != before:
            audit_record(
                subject_type="order",
                subject_id=order_id,
                action=SHIPMENT_STATUS,
                actor=actor,
                changes={"shipment": shipment.pk, "tracking_no": tracking_no, "status": [before, status]},
            )
        order_outcome, moved = "", None
        if status == statuses.SIGNED and before != statuses.SIGNED:
            order_outcome, moved = _order_deliver(order, shipment, actor)
        announced = [names.SHIPMENT_UPDATED]
        if status != before and status == statuses.EXCEPTION:
            announced.append(names.SHIPMENT_EXCEPTION)
        if status != before and status == statuses.SIGNED:
            announced.append(names.SHIPMENT_SIGNED)
        # The delivery's own event already carried the order as it now is: the same representation,
        # not a second read of its lines and tags.
        _events_emit(announced, shipment, moved or order_representation(order), actor, latest)
    return TrackingResult(shipment, len(fresh), before, status, order_outcome)


def _latest_event(
    shipment: Shipment, stored: list[TrackingEvent], held_newest: datetime | None
) -> TrackingEvent | None:
    """The parcel's newest event (by time, then id) after ``stored`` were added: the newest of
    them when no event held before is newer (their ids are the highest), else read back."""
    newest = max(stored, key=lambda e: (e.occurred_at, e.pk or 0))
    if newest.pk is not None and (held_newest is None or newest.occurred_at >= held_newest):
        return newest
    return shipment.events.order_by("-occurred_at", "-id").first()


def _order_deliver(order: Order, shipment: Shipment, actor: Actor) -> tuple[str, dict | None]:
    """The order of a signed parcel moves to ``delivered`` — through ``shipped`` when it was not
    marked shipped yet (the signature proves it was). An order that is already further (or
    cancelled) gets the move audited as ignored by ``order_transition``; one that cannot be
    delivered (unpaid) keeps its status, and the refusal is audited on the parcel's entry.
    Returns the outcome and, when the move was applied, the order's representation after it."""
    reason = f"parcel {shipment.tracking_no} signed for ({shipment.courier})"
    key = f"shipment:{shipment.pk}:signed"
    order_id, current = order.pk, order.status
    waiting = parcels_not_signed(order_id=order_id)
    if waiting:
        # A split order is delivered when its last parcel is signed for, not its first.
        audit_record(
            subject_type="order",
            subject_id=order_id,
            action=SHIPMENT_STATUS,
            actor=actor,
            changes={"shipment": shipment.pk, "partially_delivered": {"parcels_not_signed": waiting}},
        )
        return "partial", None
    # ``order`` was read under its row lock (``_tracking_events_apply_one``): the status holds
    # still, so the moves are decided here, as ``order_transition`` would decide them, with no
    # savepoint to undo a first move that a second one refused; each move updates that same row.
    delivered = order_statuses.DELIVERED
    if order_statuses.is_stale(current, delivered) or order_statuses.is_allowed(current, delivered):
        moves = [delivered]
    elif order_statuses.is_allowed(current, order_statuses.SHIPPED) and order_statuses.is_allowed(
        order_statuses.SHIPPED, delivered
    ):
        moves = [order_statuses.SHIPPED, delivered]
    else:
        refused = {"from": current, "to": delivered, "allowed": sorted(order_statuses.ALLOWED[current])}
        audit_record(
            subject_type="order",
            subject_id=order_id,
            action=SHIPMENT_STATUS,
            actor=actor,
            changes={"shipment": shipment.pk, "order_not_delivered": refused},
        )
        return "refused", None
    for to in moves:
        result = order_transition(
            order_id=order_id,
            to=to,
            actor=actor,
            reason=reason,
            idempotency_key=key if to == delivered else None,
            locked=order,
        )
    return result.outcome, result.representation


def parcels_not_signed(*, order_id: int) -> list[str]:
    """The numbers of the order's active planned parcels whose shipment for this order is not
    signed for yet (empty for an order shipped without a plan)."""
    # ``order_by()``: the lines' default ordering would add its columns to the DISTINCT (a row per
    # line, not per parcel) and an ORDER BY that nothing here needs.
    active = list(
        ParcelLine.objects.filter(order_id=order_id, parcel__status__in=Parcel.ACTIVE)
        .order_by()
        .values_list("parcel_id", "parcel__number")
        .distinct()
    )
    if not active:
        return []
    signed = set(
        Shipment.objects.filter(order_id=order_id, parcel__isnull=False, status=statuses.SIGNED).values_list(
            "parcel_id", flat=True
        )
    )
    return sorted({number for parcel_id, number in active if parcel_id not in signed})


def shipments_stalled_check(*, now: datetime | None = None) -> int:
    """Emits ``shipment.stalled`` for each parcel on its way that had no tracking event for
    ``stall_after()`` (counted from its last event, or its recording when it has none), or whose
    expected delivery has passed. Once per stall: ``stalled_at`` is claimed by a conditional
    update in the event's transaction and cleared by the next tracking event; an overdue parcel
    is flagged once (``overdue_at``). Returns how many events it emitted."""
    now = now or timezone.now()
    quiet_since = now - stall_after()
    quiet = Q(stalled_at__isnull=True) & (
        Q(last_event_at__lt=quiet_since) | Q(last_event_at__isnull=True, created_at__lt=quiet_since)
    )
    overdue = Q(overdue_at__isnull=True, expected_delivery_at__lt=now)
    candidates = (
        Shipment.objects.filter(status__in=statuses.ACTIVE)
        .filter(quiet | overdue)
        .order_by("pk")
        .values_list("pk", "order_id")
    )
    emitted = 0
    for shipment_id, order_id in list(candidates[:1000]):
        with transaction.atomic():
            order_lock_row(order_id)
            shipment = shipment_lock(shipment_id)
            if shipment.status not in statuses.ACTIVE:
                continue
            is_overdue = (
                shipment.overdue_at is None
                and shipment.expected_delivery_at is not None
                and shipment.expected_delivery_at < now
            )
            last = shipment.last_event_at or shipment.created_at
            is_quiet = shipment.stalled_at is None and last < quiet_since
            if not (is_overdue or is_quiet):
                continue  # a tracking event arrived since the look
            if is_overdue:
                shipment.overdue_at = now
            if is_quiet:
                shipment.stalled_at = now
            shipment.save(update_fields=["overdue_at", "stalled_at", "updated_at"])
            _emit(
                names.SHIPMENT_STALLED,
                shipment,
                _order(order_id),
                Actor.system("shipments stalled check", source="schedule"),
                reason=STALLED_OVERDUE if is_overdue else STALLED_NO_EVENT,
            )
            emitted += 1
    return emitted


def shipment_mark(*, shipment_id: int, subscribed: bool = False, polled: bool = False) -> None:
    """Stamps that the parcel was subscribed at its courier, or queried (polling's bookkeeping)."""
    now = timezone.now()
    values = {}
    if subscribed:
        values["subscribed_at"] = now
    if polled:
        values["polled_at"] = now
    if values:
        Shipment.objects.filter(pk=shipment_id).update(**values)


# What a warehouse shipped differs from the order's lines: the kinds of difference.
LINE_MISSING = "missing"  # ordered, not shipped
LINE_EXTRA = "extra"  # shipped, not ordered
LINE_QUANTITY = "quantity"  # shipped, in another quantity
SHIPPED_LINES_DIFFER = "shipped_lines_differ"


@dataclass(frozen=True)
class ShippedLinesCheck:
    differences: tuple[dict, ...]
    recorded: bool = False  # the exception was recorded now (False: none, or recorded before)
    ticket_id: int | None = None

    @property
    def matches(self) -> bool:
        return not self.differences


def shipped_lines_differences(*, ordered: dict[str, int], shipped: dict[str, int]) -> tuple[dict, ...]:
    """Each SKU whose shipped quantity is not the ordered one, by SKU: ``{sku, ordered, shipped, problem}``."""
    differences = []
    for sku in sorted(set(ordered) | set(shipped)):
        want, sent = ordered.get(sku, 0), shipped.get(sku, 0)
        if want == sent:
            continue
        problem = LINE_MISSING if sent == 0 else LINE_EXTRA if want == 0 else LINE_QUANTITY
        differences.append({"sku": sku, "ordered": want, "shipped": sent, "problem": problem})
    return tuple(differences)


def shipment_lines_check(
    *, shipment_id: int, shipped: dict[str, int], actor: Actor, idempotency_key: str, source: str
) -> ShippedLinesCheck:
    """Compares what the warehouse says it shipped in the parcel with the order's lines (SKU and
    quantity; the order's lines of one SKU summed). Any difference — a line missing, a line not
    ordered, another quantity — is never accepted silently: in one transaction, under the order's
    row lock, it is audited on the order's timeline, ``shipment.exception`` is emitted and a
    fulfilment ticket is opened in the ``warehouse`` queue.

    Idempotent on ``idempotency_key`` (the audit entry's key on the order): a repeated check of
    the same delivery records nothing again and answers ``recorded=False``. The parcel's own status
    is the courier's and is not changed here.
    """
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        raise ShipmentNotFound(details={"shipment_id": shipment_id})
    order_id = shipment.order_id
    with transaction.atomic():
        order_lock_row(order_id)
        ordered: dict[str, int] = {}
        for sku, quantity in Order.objects.get(pk=order_id).lines.values_list("sku", "quantity"):
            ordered[sku] = ordered.get(sku, 0) + quantity
        differences = shipped_lines_differences(ordered=ordered, shipped=shipped)
        if not differences:
            return ShippedLinesCheck(differences=())
        if AuditEntry.objects.filter(
            subject_type="order", subject_id=str(order_id), idempotency_key=idempotency_key
        ).exists():
            return ShippedLinesCheck(differences=differences)
        audit_record(
            subject_type="order",
            subject_id=order_id,
            action=SHIPMENT_EXCEPTION,
            actor=actor,
            changes={
                "shipment": shipment.pk,
                "tracking_no": shipment.tracking_no,
                "reason": SHIPPED_LINES_DIFFER,
                "differences": list(differences),
                "source": source,
            },
            idempotency_key=idempotency_key,
        )
        order = _order(order_id)
        _emit(names.SHIPMENT_EXCEPTION, shipment, order, actor)
        summary = ", ".join(f"{d['sku']} {d['shipped']}/{d['ordered']}" for d in differences)
        ticket = ticket_open(
            title=f"Parcel {shipment.tracking_no} of order {order.number} differs from the order: {summary}"[
                : ticket_constants.TITLE_MAX
            ],
            queue=ticket_constants.WAREHOUSE,
            priority=ticket_constants.HIGH,
            assignee_role=OPERATOR,
            due_at=None,
            order_id=order_id,
            actor=actor,
        )
    return ShippedLinesCheck(differences=differences, recorded=True, ticket_id=ticket.pk)
