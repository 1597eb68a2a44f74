"""Stock: reserve inside the order's transaction, commit on payment, release, expire, restock, adjust.

Every change is one conditional ``UPDATE`` on the stock row (the database refuses to let
``reserved`` pass ``on_hand`` or fall below zero) plus one ``StockMovement`` ledger row, in the
caller's transaction. ``inventory.low_stock`` fires once each time available drops to or below
safety stock; the flag re-arms when it rises above again.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from commerce.catalog.selectors import products_by_sku
from commerce.orders.lock_objects import order_lock
from commerce.outbox import names
from commerce.outbox.services import event_emit
from core.actors import Actor
from core.errors import InvalidInput
from core.trace import current_trace_id

from .errors import InsufficientStock, StockBelowZero, UnknownWarehouse
from .lock_objects import stock_ids_in_lock_order
from .models import Reservation, StockItem, StockMovement, Warehouse
from .selectors import channel_stock


@dataclass(frozen=True)
class LineDemand:
    """What one order line asks of stock."""

    line_id: int
    position: int
    sku: str
    quantity: int


def movement_build(
    stock_item_id: int, kind: str, quantity: int, *, actor: Actor, order_id=None, reason=""
) -> StockMovement:
    """An unsaved ledger row, for the services here and the stock import to write with their change."""
    return StockMovement(
        stock_item_id=stock_item_id,
        kind=kind,
        quantity=quantity,
        reason=reason[:200],
        order_id=order_id,
        actor_kind=actor.kind,
        actor_label=actor.label,
        trace_id=current_trace_id(),
    )


# Hand-written because it carries the no-oversell invariant in one statement: the row is taken
# only if ``on_hand - reserved >= q`` at this instant, under the row lock the UPDATE takes, and
# ``RETURNING`` hands back the numbers the low-stock check needs from that same locked row (the
# ORM's ``update()`` answers only a row count). The one place stock is reserved.
_RESERVE_SQL = (
    "UPDATE {table} SET reserved = reserved + %s, updated_at = %s WHERE id = %s AND on_hand - reserved >= %s "
    "RETURNING on_hand, reserved, safety_stock, low_stock_alerted"
)


def _try_reserve(stock_item_id: int, quantity: int) -> tuple[int, int, int, bool] | None:
    """The conditional update: reserve only if enough is available at this instant.

    Returns the row's ``(on_hand, reserved, safety_stock, low_stock_alerted)`` after the update —
    read under the lock the update took, so the low-stock check needs no query of its own — or
    ``None`` when the row did not have the stock.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _RESERVE_SQL.format(table=StockItem._meta.db_table),
            [quantity, connection.ops.adapt_datetimefield_value(timezone.now()), stock_item_id, quantity],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2], bool(row[3]))


# How often a reservation re-reads stock and plans again after losing a race for a row.
RESERVE_ATTEMPTS = 3


def stock_reserve_for_order(
    *,
    order,
    demands: list[LineDemand],
    channel,
    actor: Actor,
    expires_at: datetime | None = None,
) -> None:
    """Reserves every line of ``order`` or none; raises ``InsufficientStock`` for the first short SKU.

    Must run in the transaction that creates (or reopens) the order, so a short line rolls the
    order back too. Prefers one warehouse for the whole order (in the channel's order); splits a
    line across warehouses only when the channel allows it.

    The plan is made from an unlocked read (one query: the channel's warehouses and their stock
    rows); each stock row is then taken by a conditional ``UPDATE`` in ascending id order
    (``lock_objects``), which is what guarantees no oversell. When a row was taken by someone else
    between the read and the update, the attempt is undone (a savepoint, when it had already
    reserved other rows) and the plan is made again from fresh numbers — another warehouse may
    still serve the order — up to ``RESERVE_ATTEMPTS`` times. Call it as late in the transaction
    as possible: the row locks are held until COMMIT.
    """
    skus = {d.sku for d in demands}
    for _attempt in range(RESERVE_ATTEMPTS):
        warehouse_ids, stock = channel_stock(channel, skus)
        planned = _plan_single_warehouse(demands, warehouse_ids, stock) if warehouse_ids else None
        if planned is None and channel.allow_split_lines:
            planned = _plan_split(demands, warehouse_ids, stock)
        if planned is None:
            raise _shortage(demands, stock)
        by_row: dict[int, int] = {}
        for _demand, stock_id, qty in planned:
            by_row[stock_id] = by_row.get(stock_id, 0) + qty
        # A failed first update changed nothing; only a plan over several rows needs a savepoint to undo.
        undo = transaction.atomic() if len(by_row) > 1 else nullcontext()
        after: dict[int, tuple[int, int, int, bool]] = {}
        try:
            with undo:
                for stock_id in stock_ids_in_lock_order(by_row):
                    row = _try_reserve(stock_id, by_row[stock_id])
                    if row is None:
                        raise _LostRace
                    after[stock_id] = row
        except _LostRace:
            continue
        break
    else:
        raise _shortage(demands, channel_stock(channel, skus)[1])

    reservations = [
        Reservation(order=order, order_line_id=d.line_id, stock_item_id=stock_id, quantity=qty, expires_at=expires_at)
        for d, stock_id, qty in planned
    ]
    movements = [
        movement_build(
            stock_id, StockMovement.RESERVE, qty, actor=actor, order_id=order.pk, reason=f"order {order.number}"
        )
        for _d, stock_id, qty in planned
    ]
    Reservation.objects.bulk_create(reservations)
    StockMovement.objects.bulk_create(movements)
    # Only rows whose flag disagrees with their numbers need the check (and its queries).
    flips = [
        pk
        for pk, (on_hand, reserved, safety_stock, alerted) in after.items()
        if (on_hand - reserved <= safety_stock) != alerted
    ]
    if flips:
        stock_low_check(flips, actor=actor)


