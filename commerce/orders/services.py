"""Order writes: create (idempotent per channel + external id), ingest, transition, tag, hold, note.

Each service is one transaction. It validates, locks (``lock_objects``), changes, writes its audit
entries and its outbox events — all or nothing. Lock order: the order row, then stock rows by id.
"""

import secrets
from collections import deque
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commerce.audit.models import AuditEntry
from commerce.audit.services import audit_record
from commerce.catalog.selectors import products_by_sku
from commerce.channels.models import Channel
from commerce.customers.services import customer_get_or_create
from commerce.inventory import services as inventory
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import Reservation
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from commerce.outbox.services import event_build, event_emit, events_announce
from core.actors import FLOW_EXECUTION, USER, Actor
from core.errors import InvalidInput
from core.time import iso_utc

from . import statuses
from .errors import InvalidTransition, UnknownSku
from .lock_objects import order_lock, order_lock_row, order_locks_kept
from .models import Order, OrderLine, OrderTag
from .representation import order_representation
from .signals import order_placed, order_released, order_to_warehouse

SUBJECT = "order"


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    unit_price: Decimal | None = None  # None: the catalog price


@dataclass(frozen=True)
class AddressInput:
    province: str
    city: str
    line: str
    district: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class CustomerInput:
    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class OrderInput:
    channel: Channel
    external_id: str
    customer: CustomerInput
    shipping_address: AddressInput
    lines: list[LineInput]
    status: str = statuses.PENDING_PAYMENT
    placed_at: datetime | None = None
    paid_at: datetime | None = None
    channel_updated_at: datetime | None = None
    # When this view of the order reached Orderflow, for a live channel sync (a webhook or a poll);
    # None for manual entry and imports. With ``channel_updated_at`` it gives the sync lag the
    # order keeps (``Order.channel_lag_seconds``): the status sync delay KPI counts it.
    received_at: datetime | None = None
    shipping_amount: Decimal = Decimal("0")
    discount_amount: Decimal = Decimal("0")
    tags: tuple[str, ...] = field(default_factory=tuple)
    gift_for: Order | None = None
    client_ip: str | None = None
    device: str = ""
    buyer_account: str = ""
    buyer_remark: str = ""


@dataclass(frozen=True)
class TransitionResult:
    order: Order
    outcome: str  # "applied", "ignored" (stale) or "duplicate" (idempotency key seen before)
    from_status: str
    to_status: str
    # The order as the applied transition's event carried it, for a caller that announces more
    # about the order in the same transaction; ``None`` when nothing was applied or a hold followed.
    representation: dict | None = None


@dataclass(frozen=True)
class IngestResult:
    order: Order
    outcome: str  # "created", "updated" or "ignored"


CREATABLE_STATUSES = (statuses.PENDING_PAYMENT, statuses.PAID)


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool
    # The order as created, in its one JSON shape — what the API answers with. ``None`` when
    # the order was stored before (``created=False``); read it then.
    representation: dict | None = None


def _sync_lag_seconds(data: OrderInput) -> int | None:
    """How long after the channel changed the order this view of it arrived, in whole seconds
    (never negative: a channel clock ahead of ours counts as no lag); ``None`` unless a live sync
    brought it."""
    if data.received_at is None or data.channel_updated_at is None:
        return None
    return max(0, int((data.received_at - data.channel_updated_at).total_seconds()))


def _new_order_number(placed_at: datetime) -> str:
    """``OF`` + the day the order was placed, in the operators' time zone, + 10 random digits."""
    local = placed_at.astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE))
    return f"OF{local:%y%m%d}{secrets.randbelow(10**10):010d}"


def _event_body(order: Order, payload: dict | None, extra: dict) -> dict:
    """An order event's payload: the order as it is (or ``payload``), and ``extra``."""
    return {"order": payload if payload is not None else order_representation(order), **extra}


def _emit(order: Order, name: str, actor: Actor, payload: dict | None = None, **extra) -> None:
    event_emit(
        name=name, subject_type=SUBJECT, subject_id=order.pk, payload=_event_body(order, payload, extra), actor=actor
    )


def _event(order: Order, name: str, actor: Actor, payload: dict) -> OutboxEvent:
    """``_emit``'s event unsaved, for a caller that writes several with one ``bulk_create`` (``events_announce``)."""
    return event_build(
        name=name, subject_type=SUBJECT, subject_id=order.pk, payload=_event_body(order, payload, {}), actor=actor
    )


