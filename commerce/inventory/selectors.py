from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum

from commerce.catalog.models import Product

from .models import ChannelWarehouse, Reservation, StockItem, StockMovement, Warehouse


def stock_list(*, filters: dict | None = None) -> QuerySet[StockItem]:
    """Stock rows, each with its product's title (``product_title``, ``None`` for a SKU the catalog lacks).

    ``filters`` keys: sku, q (SKU or title holding it, any case), warehouse (code), low_stock (bool).
    """
    qs = StockItem.objects.select_related("warehouse").annotate(
        product_title=Subquery(Product.objects.filter(sku=OuterRef("sku")).values("title")[:1])
    )
    f = filters or {}
    if f.get("sku"):
        qs = qs.filter(sku=f["sku"])
    if f.get("q"):
        term = f["q"]
        titled = Product.objects.filter(title__icontains=term).values("sku")
        qs = qs.filter(Q(sku__icontains=term) | Q(sku__in=titled))
    if f.get("warehouse"):
        qs = qs.filter(warehouse__code=f["warehouse"])
    if f.get("low_stock") is True:
        qs = qs.filter(on_hand__lte=F("reserved") + F("safety_stock"))
    elif f.get("low_stock") is False:
        qs = qs.filter(on_hand__gt=F("reserved") + F("safety_stock"))
    return qs


def stock_movements(*, stock_item_id: int) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(stock_item_id=stock_item_id).select_related("order").order_by("id")


def channel_stock(channel, skus) -> tuple[list[int], dict]:
    """The warehouses that serve ``channel``, in serving order, and the stock rows of ``skus`` there, in one query.

    The channel-to-warehouse rule, written here only: a channel with its own ranking
    (``ChannelWarehouse``) is served from its ranked active warehouses alone, in rank order — even
    when all of them are inactive, which means none; warehouse priority (then code) decides only
    for a channel without one.

    Returns the warehouse ids in serving order and the rows keyed by (sku, warehouse id). Only
    warehouses holding a row for one of the SKUs are listed: one without could serve none of
    them, so no plan changes.
    """
    ranks = ChannelWarehouse.objects.filter(channel_id=channel.pk).order_by()
    found = list(
        StockItem.objects.filter(warehouse__active=True, sku__in=sorted(skus))
        .order_by()  # sorted below, by the rule
        .annotate(
            priority=F("warehouse__priority"),
            code=F("warehouse__code"),
            rank=Subquery(ranks.filter(warehouse_id=OuterRef("warehouse_id")).values("rank")[:1]),
            channel_ranks_own=Exists(ranks),
        )
        .values_list(
            "id", "sku", "warehouse_id", "on_hand", "reserved", "priority", "code", "rank", "channel_ranks_own"
        )
    )
    if found and found[0][8]:
        # The channel ranks its own warehouses: those alone serve it, in its order.
        ranked = sorted((r for r in found if r[7] is not None), key=lambda r: (r[7], r[2]))
    else:
        ranked = sorted(found, key=lambda r: (r[5], r[6]))
    stock = {
        (sku, wid): {"id": pk, "sku": sku, "warehouse_id": wid, "on_hand": on_hand, "reserved": reserved}
        for pk, sku, wid, on_hand, reserved, *_rest in ranked
    }
    return list(dict.fromkeys(r[2] for r in ranked)), stock


def channel_available(channel, skus=None) -> dict[str, int]:
    """What ``channel`` could sell of each SKU now: ``on_hand - reserved`` summed over the
    warehouses that serve it (by the rule of ``channel_stock``). ``skus=None``: every SKU stocked.

    Summed even for a channel that serves each line from one warehouse: a platform shows one
    number per SKU, and an order larger than any single warehouse's stock is held by the
    reservation (which is the invariant), not by this figure.
    """
    if skus is None:
        skus = set(StockItem.objects.values_list("sku", flat=True).distinct())
    totals = dict.fromkeys(skus, 0)
    if not totals:
        return totals
    _, stock = channel_stock(channel, totals)
    for row in stock.values():
        totals[row["sku"]] += max(0, row["on_hand"] - row["reserved"])
    return totals


def stock_changed_skus(*, since) -> set[str]:
    """The SKUs whose stock rows changed at or after ``since`` (every stock write sets ``updated_at``)."""
    return set(StockItem.objects.filter(updated_at__gte=since).values_list("sku", flat=True).distinct())


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


def skus_in_stock(*, limit: int = 200, at_least: int = 1) -> list[str]:
    """SKUs of active products with at least ``at_least`` available over all active warehouses, by SKU
    (what a sandbox shop offers, so its demo orders can be reserved)."""
    active = Product.objects.filter(active=True).values("sku")
    totals = (
        StockItem.objects.filter(warehouse__active=True, sku__in=active)
        .values("sku")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
        .order_by("sku")
        .values_list("sku", "free")
    )
    return [sku for sku, free in totals if free >= at_least][:limit]


def stock_of_skus(skus) -> dict[str, list[StockItem]]:
    """The stock rows of ``skus`` in active warehouses, by SKU, each SKU's rows in serving order, in one query."""
    wanted = sorted(set(skus))
    rows: dict[str, list[StockItem]] = {sku: [] for sku in wanted}
    if not wanted:
        return rows
    for row in (
        StockItem.objects.filter(sku__in=wanted, warehouse__active=True)
        .select_related("warehouse")
        .order_by("warehouse__priority", "warehouse__code")
    ):
        rows[row.sku].append(row)
    return rows


def warehouses_active() -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(active=True).order_by("priority", "code")