class _LostRace(Exception):
    """A planned row no longer had the stock when its conditional update ran."""


def _plan_single_warehouse(demands, warehouse_ids, stock):
    need: dict[str, int] = {}
    for d in demands:
        need[d.sku] = need.get(d.sku, 0) + d.quantity
    for wid in warehouse_ids:
        rows = [stock.get((sku, wid)) for sku in need]
        if all(r is not None and r["on_hand"] - r["reserved"] >= need[r["sku"]] for r in rows):
            return [(d, stock[(d.sku, wid)]["id"], d.quantity) for d in demands]
    return None


def _plan_split(demands, warehouse_ids, stock):
    left = {key: r["on_hand"] - r["reserved"] for key, r in stock.items()}
    plan = []
    for d in demands:
        remaining = d.quantity
        for wid in warehouse_ids:
            free = left.get((d.sku, wid), 0)
            take = min(free, remaining)
            if take > 0:
                plan.append((d, stock[(d.sku, wid)]["id"], take))
                left[(d.sku, wid)] = free - take
                remaining -= take
            if remaining == 0:
                break
        if remaining:
            return None
    return plan


def _shortage(demands, stock) -> InsufficientStock:
    available: dict[str, int] = {}
    for (sku, _wid), r in stock.items():
        available[sku] = available.get(sku, 0) + r["on_hand"] - r["reserved"]
    need: dict[str, int] = {}
    for d in demands:
        need[d.sku] = need.get(d.sku, 0) + d.quantity
    for d in demands:
        if need[d.sku] > available.get(d.sku, 0):
            return InsufficientStock(
                sku=d.sku, requested=need[d.sku], available=available.get(d.sku, 0), line=d.position
            )
    # Enough in total but not in one warehouse, and the channel does not split lines.
    d = demands[0]
    return InsufficientStock(sku=d.sku, requested=need[d.sku], available=available.get(d.sku, 0), line=d.position)


# Stock ids per ``IN (…)`` list, well below SQLite's limit on query parameters.
ID_CHUNK = 1000


def stock_low_check(stock_ids: list[int], *, actor: Actor) -> None:
    """Fires ``inventory.low_stock`` for rows that just crossed their safety stock, once per crossing.

    A row is low when ``available <= safety_stock``. The flag ``low_stock_alerted`` is set when
    the alert fires and cleared when the row rises above safety stock again, which re-arms it.
    Call it after every change to ``on_hand``, ``reserved`` or ``safety_stock``, in that change's
    transaction: the caller has just written these rows, so it holds their locks and no other
    transaction can flip a flag between this read and this write. One query per chunk finds the
    rows whose flag disagrees with their numbers; only those are written.
    """
    at_or_below = Q(on_hand__lte=F("reserved") + F("safety_stock"))
    ids = sorted(set(stock_ids))
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        flips = list(
            StockItem.objects.select_related("warehouse")
            .filter(pk__in=chunk)
            .filter((at_or_below & Q(low_stock_alerted=False)) | (~at_or_below & Q(low_stock_alerted=True)))
            .order_by("pk")
        )
        crossed = [row for row in flips if not row.low_stock_alerted]
        rearmed = [row.pk for row in flips if row.low_stock_alerted]
        if crossed:
            StockItem.objects.filter(pk__in=[row.pk for row in crossed]).update(low_stock_alerted=True)
            for row in crossed:
                row.low_stock_alerted = True
                event_emit(
                    name=names.INVENTORY_LOW_STOCK,
                    subject_type="stock_item",
                    subject_id=row.pk,
                    payload={"stock": stock_representation(row)},
                    actor=actor,
                )
        if rearmed:
            StockItem.objects.filter(pk__in=rearmed).update(low_stock_alerted=False)