class _AlreadyStored(Exception):
    """The order's insert met a stored (channel, external_id): undo the transaction, answer with that order."""

    def __init__(self, clash: IntegrityError):
        super().__init__(str(clash))
        self.clash = clash


def _priced_lines(data: OrderInput):
    """Validates ``data`` against the catalog: ``(line, product, unit price)`` per line, goods and total."""
    if data.status not in CREATABLE_STATUSES:
        raise InvalidInput(details={"status": f"a new order starts as one of {', '.join(CREATABLE_STATUSES)}"})
    products = products_by_sku(line.sku for line in data.lines)
    unknown = {
        f"lines[{i}].sku": f"unknown SKU {line.sku!r}" for i, line in enumerate(data.lines) if line.sku not in products
    }
    if unknown:
        raise UnknownSku(details=unknown)
    priced = [
        (line, products[line.sku], line.unit_price if line.unit_price is not None else products[line.sku].price)
        for line in data.lines
    ]
    goods = sum((price * line.quantity for line, _p, price in priced), Decimal("0"))
    total = goods + data.shipping_amount - data.discount_amount
    if total < 0:
        raise InvalidInput(details={"discount_amount": "the discount is larger than the order"})
    return priced, goods, total


def _stored_order(data: OrderInput) -> Order | None:
    return Order.objects.filter(channel=data.channel, external_id=data.external_id).first()


def _arrival_checked(order: Order, snapshot: dict, actor: Actor) -> dict:
    """Sends ``order_placed``; when a receiver held the order, ``order`` and the answer say so."""
    for _receiver, held in order_placed.send(sender=Order, order=order, actor=actor):
        if isinstance(held, Order) and held.on_hold:
            order.on_hold, order.hold_reason = True, held.hold_reason
            snapshot = {**snapshot, "on_hold": True, "hold_reason": held.hold_reason}
    return snapshot


def order_create(*, data: OrderInput, actor: Actor) -> tuple[Order, bool]:
    """``order_place`` for callers that need only the order and whether it is new."""
    placed = order_place(data=data, actor=actor)
    return placed.order, placed.created


def order_place(*, data: OrderInput, actor: Actor) -> PlacedOrder:
    """Creates the order and reserves its stock, or returns the one already stored for this key.

    Idempotent on (channel, external_id): a second call — even a concurrent one — returns the
    stored order with ``created=False`` and changes nothing, whatever else its input says. Raises
    ``UnknownSku`` naming the line, or ``InsufficientStock`` (nothing is created).

    One transaction: the customer, the order (its insert is the idempotency check: the unique
    (channel, external_id) makes a concurrent insert of the same key wait for the first and then
    fail, which undoes this transaction), lines, tags, the audit entry and the outbox events, and
    the stock last — the conditional updates take the stock rows' locks, and everything after
    them up to COMMIT is time other orders for those SKUs wait.
    """
    try:
        priced, goods, total = _priced_lines(data)
    except InvalidInput:
        stored = _stored_order(data)
        if stored is None:
            raise
        return PlacedOrder(stored, False)

    now = timezone.now()
    placed_at = data.placed_at or now
    paid = data.status == statuses.PAID
    try:
        with transaction.atomic():
            # Inside the transaction: an order refused for short stock leaves no new customer behind.
            customer = customer_get_or_create(
                name=data.customer.name, phone=data.customer.phone, email=data.customer.email
            )
            order = Order(
                number=_new_order_number(placed_at),
                channel=data.channel,
                external_id=data.external_id,
                status=data.status,
                status_changed_at=now,
                customer=customer,
                currency=data.channel.currency,
                goods_amount=goods,
                shipping_amount=data.shipping_amount,
                discount_amount=data.discount_amount,
                total_amount=total,
                ship_to_name=data.customer.name,
                ship_to_phone=data.customer.phone,
                province=data.shipping_address.province,
                city=data.shipping_address.city,
                district=data.shipping_address.district,
                address_line=data.shipping_address.line,
                postcode=data.shipping_address.postcode,
                placed_at=placed_at,
                paid_at=(data.paid_at or now) if paid else None,
                channel_updated_at=data.channel_updated_at,
                channel_lag_seconds=_sync_lag_seconds(data),
                gift_for=data.gift_for,
                client_ip=data.client_ip or None,
                device=data.device[:200],
                buyer_account=data.buyer_account[:64],
                buyer_remark=data.buyer_remark[:500],
            )
            try:
                order.save(force_insert=True)
            except IntegrityError as clash:
                raise _AlreadyStored(clash) from clash

            lines = OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        position=i,
                        sku=line.sku,
                        title=product.title,
                        quantity=line.quantity,
                        unit_price=price,
                        line_total=price * line.quantity,
                    )
                    for i, (line, product, price) in enumerate(priced)
                ]
            )
            tags = sorted(set(data.tags))
            if tags:
                OrderTag.objects.bulk_create([OrderTag(order=order, name=tag) for tag in tags])

            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action=AuditEntry.CREATED,
                actor=actor,
                changes={
                    "status": data.status,
                    "total_amount": f"{total:.2f}",
                    "lines": [{"sku": ln.sku, "quantity": ln.quantity} for ln in lines],
                    "tags": tags,
                },
            )
            snapshot = order_representation(order, lines=lines, tags=tags)
            events = [_event(order, names.ORDER_CREATED, actor, snapshot)]
            if paid:
                events.append(_event(order, names.ORDER_PAID, actor, snapshot))
            OutboxEvent.objects.bulk_create(events)
            events_announce(events)
            # The order's arrival checks (``signals.order_placed``: the risk rules) run here, inside
            # the creation transaction, so an order they hold is never seen unheld; before the stock,
            # so the locks they take (per IP, phone, address) come before the stock rows' in every
            # transaction, and the stock rows are held no longer for them.
            checked = _arrival_checked(order, snapshot, actor)
            if checked is not snapshot:
                # A rule held the order: its creation events, written above and not yet committed
                # (nobody has read them), carry it held, as every later reader sees it.
                snapshot = checked
                OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(payload={"order": snapshot})

            inventory.stock_reserve_for_order(
                order=order,
                demands=[inventory.LineDemand(ln.pk, ln.position, ln.sku, ln.quantity) for ln in lines],
                channel=data.channel,
                actor=actor,
                expires_at=None if paid else inventory.reservation_expiry_for(data.channel, now=now),
            )
            if paid:
                inventory.reservations_commit(order_id=order.pk, actor=actor)
    except _AlreadyStored as already:
        # An earlier or concurrent call stored the same (channel, external_id); it won.
        stored = _stored_order(data)
        if stored is None:
            raise already.clash from None
        return PlacedOrder(stored, False)
    return PlacedOrder(order, True, snapshot)


