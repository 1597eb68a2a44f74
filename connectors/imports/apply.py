"""Checking a whole order file, then applying its orders through the order centre one by one.

``orders_checked`` reads every row and checks it — its shape (``mapping.orders_read``), then the
catalog (every SKU known and active) — and raises ``OrderImportInvalid`` naming every bad row
before anything is written: one bad row imports nothing.

``orders_apply`` then hands each order to ``order_ingest``, the one way a channel's view of an order
enters Orderflow: idempotent on channel + external id (a file uploaded twice creates no order
twice) and ignoring a view not newer than the one stored. Each order is its own transaction, as
for a webhook or a poll: an import of thousands of orders never holds the stock rows' locks (or
SQLite's one write lock) for more than one order, so live orders are not kept waiting behind it.
What the checks cannot foresee — stock taken by a live order a moment earlier, a move the status
machine forbids for an order already stored — refuses that order alone; it is counted as failed
and named by its first row, and the rest go in. Uploading the corrected file again applies what is
missing and leaves the rest as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from commerce.catalog.selectors import products_by_sku
from commerce.channels.models import Channel
from commerce.orders.services import AddressInput, CustomerInput, LineInput, OrderInput, order_ingest
from core.actors import Actor
from core.errors import DomainError

from .mapping import SKU, ColumnMap, ImportedOrder, RowErrors, orders_read, skus_named
from .parse import Progress, no_progress, rows_open

SKU_CHUNK = 500


@dataclass(frozen=True)
class CheckedFile:
    orders: list[ImportedOrder]
    rows: int  # data rows, blank ones not counted
    file_format: str
    encoding: str


@dataclass(frozen=True)
class OrderImportResult:
    rows: int
    orders: int
    created: int
    updated: int
    ignored: int  # stored already, and the file's view of it was not newer
    failed: int  # refused by the order centre when applied; named in ``errors``
    errors: dict[str, str]


def orders_checked(
    *, content: bytes, filename: str, mapping: ColumnMap, progress: Progress = no_progress, total: int = 0
) -> CheckedFile:
    """Every row read and checked; raises ``OrderImportInvalid`` (every bad row named) or ``OrderImportTooLarge``."""
    rows = rows_open(content, filename)
    errors = RowErrors()
    orders = orders_read(rows=rows, mapping=mapping, errors=errors, progress=progress, total=total)
    progress("reading", rows.read, rows.read)
    progress("checking", 0, 0)
    known: set[str] = set()
    named = skus_named(orders)
    wanted = sorted(named)
    for start in range(0, len(wanted), SKU_CHUNK):
        known |= set(products_by_sku(wanted[start : start + SKU_CHUNK]))
    label = mapping.columns.get(SKU, SKU)
    for sku in wanted:
        if sku not in known:
            for row in named[sku]:
                errors.add(row, SKU, f"{label}: unknown SKU {sku!r} (not in the catalog, or not sold any more)")
    errors.raise_if_any()
    return CheckedFile(orders=orders, rows=rows.read, file_format=rows.file_format, encoding=rows.encoding)


def order_input(order: ImportedOrder, channel: Channel) -> OrderInput:
    return OrderInput(
        channel=channel,
        external_id=order.external_id,
        customer=CustomerInput(name=order.customer_name, phone=order.phone),
        shipping_address=AddressInput(
            province=order.province, city=order.city, district=order.district, line=order.address
        ),
        lines=[LineInput(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price) for line in order.lines],
        status=order.status,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        channel_updated_at=order.viewed_at,
    )


def orders_apply(
    *,
    orders: list[ImportedOrder],
    channel: Channel,
    actor: Actor,
    progress: Progress = no_progress,
    tally: Callable[[Mapping[str, int]], None] | None = None,
) -> OrderImportResult:
    """Ingests each order in its own transaction (see the module's docstring); after each, ``tally``
    gets the outcomes so far (``created``, ``updated``, ``ignored``, ``failed``) and ``progress`` is
    told ``("applying", rows done, rows)``. An error that is not the order centre's refusal (the
    database gone) stops the import where it is; what was applied stays applied, and applying the
    same orders again completes it."""
    total = sum(len(order.rows) for order in orders)
    outcomes: Counter[str] = Counter()
    refused = RowErrors()
    done = 0
    for order in orders:
        try:
            result = order_ingest(data=order_input(order, channel), actor=actor)
        except DomainError as exc:
            outcomes["failed"] += 1
            why = "; ".join(f"{key}: {value}" for key, value in exc.details.items())
            message = f"order {order.external_id!r} was not imported: {exc.code}: {exc.message}"
            refused.add(order.rows[0], None, f"{message} ({why})" if why else message)
        else:
            outcomes[result.outcome] += 1
        done += len(order.rows)
        if tally is not None:
            tally(outcomes)
        progress("applying", done, total)
    return OrderImportResult(
        rows=total,
        orders=len(orders),
        created=outcomes["created"],
        updated=outcomes["updated"],
        ignored=outcomes["ignored"],
        failed=outcomes["failed"],
        errors=refused.details() if refused.count else {},
    )