def stock_representation(row: StockItem) -> dict:
    return {
        "id": row.pk,
        "sku": row.sku,
        "warehouse": row.warehouse.code,
        "on_hand": row.on_hand,
        "reserved": row.reserved,
        "available": row.available,
        "safety_stock": row.safety_stock,
        "low_stock": row.low_stock,
    }


def _settle_reservations(
    *, order_id: int, states_from: tuple[str, ...], to_state: str, kind: str, actor: Actor, reason: str
):
    """Moves the order's reservations in ``states_from`` to ``to_state``, with the counters and ledger to match.

    The caller holds the order's row lock, so two settlements of one order cannot interleave.
    """
    reservations = list(
        Reservation.objects.filter(order_id=order_id, state__in=states_from).order_by("stock_item_id", "id")
    )
    if not reservations:
        return []
    on_hand_effect, reserved_effect = StockMovement.EFFECT[kind]
    for res in reservations:
        updated = StockItem.objects.filter(pk=res.stock_item_id).update(
            on_hand=F("on_hand") + on_hand_effect * res.quantity,
            reserved=F("reserved") + reserved_effect * res.quantity,
            updated_at=timezone.now(),
        )
        if updated != 1:
            raise RuntimeError(f"stock row {res.stock_item_id} of reservation {res.pk} is missing")
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(state=to_state)
    StockMovement.objects.bulk_create(
        [
            movement_build(r.stock_item_id, kind, r.quantity, actor=actor, order_id=order_id, reason=reason)
            for r in reservations
        ]
    )
    stock_low_check([r.stock_item_id for r in reservations], actor=actor)
    return reservations


def reservations_commit(*, order_id: int, actor: Actor) -> list[Reservation]:
    """On payment: the reserved units leave stock for good (``on_hand -= q``, ``reserved -= q``)."""
    return _settle_reservations(
        order_id=order_id,
        states_from=(Reservation.ACTIVE,),
        to_state=Reservation.COMMITTED,
        kind=StockMovement.COMMIT,
        actor=actor,
        reason="order paid",
    )


def reservations_release(*, order_id: int, actor: Actor, reason: str) -> list[Reservation]:
    """On cancellation before payment: the reserved units return to available."""
    return _settle_reservations(
        order_id=order_id,
        states_from=(Reservation.ACTIVE,),
        to_state=Reservation.RELEASED,
        kind=StockMovement.RELEASE,
        actor=actor,
        reason=reason,
    )


def reservations_expire(*, order_id: int, order: dict, actor: Actor) -> list[Reservation]:
    """Payment never came in time: the reserved units return to available.

    Emits one ``inventory.reservation_expired`` for the order: ``order`` (its representation, from
    the caller — inventory does not know how orders are shown), each expired reservation and the
    stock rows as they stand afterwards. Nothing is emitted when nothing was active.
    """
    expired = _settle_reservations(
        order_id=order_id,
        states_from=(Reservation.ACTIVE,),
        to_state=Reservation.EXPIRED,
        kind=StockMovement.EXPIRE,
        actor=actor,
        reason="payment timeout",
    )
    if expired:
        rows = {
            row.pk: row
            for row in StockItem.objects.select_related("warehouse").filter(pk__in={r.stock_item_id for r in expired})
        }
        event_emit(
            name=names.INVENTORY_RESERVATION_EXPIRED,
            subject_type="order",
            subject_id=order_id,
            payload={
                "order": order,
                "reservations": [
                    {
                        "id": r.pk,
                        "order_line_id": r.order_line_id,
                        "sku": rows[r.stock_item_id].sku,
                        "warehouse": rows[r.stock_item_id].warehouse.code,
                        "quantity": r.quantity,
                    }
                    for r in expired
                ],
                "stock": [stock_representation(rows[pk]) for pk in sorted(rows)],
            },
            actor=actor,
        )
    return expired


def committed_stock_return(*, order_id: int, actor: Actor, reason: str) -> list[Reservation]:
    """A paid order cancelled before it shipped: the committed units go back on hand."""
    return _settle_reservations(
        order_id=order_id,
        states_from=(Reservation.COMMITTED,),
        to_state=Reservation.RELEASED,
        kind=StockMovement.RETURN,
        actor=actor,
        reason=reason,
    )