# Who sends an order to the warehouse by moving it to ``processing`` (``signals.order_to_warehouse``).
GATED_ACTORS = (USER, FLOW_EXECUTION)


def order_transition(
    *,
    order_id: int,
    to: str,
    actor: Actor,
    reason: str = "",
    idempotency_key: str | None = None,
    reservations_lapsed: bool = False,
    locked: Order | None = None,
) -> TransitionResult:
    """Moves the order to ``to`` under its row lock.

    - the same ``idempotency_key`` again → outcome ``duplicate``, nothing written;
    - ``to`` ranks at or below the current status (late or repeated event) → not applied, audited
      as ``ignored`` with its source, outcome ``ignored``;
    - a forward move the machine does not allow → ``InvalidTransition``, nothing written.
    Payment commits the order's reserved stock; cancelling or closing before shipment releases it
    — as an expiry (``inventory.reservation_expired``) when ``reservations_lapsed``, the payment
    timeout's cancel; the reason text is the operator's words and decides nothing.

    A payment never ships stock the order does not hold: lines whose reservation is no longer
    live (released by a flow's ``inventory.release``, or by anything else) are reserved again
    first, with the same conditional update as a new order, in this transaction. When the stock
    is short the order is still paid — the payment happened — but put on hold with
    ``PAID_SHORT_STOCK`` (``order.held``) and the shortage in the transition's audit entry.

    ``locked``: the order as the caller read it with ``order_lock`` in the transaction this runs
    in (a courier's push locks the order before its parcel, and decides by its status), so the row
    is not locked and read a second time. The move updates that same object.
    """
    if locked is not None and (locked.pk != order_id or not transaction.get_connection().in_atomic_block):
        raise ValueError("locked must be the order's row read with order_lock in the caller's transaction")
    if to not in statuses.RANK:
        raise InvalidInput(details={"to": f"unknown status {to!r}; one of {', '.join(statuses.STATUSES)}"})
    if to == statuses.PROCESSING and actor.kind in GATED_ACTORS:
        # Before the lock, in its own transaction: a refusal is recorded (the audit queue shows it)
        # even though this move is not made.
        order_to_warehouse.send(sender=Order, order_id=order_id, actor=actor, path="transition")
    # No savepoint inside a caller's transaction (a flow run, a courier's push): a refusal is raised
    # after the block, having written nothing, so it leaves the caller's transaction usable; any
    # other error here aborts it, as it would the caller's whole change. Callers that go on after
    # an error (bulk actions, the payment sweep) open their own savepoint around the call.
    with transaction.atomic(savepoint=False):
        order = locked if locked is not None else order_lock(order_id)
        current = order.status
        if (
            idempotency_key
            and AuditEntry.objects.filter(
                subject_type=SUBJECT, subject_id=str(order.pk), idempotency_key=idempotency_key
            ).exists()
        ):
            return TransitionResult(order, "duplicate", current, to)
        if statuses.is_stale(current, to):
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action=AuditEntry.IGNORED,
                actor=actor,
                changes={
                    "requested": to,
                    "current": current,
                    "why": "duplicate" if to == current else "out_of_order",
                    "reason": reason,
                },
                idempotency_key=idempotency_key,
            )
            return TransitionResult(order, "ignored", current, to)
        if statuses.is_allowed(current, to):
            return _transition_apply(
                order,
                to,
                actor=actor,
                reason=reason,
                idempotency_key=idempotency_key,
                reservations_lapsed=reservations_lapsed,
            )
    raise InvalidTransition(details={"from": current, "to": to, "allowed": sorted(statuses.ALLOWED[current])})


