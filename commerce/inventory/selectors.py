from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum

from .models import Reservation, StockItem, StockMovement


def stock_list(*, filters: dict | None = None) -> QuerySet[StockItem]:
    """Stock rows; ``filters`` keys: sku, warehouse (code), low_stock (bool)."""
    qs = StockItem.objects.select_related("warehouse")
    f = filters or {}
    if f.get("sku"):
        qs = qs.filter(sku=f["sku"])
    if f.get("warehouse"):
        qs = qs.filter(warehouse__code=f["warehouse"])
    if f.get("low_stock") is True:
        qs = qs.filter(on_hand__lte=F("reserved") + F("safety_stock"))
    elif f.get("low_stock") is False:
        qs = qs.filter(on_hand__gt=F("reserved") + F("safety_stock"))
    return qs


def stock_movements(*, stock_item_id: int) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(stock_item_id=stock_item_id).select_related("order").order_by("id")


@dataclass(frozen=True)
class StockDifference:
    """One stock row whose stored counter disagrees with what the ledger or the reservations say."""

    stock_item_id: int
    sku: str
    warehouse: str
    field: str  # "on_hand", "reserved" (ledger replay) or "reserved_vs_reservations"
    stored: int
    expected: int


def stock_ledger_differences() -> list[StockDifference]:
    """Replays the ``StockMovement`` ledger and compares it with every stock row.

    For each row: ``on_hand`` and ``reserved`` must equal the sum of ``StockMovement.EFFECT`` over
    its movements (adjustments carry a signed quantity), and ``reserved`` must equal the sum of
    its active reservations. Three aggregate queries, whatever the size of the ledger; an empty
    list means every row is whole.
    """
    on_hand: dict[int, int] = defaultdict(int)
    reserved: dict[int, int] = defaultdict(int)
    totals = StockMovement.objects.order_by().values("stock_item_id", "kind").annotate(total=Sum("quantity"))
    for t in totals:
        on_hand_effect, reserved_effect = StockMovement.EFFECT[t["kind"]]
        on_hand[t["stock_item_id"]] += on_hand_effect * t["total"]
        reserved[t["stock_item_id"]] += reserved_effect * t["total"]
    active = dict(
        Reservation.objects.filter(state=Reservation.ACTIVE)
        .order_by()
        .values("stock_item_id")
        .annotate(total=Sum("quantity"))
        .values_list("stock_item_id", "total")
    )
    differences = []
    rows = StockItem.objects.order_by("pk").values_list("pk", "sku", "warehouse__code", "on_hand", "reserved")
    for pk, sku, warehouse, stored_on_hand, stored_reserved in rows.iterator(chunk_size=2000):
        for field, stored, expected in (
            ("on_hand", stored_on_hand, on_hand[pk]),
            ("reserved", stored_reserved, reserved[pk]),
            ("reserved_vs_reservations", stored_reserved, active.get(pk, 0)),
        ):
            if stored != expected:
                differences.append(StockDifference(pk, sku, warehouse, field, stored, expected))
    return differences


def order_active_reservations(*, order_id: int) -> list[tuple[int, str, int]]:
    """The order's active (reserved, unpaid) reservations as (reservation id, SKU, quantity), by id."""
    active = Reservation.objects.filter(order_id=order_id, state=Reservation.ACTIVE).order_by("id")
    return list(active.values_list("pk", "stock_item__sku", "quantity"))


def order_stock_rows(*, order_id: int) -> list[StockItem]:
    """The stock rows the order's reservations (of any state) were taken from, by id, with their warehouse."""
    return list(
        StockItem.objects.filter(reservations__order_id=order_id).select_related("warehouse").distinct().order_by("id")
    )