def stock_restock(
    *, sku: str, warehouse_code: str, quantity: int, actor: Actor, order_id: int | None = None, reason: str
) -> StockItem:
    """Returned goods back on hand (for refunds and returns): ``on_hand += quantity``, one ``return`` movement.

    Creates the stock row if the SKU was never stocked in that warehouse. Raises ``InvalidInput``
    for a quantity below 1 or an unknown SKU and ``UnknownWarehouse``; then nothing changes.
    """
    if quantity <= 0:
        raise InvalidInput(details={"quantity": "must be a positive whole number"})
    if sku not in products_by_sku([sku]):
        raise InvalidInput(details={"sku": f"unknown SKU {sku!r}"})
    with transaction.atomic():
        row = _stock_row(sku=sku, warehouse_code=warehouse_code)
        StockItem.objects.filter(pk=row.pk).update(on_hand=F("on_hand") + quantity, updated_at=timezone.now())
        movement_build(row.pk, StockMovement.RETURN, quantity, actor=actor, order_id=order_id, reason=reason).save()
        stock_low_check([row.pk], actor=actor)
    row.refresh_from_db()
    return row


def _stock_row(*, sku: str, warehouse_code: str) -> StockItem:
    """The stock row of ``sku`` in the active warehouse ``warehouse_code``, created if it has none."""
    warehouse = Warehouse.objects.filter(code=warehouse_code, active=True).first()
    if warehouse is None:
        raise UnknownWarehouse(details={"warehouse": warehouse_code})
    row = StockItem.objects.filter(sku=sku, warehouse=warehouse).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return StockItem.objects.create(sku=sku, warehouse=warehouse)
    except IntegrityError:
        return StockItem.objects.get(sku=sku, warehouse=warehouse)


# The ledger kinds ``stock_adjust`` writes: goods received, or a correction (a count, a write-off).
ADJUST_KINDS = (StockMovement.RECEIPT, StockMovement.ADJUSTMENT)


def stock_adjust(*, sku: str, warehouse_code: str, delta: int, kind: str, reason: str, actor: Actor) -> StockItem:
    """Changes ``on_hand`` by ``delta`` and writes one ledger row of ``kind`` (``ADJUST_KINDS``).

    The caller names the kind: ``receipt`` for goods received (``delta`` must be positive),
    ``adjustment`` for a count or a write-off; ``reason`` is free text for people and decides
    nothing. A negative delta applies only if it leaves ``on_hand`` at or above both zero and
    what is reserved; otherwise ``StockBelowZero`` and nothing changes. Raises ``InvalidInput``
    for a zero delta, another kind, a negative receipt or an unknown SKU.
    """
    if kind not in ADJUST_KINDS:
        raise InvalidInput(details={"kind": f"must be one of {', '.join(ADJUST_KINDS)}, got {kind!r}"})
    if delta == 0:
        raise InvalidInput(details={"delta": "must not be zero"})
    if kind == StockMovement.RECEIPT and delta < 0:
        raise InvalidInput(details={"delta": f"a receipt adds stock; got {delta} (use kind adjustment)"})
    if sku not in products_by_sku([sku]):
        raise InvalidInput(details={"sku": f"unknown SKU {sku!r}"})
    with transaction.atomic():
        row = _stock_row(sku=sku, warehouse_code=warehouse_code)
        updated = StockItem.objects.filter(pk=row.pk, on_hand__gte=F("reserved") - delta).update(
            on_hand=F("on_hand") + delta, updated_at=timezone.now()
        )
        if updated != 1:
            row.refresh_from_db()
            raise StockBelowZero(
                details={"delta": delta, "on_hand": row.on_hand, "reserved": row.reserved, "available": row.available}
            )
        movement_build(row.pk, kind, delta, actor=actor, reason=reason).save()
        stock_low_check([row.pk], actor=actor)
    row.refresh_from_db()
    return row


def reservation_expiry_for(channel, *, now: datetime | None = None) -> datetime:
    """When an unpaid order's reservation placed ``now`` lapses: the channel's payment timeout later."""
    return (now or timezone.now()) + timedelta(minutes=channel.payment_timeout_minutes)


@dataclass(frozen=True)
class ReleasedReservation:
    reservation_id: int
    sku: str
    quantity: int


def order_reservations_release(*, order_id: int, actor: Actor, reason: str) -> list[ReleasedReservation]:
    """Returns the order's *active* (reserved, unpaid) stock to available; the order itself is untouched.

    One transaction, under the order's row lock (``order_lock``) — the lock every reservation
    change of the order is made under, so a payment or an expiry cannot interleave. Releasing
    again finds nothing active and releases nothing. Raises ``Order.DoesNotExist`` for an
    unknown order. Answers what was released, with each reservation's SKU and quantity.
    """
    with transaction.atomic():
        order_lock(order_id)
        released = reservations_release(order_id=order_id, actor=actor, reason=reason)
        skus = dict(StockItem.objects.filter(pk__in={r.stock_item_id for r in released}).values_list("pk", "sku"))
    return [ReleasedReservation(reservation_id=r.pk, sku=skus[r.stock_item_id], quantity=r.quantity) for r in released]