def _transition_apply(
    order: Order, to: str, *, actor: Actor, reason: str, idempotency_key: str | None, reservations_lapsed: bool
) -> TransitionResult:
    """``order_transition``'s allowed move, made under the order's row lock that it holds."""
    current = order.status
    now = timezone.now()
    order.status = to
    order.status_changed_at = now
    update_fields = ["status", "status_changed_at", "updated_at"]
    if to == statuses.PAID:
        order.paid_at = now
        update_fields.append("paid_at")
    if to == statuses.SHIPPED:
        order.shipped_at = now
        update_fields.append("shipped_at")
    if to == statuses.CANCELLED:
        order.cancel_reason = reason[:64]
        update_fields.append("cancel_reason")
    order.save(update_fields=update_fields)

    shortage = None
    if to == statuses.PAID:
        shortage = _lines_reserve_unreserved(order, actor=actor)
        inventory.reservations_commit(order_id=order.pk, actor=actor)
    elif to in statuses.RELEASES_STOCK and current in (
        statuses.PENDING_PAYMENT,
        statuses.PAID,
        statuses.PROCESSING,
    ):
        release_reason = f"order {to}: {reason}" if reason else f"order {to}"
        if reservations_lapsed:
            inventory.reservations_expire(order_id=order.pk, order=order_representation(order), actor=actor)
        else:
            inventory.reservations_release(order_id=order.pk, actor=actor, reason=release_reason)
        inventory.committed_stock_return(order_id=order.pk, actor=actor, reason=release_reason)

    audit_record(
        subject_type=SUBJECT,
        subject_id=order.pk,
        action=AuditEntry.TRANSITIONED,
        actor=actor,
        changes={"status": [current, to], "reason": reason} | ({"shortage": shortage.details} if shortage else {}),
        idempotency_key=idempotency_key,
    )
    snapshot: dict | None = order_representation(order)
    _emit(order, names.ORDER_STATUS_CHANGED, actor, snapshot, **{"from": current, "to": to, "reason": reason})
    if to == statuses.PAID:
        _emit(order, names.ORDER_PAID, actor, snapshot)
    elif to == statuses.CANCELLED:
        _emit(order, names.ORDER_CANCELLED, actor, snapshot, reason=reason)
    if shortage:
        order = order_hold(order_id=order.pk, reason=PAID_SHORT_STOCK, actor=actor).order
        snapshot = None
    return TransitionResult(order, "applied", current, to, snapshot)


# The hold reason of an order paid while its stock was released and is now short.
PAID_SHORT_STOCK = "paid after its stock was released, and stock is short — restock, then release the hold, or refund"


