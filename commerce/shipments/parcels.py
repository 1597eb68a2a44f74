"""Planned parcels: merge (合单), split (拆单), un-merge, the waybill, the hand-over to the courier.

What is shared is the box, never the money. A merge puts the lines of several orders of one buyer
and one address in one ``Parcel``; each order keeps its status, amounts and its own ``Shipment``
(so its own tracking-number write-back). A split spreads one order's lines over several parcels
(by warehouse, by availability, or by hand), each shipped and tracked on its own.

Invariant kept by every service here: while an order has active parcels, every unit of each of its
lines is in exactly one active parcel line. Stock is not touched — the reservations were made (and
committed at payment) per line and warehouse when the order was placed; a plan only says how the
units are boxed. ``parcels_of_order`` and the property test check both.

Partial shipment (decided here, documented in the README): an order moves to ``shipped`` when the
**last** of its parcels is handed to the courier; before that it is ``processing`` and its
timeline says which parcels left ("parcel 1 of 2 shipped"). It moves to ``delivered`` when the last
of its parcels is signed for (``services.parcels_not_signed``).

Lock order: the orders' rows in ascending id (``order_lock_row``), then the parcel rows in
ascending id. Every service is one transaction that validates, locks, changes and audits on each
order's timeline; nothing calls the network (the courier's waybill API is called by the courier
connector before ``parcel_waybill_record``).
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commerce.audit.services import audit_record
from commerce.inventory.models import Reservation
from commerce.orders import statuses as order_statuses
from commerce.orders.lock_objects import order_lock_row
from commerce.orders.models import Order, OrderLine
from commerce.orders.services import order_transition
from core.actors import Actor
from core.errors import Conflict, InvalidInput, NotFound
from core.time import iso_utc

from .models import Parcel, ParcelLine, Shipment
from .services import shipment_create

PARCEL_MERGED = "parcel_merged"  # audit actions, on each order's timeline
PARCEL_UNMERGED = "parcel_unmerged"
PARCEL_SPLIT = "parcel_split"
PARCEL_WAYBILLED = "parcel_waybilled"
PARCEL_SHIPPED = "parcel_shipped"
PARCEL_WAYBILL_CANCELLED = "parcel_waybill_cancelled"

KIND_MERGED = Parcel.MERGED  # for callers outside commerce, which read no models
KIND_SPLIT = Parcel.SPLIT
MERGEABLE = (order_statuses.PAID, order_statuses.PROCESSING)
MAX_ORDERS_PER_MERGE = 20
MAX_PARCELS_PER_SPLIT = 10
BY_WAREHOUSE = "warehouse"
BY_AVAILABILITY = "availability"
SPLIT_BY = (BY_WAREHOUSE, BY_AVAILABILITY)


class ParcelNotFound(NotFound):
    code = "parcel_not_found"
    message = _("No such parcel.")


class MergeRefused(Conflict):
    code = "merge_refused"
    message = _("These orders cannot be shipped in one parcel.")


class SplitRefused(Conflict):
    code = "split_refused"
    message = _("This order cannot be split so.")


class ParcelNotChangeable(Conflict):
    code = "parcel_not_changeable"
    message = _("The parcel has left the warehouse (or was replaced); it cannot be changed.")


class WaybillNotCancellable(Conflict):
    code = "waybill_not_cancellable"
    message = _(
        "This waybill cannot be cancelled: the parcel has no waybill (it was cancelled already), or the "
        "courier has picked it up. A parcel on its way is stopped with the courier, not here."
    )


@dataclass(frozen=True)
class PlannedLine:
    order_id: int
    line_id: int
    quantity: int


# --- reading ------------------------------------------------------------------------------------


def _space(text: str) -> str:
    return re.sub(r"\s+", "", text or "").lower()


def address_key(order: Order) -> tuple:
    """Who and where a parcel goes: the buyer (customer) and the address as written, compared
    without spaces or case. Two orders merge only when these are equal."""
    return (
        order.customer_id,
        _space(order.ship_to_name),
        _space(order.ship_to_phone),
        _space(order.province),
        _space(order.city),
        _space(order.district),
        _space(order.address_line),
    )


def parcel_find(*, parcel_id: int) -> Parcel | None:
    return Parcel.objects.select_related("warehouse").filter(pk=parcel_id).first()


def parcel_find_by_number(*, number: str) -> Parcel | None:
    return Parcel.objects.filter(number=number).first()


def parcels_of_order(*, order_id: int, active_only: bool = True) -> list[Parcel]:
    ids = ParcelLine.objects.filter(order_id=order_id).values_list("parcel_id", flat=True)
    parcels = Parcel.objects.select_related("warehouse").filter(pk__in=ids)
    if active_only:
        parcels = parcels.filter(status__in=Parcel.ACTIVE)
    return list(parcels.order_by("pk"))


def parcel_representation(parcel: Parcel) -> dict:
    lines = list(parcel.lines.select_related("order", "order_line").order_by("order_id", "order_line__position", "pk"))
    orders: dict[int, str] = {}
    for line in lines:
        orders.setdefault(line.order_id, line.order.number)
    return {
        "id": parcel.pk,
        "number": parcel.number,
        "kind": parcel.kind,
        "status": parcel.status,
        "warehouse": parcel.warehouse.code if parcel.warehouse is not None else None,
        "note": parcel.note,
        "courier": parcel.courier,
        "carrier": parcel.carrier,
        "tracking_no": parcel.tracking_no,
        "orders": [{"id": pk, "number": number} for pk, number in orders.items()],
        "lines": [
            {
                "order_id": line.order_id,
                "order_number": line.order.number,
                "line_id": line.order_line_id,
                "sku": line.order_line.sku,
                "title": line.order_line.title,
                "quantity": line.quantity,
            }
            for line in lines
        ],
        "created_at": iso_utc(parcel.created_at),
        "waybilled_at": iso_utc(parcel.waybilled_at),
        "shipped_at": iso_utc(parcel.shipped_at),
    }


def _mergeable_orders():
    return (
        Order.objects.filter(status__in=MERGEABLE, on_hold=False, shipped_at__isnull=True)
        .exclude(shipments__isnull=False)
        .exclude(parcel_lines__parcel__status__in=(Parcel.WAYBILLED, Parcel.SHIPPED))
    )


def merge_suggestions(*, order_id: int | None = None, limit: int = 50) -> list[dict]:
    """Groups of two or more unshipped orders (paid or processing, not held, no parcel waybilled
    or shipped) of one buyer and one address, from any channels — the ones not already in one
    parcel together. With ``order_id``: only the group of that order (or none)."""
    candidates = _mergeable_orders()
    fields = ("customer_id", "ship_to_name", "ship_to_phone", "province", "city", "district", "address_line")
    if order_id is not None:
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise NotFound(details={"order": order_id})
        candidates = candidates.filter(customer_id=order.customer_id)
    groups = candidates.values(*fields).annotate(n=Count("pk", distinct=True)).filter(n__gte=2).order_by("-n")[:500]
    customer_ids = {g["customer_id"] for g in groups}
    if not customer_ids:
        return []
    by_key: dict[tuple, list[Order]] = defaultdict(list)
    for order in candidates.filter(customer_id__in=customer_ids).select_related("channel").distinct().order_by("pk"):
        by_key[address_key(order)].append(order)
    suggestions = []
    for orders in by_key.values():
        if len(orders) < 2 or (order_id is not None and order_id not in {o.pk for o in orders}):
            continue
        ids = [o.pk for o in orders]
        merged = set(
            ParcelLine.objects.filter(order_id__in=ids, parcel__status=Parcel.PLANNED, parcel__kind=Parcel.MERGED)
            .values_list("parcel_id", "order_id")
            .distinct()
        )
        parcels = {p for p, _o in merged}
        if len(parcels) == 1 and {o for _p, o in merged} == set(ids):
            continue  # already one parcel
        if ParcelLine.objects.filter(order_id__in=ids, parcel__status=Parcel.PLANNED, parcel__kind=Parcel.SPLIT):
            continue  # a split order is boxed on purpose; un-split it by hand first
        first = orders[0]
        suggestions.append(
            {
                "key": "-".join(str(pk) for pk in ids),
                "customer": {"id": first.customer_id, "name": first.ship_to_name},
                "address": {
                    "province": first.province,
                    "city": first.city,
                    "district": first.district,
                    "line": first.address_line,
                },
                "orders": [
                    {
                        "id": o.pk,
                        "number": o.number,
                        "channel": o.channel.code,
                        "status": o.status,
                        "total_amount": str(o.total_amount),
                    }
                    for o in orders
                ],
            }
        )
        if len(suggestions) >= limit:
            break
    return suggestions


# --- changing -----------------------------------------------------------------------------------


def _new_number() -> str:
    return f"PC{timezone.now():%y%m%d}{secrets.token_hex(4).upper()}"


def _ids(values: Iterable, field: str, *, at_least: int, at_most: int) -> list[int]:
    try:
        ids = [int(v) for v in values]
    except (TypeError, ValueError):
        raise InvalidInput(details={field: "a list of order ids"}) from None
    if len(set(ids)) != len(ids) or not at_least <= len(ids) <= at_most:
        raise InvalidInput(details={field: f"{at_least} to {at_most} different ids"})
    return sorted(ids)


def _lock_orders(order_ids: Sequence[int]) -> dict[int, Order]:
    for pk in sorted(order_ids):
        try:
            order_lock_row(pk)
        except Order.DoesNotExist:
            raise NotFound(details={"order": pk}) from None
    return {o.pk: o for o in Order.objects.select_related("customer").filter(pk__in=order_ids)}


def _lock_parcels(parcel_ids: Iterable[int]) -> dict[int, Parcel]:
    return {p.pk: p for p in Parcel.objects.select_for_update().filter(pk__in=sorted(set(parcel_ids))).order_by("pk")}


def _active_parcel_lines(order_ids: Iterable[int]) -> list[ParcelLine]:
    return list(
        ParcelLine.objects.select_related("parcel")
        .filter(order_id__in=list(order_ids), parcel__status__in=Parcel.ACTIVE)
        .order_by("pk")
    )


def _order_unshipped(order: Order, problems: dict, field: str) -> None:
    if order.status not in MERGEABLE:
        problems[field] = f"order {order.number} is {order.status}; only paid or processing orders are boxed"
    elif order.on_hold:
        problems[field] = f"order {order.number} is on hold: release it first"
    elif Shipment.objects.filter(order_id=order.pk).exists():
        problems[field] = f"order {order.number} already has a shipment"


def _cancel(parcels: Iterable[Parcel]) -> list[str]:
    now = timezone.now()
    numbers = []
    for parcel in parcels:
        parcel.status = Parcel.CANCELLED
        parcel.cancelled_at = now
        parcel.save(update_fields=["status", "cancelled_at"])
        numbers.append(parcel.number)
    return numbers


def _create(kind: str, lines: Sequence[PlannedLine], *, warehouse_id: int | None = None, note: str = "") -> Parcel:
    parcel = Parcel.objects.create(number=_new_number(), kind=kind, warehouse_id=warehouse_id, note=note[:200])
    ParcelLine.objects.bulk_create(
        [
            ParcelLine(parcel=parcel, order_id=line.order_id, order_line_id=line.line_id, quantity=line.quantity)
            for line in lines
        ]
    )
    return parcel


def _whole_orders(order_ids: Iterable[int]) -> list[PlannedLine]:
    return [
        PlannedLine(order_id, line_id, quantity)
        for order_id, line_id, quantity in OrderLine.objects.filter(order_id__in=list(order_ids))
        .order_by("order_id", "position")
        .values_list("order_id", "pk", "quantity")
    ]


def _reserved_warehouses(order_ids: Iterable[int]) -> set[int]:
    return set(
        Reservation.objects.filter(
            order_id__in=list(order_ids), state__in=(Reservation.ACTIVE, Reservation.COMMITTED)
        ).values_list("stock_item__warehouse_id", flat=True)
    )


def _audit(order_ids: Iterable[int], action: str, actor: Actor, changes: dict) -> None:
    for order_id in sorted(order_ids):
        audit_record(subject_type="order", subject_id=order_id, action=action, actor=actor, changes=changes)


def orders_merge(*, order_ids: Sequence[int], actor: Actor) -> Parcel:
    """Boxes the orders in one parcel: 2 to ``MAX_ORDERS_PER_MERGE`` orders of one buyer and one
    address (``address_key``), each paid or processing, not held, with no shipment, and whose
    current parcels (if any) are planned and carry only orders of this merge, unsplit.

    Their planned parcels are replaced (cancelled) by one ``merged`` parcel holding every unit of
    every line. Amounts, statuses, reservations and the stock ledger are untouched. Refusals are
    ``MergeRefused`` (409) naming each order's problem; nothing changes then.
    """
    ids = _ids(order_ids, "order_ids", at_least=2, at_most=MAX_ORDERS_PER_MERGE)
    with transaction.atomic():
        orders = _lock_orders(ids)
        problems: dict[str, str] = {}
        first = orders[ids[0]]
        for pk in ids:
            order = orders[pk]
            field = f"order_ids[{ids.index(pk)}]"
            _order_unshipped(order, problems, field)
            if field not in problems and address_key(order) != address_key(first):
                problems[field] = f"order {order.number} goes to another buyer or address than order {first.number}"
        current = _active_parcel_lines(ids)
        parcels = _lock_parcels(line.parcel_id for line in current)
        per_order: dict[int, set[int]] = defaultdict(set)
        for line in current:
            per_order[line.order_id].add(line.parcel_id)
        outside = (
            ParcelLine.objects.filter(parcel_id__in=list(parcels))
            .exclude(order_id__in=ids)
            .values_list("order__number", flat=True)
        )
        for parcel in parcels.values():
            if parcel.status != Parcel.PLANNED:
                problems["order_ids"] = f"parcel {parcel.number} is {parcel.status}; it cannot be re-boxed"
        for order_id, held in per_order.items():
            if len(held) > 1:
                problems[f"order_ids[{ids.index(order_id)}]"] = (
                    f"order {orders[order_id].number} is split into {len(held)} parcels; merge it unsplit"
                )
        if outside:
            problems["order_ids"] = f"a parcel of these orders also carries order {sorted(outside)[0]}; include it"
        if problems:
            raise MergeRefused(details=problems)
        replaced = _cancel(parcels.values())
        warehouses = _reserved_warehouses(ids)
        parcel = _create(
            Parcel.MERGED, _whole_orders(ids), warehouse_id=next(iter(warehouses)) if len(warehouses) == 1 else None
        )
        _audit(
            ids,
            PARCEL_MERGED,
            actor,
            {
                "parcel": parcel.number,
                "orders": [orders[pk].number for pk in ids],
                **({"replaced": replaced} if replaced else {}),
            },
        )
    return parcel


def parcel_order_ids(*, parcel_id: int) -> list[int]:
    """The ids of the orders the parcel carries, ascending."""
    return _orders_of(parcel_id)


def _orders_of(parcel_id: int) -> list[int]:
    return sorted(set(ParcelLine.objects.filter(parcel_id=parcel_id).values_list("order_id", flat=True)))


def parcel_unmerge(*, parcel_id: int, actor: Actor) -> list[Parcel]:
    """Undoes a merge while the parcel has not left: the merged parcel is cancelled and each
    order gets its own planned parcel again. A waybilled parcel's tracking number is voided with
    it (the audit says so: its label must not be used)."""
    order_ids = _orders_of(parcel_id)
    if not order_ids:
        raise ParcelNotFound(details={"parcel": parcel_id})
    with transaction.atomic():
        _lock_orders(order_ids)
        parcel = _lock_parcels([parcel_id])[parcel_id]
        if parcel.kind != Parcel.MERGED:
            raise ParcelNotChangeable("Only a merged parcel can be un-merged.", details={"parcel": parcel.number})
        if parcel.status not in Parcel.CHANGEABLE:
            raise ParcelNotChangeable(details={"parcel": parcel.number, "status": parcel.status})
        voided = parcel.tracking_no
        _cancel([parcel])
        created = [_create(Parcel.SINGLE, _whole_orders([pk]), warehouse_id=parcel.warehouse_id) for pk in order_ids]
        for pk, single in zip(order_ids, created, strict=True):
            _audit(
                [pk],
                PARCEL_UNMERGED,
                actor,
                {
                    "parcel": parcel.number,
                    "now": single.number,
                    **({"voided_tracking_no": voided} if voided else {}),
                },
            )
    return created


def _split_by_warehouse(order: Order) -> list[tuple[list[PlannedLine], int | None, str]]:
    reserved: dict[tuple[int, int], int] = defaultdict(int)
    for line_id, warehouse_id, quantity in Reservation.objects.filter(
        order_id=order.pk, state__in=(Reservation.ACTIVE, Reservation.COMMITTED)
    ).values_list("order_line_id", "stock_item__warehouse_id", "quantity"):
        reserved[(warehouse_id, line_id)] += quantity
    boxes: dict[int | None, list[PlannedLine]] = defaultdict(list)
    covered: dict[int, int] = defaultdict(int)
    for (warehouse_id, line_id), quantity in sorted(reserved.items()):
        boxes[warehouse_id].append(PlannedLine(order.pk, line_id, quantity))
        covered[line_id] += quantity
    for line_id, quantity in order.lines.values_list("pk", "quantity"):
        if quantity > covered[line_id]:
            boxes[None].append(PlannedLine(order.pk, line_id, quantity - covered[line_id]))
    return [(lines, wid, "not reserved: ship when stocked" if wid is None else "") for wid, lines in boxes.items()]


def _split_by_availability(order: Order, later_skus: Sequence[str]) -> list[tuple[list[PlannedLine], int | None, str]]:
    reserved: dict[int, int] = defaultdict(int)
    for line_id, quantity in Reservation.objects.filter(
        order_id=order.pk, state__in=(Reservation.ACTIVE, Reservation.COMMITTED)
    ).values_list("order_line_id", "quantity"):
        reserved[line_id] += quantity
    later = set(later_skus)
    now_box, later_box = [], []
    for line_id, sku, quantity in order.lines.order_by("position").values_list("pk", "sku", "quantity"):
        in_stock = 0 if sku in later else min(quantity, reserved[line_id])
        if in_stock:
            now_box.append(PlannedLine(order.pk, line_id, in_stock))
        if quantity - in_stock:
            later_box.append(PlannedLine(order.pk, line_id, quantity - in_stock))
    return [(now_box, None, "in stock: ship now"), (later_box, None, "presale / out of stock: ship later")]


def _split_by_hand(order: Order, boxes: Sequence[Sequence[dict]]) -> list[tuple[list[PlannedLine], int | None, str]]:
    lines = dict(order.lines.values_list("pk", "quantity"))
    planned: list[tuple[list[PlannedLine], int | None, str]] = []
    totals: dict[int, int] = defaultdict(int)
    for b, box in enumerate(boxes):
        if not isinstance(box, list | tuple) or not box:
            raise InvalidInput(details={f"parcels[{b}]": "a non-empty list of {line, quantity}"})
        entries = []
        for i, entry in enumerate(box):
            field = f"parcels[{b}][{i}]"
            line_id, quantity = (entry or {}).get("line") if isinstance(entry, dict) else None, None
            if isinstance(entry, dict):
                quantity = entry.get("quantity")
            if not isinstance(line_id, int) or line_id not in lines:
                raise InvalidInput(details={f"{field}.line": f"not a line of order {order.number}"})
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
                raise InvalidInput(details={f"{field}.quantity": "a whole number of at least 1"})
            totals[line_id] += quantity
            entries.append(PlannedLine(order.pk, line_id, quantity))
        planned.append((entries, None, ""))
    for line_id, quantity in lines.items():
        if totals[line_id] != quantity:
            raise InvalidInput(
                details={"parcels": f"line {line_id} has {quantity} unit(s); the parcels hold {totals[line_id]}"}
            )
    return planned


def order_split(
    *,
    order_id: int,
    actor: Actor,
    by: str | None = None,
    parcels: Sequence[Sequence[dict]] | None = None,
    later_skus: Sequence[str] = (),
) -> list[Parcel]:
    """Spreads the order's lines over several parcels: ``by="warehouse"`` (one parcel per
    warehouse its reservations are in, plus one for units not reserved), ``by="availability"``
    (reserved units now; units not reserved and the ``later_skus`` — presale — later), or by
    hand (``parcels``: lists of ``{line, quantity}`` that together hold every unit exactly).

    The order must be unshipped (as for a merge) and not in a merged parcel (un-merge first);
    its planned parcels are replaced. A plan that would leave one parcel is ``SplitRefused``.
    """
    if (by is None) == (parcels is None):
        raise InvalidInput(details={"by": f"either by ({', '.join(SPLIT_BY)}) or parcels"})
    if by is not None and by not in SPLIT_BY:
        raise InvalidInput(details={"by": f"one of {', '.join(SPLIT_BY)}"})
    if parcels is not None and not (isinstance(parcels, list | tuple) and 2 <= len(parcels) <= MAX_PARCELS_PER_SPLIT):
        raise InvalidInput(details={"parcels": f"2 to {MAX_PARCELS_PER_SPLIT} parcels"})
    with transaction.atomic():
        order = _lock_orders([order_id])[order_id]
        problems: dict[str, str] = {}
        _order_unshipped(order, problems, "order")
        current = _active_parcel_lines([order_id])
        held = _lock_parcels(line.parcel_id for line in current)
        for parcel in held.values():
            if parcel.kind == Parcel.MERGED:
                problems["order"] = f"order {order.number} is merged in parcel {parcel.number}; un-merge it first"
            elif parcel.status != Parcel.PLANNED:
                problems["order"] = f"parcel {parcel.number} is {parcel.status}; it cannot be re-boxed"
        if problems:
            raise SplitRefused(details=problems)
        if by == BY_WAREHOUSE:
            plan = _split_by_warehouse(order)
        elif by == BY_AVAILABILITY:
            plan = _split_by_availability(order, later_skus)
        else:
            plan = _split_by_hand(order, parcels or ())
        plan = [box for box in plan if box[0]]
        if len(plan) < 2:
            raise SplitRefused(details={"by": f"order {order.number} would still be one parcel ({by or 'parcels'})"})
        replaced = _cancel(held.values())
        created = [_create(Parcel.SPLIT, lines, warehouse_id=wid, note=note) for lines, wid, note in plan]
        _audit(
            [order_id],
            PARCEL_SPLIT,
            actor,
            {
                "by": by or "hand",
                "parcels": [
                    {"parcel": p.number, "lines": {str(x.line_id): x.quantity for x in box[0]}}
                    for p, box in zip(created, plan, strict=True)
                ],
                **({"replaced": replaced} if replaced else {}),
            },
        )
    return created


def order_parcels_ensure(*, order_id: int, actor: Actor) -> list[Parcel]:
    """The order's active parcels; an order with none gets one planned parcel holding it whole
    (what a waybill is requested for). Idempotent."""
    with transaction.atomic():
        order = _lock_orders([order_id])[order_id]
        existing = parcels_of_order(order_id=order_id)
        if existing:
            return existing
        problems: dict[str, str] = {}
        _order_unshipped(order, problems, "order")
        if problems:
            raise Conflict(details=problems)
        warehouses = _reserved_warehouses([order_id])
        return [
            _create(
                Parcel.SINGLE,
                _whole_orders([order_id]),
                warehouse_id=next(iter(warehouses)) if len(warehouses) == 1 else None,
            )
        ]


def parcel_waybill_record(
    *, parcel_id: int, courier: str, carrier: str, tracking_no: str, waybill: dict, idempotency_key: str, actor: Actor
) -> tuple[Parcel, bool]:
    """Stores the tracking number (and the label's routing data) the courier's order API gave the
    parcel. Idempotent on ``idempotency_key`` (unique): the same request again answers the stored
    parcel and ``False``. A parcel already waybilled under another key is a ``Conflict``."""
    stored = Parcel.objects.filter(waybill_key=idempotency_key).first()
    if stored is not None:
        return stored, False
    order_ids = _orders_of(parcel_id)
    if not order_ids:
        raise ParcelNotFound(details={"parcel": parcel_id})
    with transaction.atomic():
        _lock_orders(order_ids)
        parcel = _lock_parcels([parcel_id])[parcel_id]
        if parcel.waybill_key == idempotency_key:
            return parcel, False  # the same request, recorded while this one waited for the lock
        if parcel.status != Parcel.PLANNED:
            raise ParcelNotChangeable(
                details={"parcel": parcel.number, "status": parcel.status, "tracking_no": parcel.tracking_no}
            )
        parcel.courier, parcel.carrier, parcel.tracking_no = courier, carrier, tracking_no
        parcel.waybill, parcel.waybill_key = waybill, idempotency_key
        parcel.status, parcel.waybilled_at = Parcel.WAYBILLED, timezone.now()
        try:
            with transaction.atomic():
                parcel.save()
        except IntegrityError:
            raise Conflict(details={"tracking_no": f"{tracking_no} is another parcel's"}) from None
        _audit(
            order_ids,
            PARCEL_WAYBILLED,
            actor,
            {"parcel": parcel.number, "courier": courier, "carrier": carrier, "tracking_no": tracking_no},
        )
    return parcel, True


def parcel_waybill_key(parcel: Parcel, courier: str) -> str:
    """The waybill request's idempotency key: one waybill per parcel, courier and attempt (a
    cancelled waybill's successor is a new request)."""
    return f"waybill:{parcel_courier_order_id(parcel)}:{courier}"


def parcel_courier_order_id(parcel: Parcel) -> str:
    """The order number the courier knows the parcel's current waybill by: the parcel number, then
    ``<number>-<k>`` after k cancels (couriers never take a cancelled order number again)."""
    return parcel.number if not parcel.waybill_cancels else f"{parcel.number}-{parcel.waybill_cancels}"


def parcel_waybill_cancel_check(*, parcel_id: int) -> Parcel:
    """The parcel, when its waybill may be cancelled (waybilled, not shipped); else ``WaybillNotCancellable``."""
    parcel = parcel_find(parcel_id=parcel_id)
    if parcel is None:
        raise ParcelNotFound(details={"parcel": parcel_id})
    if parcel.status != Parcel.WAYBILLED or not parcel.tracking_no:
        raise WaybillNotCancellable(
            details={"parcel": parcel.number, "status": parcel.status, "tracking_no": parcel.tracking_no}
        )
    return parcel


def parcel_waybill_cancel_record(*, parcel_id: int, tracking_no: str, actor: Actor, reason: str = "") -> Parcel:
    """The courier cancelled the parcel's waybill ``tracking_no``: the parcel is back to ``planned``
    with no courier, number or label, so a new waybill can be requested (under the next courier
    order number, ``parcel_courier_order_id``). Under the orders' and the parcel's locks; audited on
    each order's timeline. A parcel that no longer holds ``tracking_no`` (cancelled meanwhile, or
    shipped) is ``WaybillNotCancellable``: nothing changes."""
    order_ids = _orders_of(parcel_id)
    if not order_ids:
        raise ParcelNotFound(details={"parcel": parcel_id})
    with transaction.atomic():
        _lock_orders(order_ids)
        parcel = _lock_parcels([parcel_id])[parcel_id]
        if parcel.status != Parcel.WAYBILLED or parcel.tracking_no != tracking_no:
            raise WaybillNotCancellable(
                details={"parcel": parcel.number, "status": parcel.status, "tracking_no": parcel.tracking_no}
            )
        courier, carrier = parcel.courier, parcel.carrier
        parcel.courier = parcel.carrier = parcel.tracking_no = parcel.waybill_key = ""
        parcel.waybill, parcel.waybilled_at = {}, None
        parcel.status = Parcel.PLANNED
        parcel.waybill_cancels += 1  # under the parcel's row lock
        parcel.save()
        _audit(
            order_ids,
            PARCEL_WAYBILL_CANCELLED,
            actor,
            {
                "parcel": parcel.number,
                "courier": courier,
                "carrier": carrier,
                "tracking_no": tracking_no,
                "reason": reason,
            },
        )
    return parcel


def parcel_ship(*, parcel_id: int, actor: Actor) -> Parcel:
    """The waybilled parcel is handed to its courier: each order it carries gets its shipment (the
    parcel's tracking number, ``shipment.created``), then moves to ``shipped`` if this was its
    last parcel to leave — else to ``processing``, with "parcel k of n shipped" on its timeline.
    Idempotent: a shipped parcel again changes nothing."""
    order_ids = _orders_of(parcel_id)
    if not order_ids:
        raise ParcelNotFound(details={"parcel": parcel_id})
    with transaction.atomic():
        _lock_orders(order_ids)
        parcel = _lock_parcels([parcel_id])[parcel_id]
        if parcel.status == Parcel.SHIPPED:
            return parcel
        if parcel.status != Parcel.WAYBILLED:
            raise ParcelNotChangeable(
                "The parcel needs a waybill (tracking number) before it ships.",
                details={"parcel": parcel.number, "status": parcel.status},
            )
        parcel.status, parcel.shipped_at = Parcel.SHIPPED, timezone.now()
        parcel.save(update_fields=["status", "shipped_at"])
        for order_id in order_ids:
            shipment_create(
                order_id=order_id,
                courier=parcel.courier,
                carrier=parcel.carrier,
                tracking_no=parcel.tracking_no,
                parcel_id=parcel.pk,
                actor=actor,
            )
            mine = parcels_of_order(order_id=order_id)
            left = [p.number for p in mine if p.status != Parcel.SHIPPED]
            _audit(
                [order_id],
                PARCEL_SHIPPED,
                actor,
                {
                    "parcel": parcel.number,
                    "tracking_no": parcel.tracking_no,
                    "shipped": f"{len(mine) - len(left)} of {len(mine)}",
                    **({"parcels_left": left} if left else {}),
                },
            )
            reason = f"parcel {parcel.number} shipped: {parcel.courier} {parcel.tracking_no}"
            key = f"parcel:{parcel.pk}:shipped:{order_id}"
            if left:
                order_transition(
                    order_id=order_id, to=order_statuses.PROCESSING, actor=actor, reason=reason, idempotency_key=key
                )
            else:
                order_transition(
                    order_id=order_id, to=order_statuses.SHIPPED, actor=actor, reason=reason, idempotency_key=key
                )
    return parcel


def parcel_skus_of_order(*, parcel_id: int, order_id: int) -> set[str]:
    """The SKUs of the order's lines that this parcel carries (a split parcel's share)."""
    return set(
        ParcelLine.objects.filter(parcel_id=parcel_id, order_id=order_id).values_list("order_line__sku", flat=True)
    )


def parcel_quantities_of_order(*, parcel_id: int, order_id: int) -> dict[str, int]:
    """SKU → units of the order that this parcel carries (a split parcel's share, for write-back)."""
    carried: dict[str, int] = {}
    for sku, quantity in ParcelLine.objects.filter(parcel_id=parcel_id, order_id=order_id).values_list(
        "order_line__sku", "quantity"
    ):
        carried[sku] = carried.get(sku, 0) + quantity
    return carried


def order_is_split(*, order_id: int) -> bool:
    """Whether the order ships in more than one active parcel."""
    return len(parcels_of_order(order_id=order_id)) > 1