def _lines_reserve_unreserved(order: Order, *, actor: Actor) -> InsufficientStock | None:
    """Reserves again what the order's lines hold no live (active) reservation for; the shortage, if any.

    The caller holds the order's row lock — the lock every reservation change of the order is
    made under — so the count of live reservations cannot change before the reservation. A
    short reservation changes nothing (a savepoint undoes any part taken).
    """
    lines = list(
        order.lines.annotate(
            live=Sum("reservations__quantity", filter=Q(reservations__state=Reservation.ACTIVE), default=0)
        ).order_by("position")
    )
    missing = [
        inventory.LineDemand(line.pk, line.position, line.sku, line.quantity - line.live)
        for line in lines
        if line.quantity > line.live
    ]
    if not missing:
        return None
    try:
        with transaction.atomic():
            inventory.stock_reserve_for_order(
                order=order, demands=missing, channel=order.channel, actor=actor, expires_at=None
            )
    except InsufficientStock as short:
        return short
    return None


def _status_path(current: str, target: str) -> list[str]:
    """The shortest chain of allowed moves from ``current`` to ``target`` (empty if none)."""
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    seen = {current}
    while queue:
        status, path = queue.popleft()
        if status == target:
            return path
        for nxt in sorted(statuses.ALLOWED[status], key=lambda s: statuses.RANK[s]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, path + [nxt]))
    return []


_UPDATABLE_FIELDS = {
    "ship_to_name": lambda d: d.customer.name,
    "ship_to_phone": lambda d: d.customer.phone,
    "province": lambda d: d.shipping_address.province,
    "city": lambda d: d.shipping_address.city,
    "district": lambda d: d.shipping_address.district,
    "address_line": lambda d: d.shipping_address.line,
    "postcode": lambda d: d.shipping_address.postcode,
}


def order_ingest(*, data: OrderInput, actor: Actor) -> IngestResult:
    """The one way a channel's view of an order enters Orderflow: create, or update what is stored.

    An update whose ``channel_updated_at`` is not newer than the stored one is ignored and
    audited. A newer one updates the shipping details and moves the status forward along the
    machine (each hop its own audited transition); lines are fixed once the order exists.

    One transaction: the create (or the update) and every status hop after it commit together
    or not at all, so no one sees an order created but not yet moved to the channel's status.
    """
    if data.status not in statuses.RANK:
        raise InvalidInput(details={"status": f"unknown status {data.status!r}"})
    start_status = data.status if data.status in CREATABLE_STATUSES else statuses.PAID
    if data.status == statuses.CANCELLED or data.status == statuses.CLOSED:
        start_status = statuses.PENDING_PAYMENT
    with transaction.atomic():
        # Most calls are updates of a stored order: look it up first rather than attempt an insert.
        stored = _stored_order(data)
        if stored is None:
            created_order, created = order_create(data=_with_status(data, start_status), actor=actor)
        else:
            created_order, created = stored, False
        if created:
            hops = _status_path(created_order.status, data.status)
            for hop in hops:
                order_transition(order_id=created_order.pk, to=hop, actor=actor, reason="channel sync")
            if hops:
                created_order.refresh_from_db()
            return IngestResult(created_order, "created")

        order = order_lock(created_order.pk)
        stored_at = order.channel_updated_at
        if data.channel_updated_at is None or (stored_at is not None and data.channel_updated_at <= stored_at):
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action=AuditEntry.IGNORED,
                actor=actor,
                changes={
                    "why": "stale_update",
                    "channel_updated_at": iso_utc(data.channel_updated_at),
                    "stored_channel_updated_at": iso_utc(stored_at),
                    "requested_status": data.status,
                },
            )
            return IngestResult(order, "ignored")

        changes = {}
        for name, read in _UPDATABLE_FIELDS.items():
            new = read(data)
            if getattr(order, name) != new:
                changes[name] = [getattr(order, name), new]
                setattr(order, name, new)
        order.channel_updated_at = data.channel_updated_at
        lag = _sync_lag_seconds(data)
        if lag is not None and (order.channel_lag_seconds is None or lag > order.channel_lag_seconds):
            order.channel_lag_seconds = lag
        order.save(update_fields=[*changes, "channel_updated_at", "channel_lag_seconds", "updated_at"])
        if changes:
            audit_record(
                subject_type=SUBJECT, subject_id=order.pk, action=AuditEntry.UPDATED, actor=actor, changes=changes
            )
        if statuses.is_stale(order.status, data.status):
            if data.status != order.status:
                order_transition(order_id=order.pk, to=data.status, actor=actor, reason="channel sync")
        else:
            path = _status_path(order.status, data.status)
            if not path:
                raise InvalidTransition(details={"from": order.status, "to": data.status})
            for hop in path:
                order_transition(order_id=order.pk, to=hop, actor=actor, reason="channel sync")
        order.refresh_from_db()
    return IngestResult(order, "updated")


def _with_status(data: OrderInput, status: str) -> OrderInput:
    return replace(data, status=status)


def order_changes_locked_once() -> AbstractContextManager[None]:
    """A block in which tag, untag and note lock each order's row once, not once per change.

    For a caller that makes several such changes in one transaction — a flow run that tags an
    order and writes a note on it. The block needs a transaction around it, and must not outlive
    a savepoint rolled back inside it (see ``lock_objects.order_locks_kept``).
    """
    return order_locks_kept()


# The small order changes a flow makes on every run (tag, untag, note) open no savepoint inside a
# caller's transaction: they can only fail at their first statement (the order's lock: no such
# order), before writing anything, and a caller that meets an error from them rolls its whole
# transaction back — as the flow runner does. A caller that must go on after such an error in the
# same transaction wraps the call in its own ``transaction.atomic()``.


def order_tag(*, order_id: int, tag: str, actor: Actor) -> None:
    """Adds ``tag``; adding a tag the order has already is a no-op with no audit entry.

    Under the order's lock, which every change of the order's tags takes: so the look for the
    tag and its insert cannot race another tagging of the order. Flows tag orders on every run,
    so inside a caller's transaction it opens no savepoint (see the note above).
    """
    tag = tag.strip()
    if not tag or len(tag) > 32:
        raise InvalidInput(details={"tag": "1 to 32 characters"})
    with transaction.atomic(savepoint=False):
        order_lock_row(order_id)
        if OrderTag.objects.filter(order_id=order_id, name=tag).exists():
            return
        OrderTag.objects.create(order_id=order_id, name=tag)
        audit_record(
            subject_type=SUBJECT, subject_id=order_id, action=AuditEntry.TAGGED, actor=actor, changes={"tag": tag}
        )


def order_untag(*, order_id: int, tag: str, actor: Actor) -> None:
    with transaction.atomic(savepoint=False):
        order_lock_row(order_id)
        deleted, _n = OrderTag.objects.filter(order_id=order_id, name=tag).delete()
        if deleted:
            audit_record(
                subject_type=SUBJECT, subject_id=order_id, action=AuditEntry.UNTAGGED, actor=actor, changes={"tag": tag}
            )


@dataclass(frozen=True)
class HoldChange:
    """A hold or release and whether it changed the order: decided under the order's row lock, so
    of two racing holds exactly one reports ``changed``."""

    order: Order
    changed: bool


def order_hold(*, order_id: int, reason: str, actor: Actor) -> HoldChange:
    """Puts the order on hold for review; emits ``order.held``. Holding a held order changes nothing."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(details={"reason": _("A hold needs a reason.")})
    with transaction.atomic():
        order = order_lock(order_id)
        if order.on_hold:
            return HoldChange(order, changed=False)
        order.on_hold = True
        order.hold_reason = reason[:200]
        order.save(update_fields=["on_hold", "hold_reason", "updated_at"])
        audit_record(
            subject_type=SUBJECT, subject_id=order.pk, action=AuditEntry.HELD, actor=actor, changes={"reason": reason}
        )
        _emit(order, names.ORDER_HELD, actor, reason=reason)
    return HoldChange(order, changed=True)


def order_release(*, order_id: int, actor: Actor, note: str = "") -> HoldChange:
    """Takes the order off hold. Releasing an order that is not held changes nothing."""
    with transaction.atomic():
        order = order_lock(order_id)
        if not order.on_hold:
            return HoldChange(order, changed=False)
        previous = order.hold_reason
        order.on_hold = False
        order.hold_reason = ""
        order.save(update_fields=["on_hold", "hold_reason", "updated_at"])
        audit_record(
            subject_type=SUBJECT,
            subject_id=order.pk,
            action=AuditEntry.RELEASED,
            actor=actor,
            changes={"hold_reason": previous, "note": note},
        )
        transaction.on_commit(partial(order_released.send, sender=Order, order_id=order.pk))
    return HoldChange(order, changed=True)


def order_note(*, order_id: int, text: str, actor: Actor) -> None:
    """Writes a note into the order's timeline (an audit entry), under the order's lock; no
    savepoint inside a caller's transaction (see the note above ``order_tag``)."""
    text = text.strip()
    if not text or len(text) > 2000:
        raise InvalidInput(details={"text": "1 to 2000 characters"})
    with transaction.atomic(savepoint=False):
        order_lock_row(order_id)
        audit_record(
            subject_type=SUBJECT, subject_id=order_id, action=AuditEntry.NOTED, actor=actor, changes={"text": text}
        )
