"""Applying checked stock levels: all rows or none, in one transaction, under the stock rows' locks.

Each row's ``on_hand`` moves through an ``adjustment`` movement carrying the difference, so the
ledger still replays to the stock rows (``stock_audit``); a changed ``safety_stock`` writes the
audit entry ``stock_set_safety`` writes (``safety``); ``inventory.low_stock`` fires for rows that
cross their safety stock.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.db import connection, transaction
from django.utils import timezone

from commerce.catalog.selectors import products_by_sku
from core.actors import Actor
from core.db import custom_plans

from ..lock_objects import stock_rows_lock
from ..models import StockItem, StockMovement, Warehouse
from ..safety import safety_changes_audit
from ..services import ID_CHUNK, movement_build, stock_low_check
from .parse import PROGRESS_EVERY, Progress, RowErrors, StockLevel, no_progress, stock_levels_read


@dataclass(frozen=True)
class StockImportResult:
    rows: int
    created: int  # stock rows that did not exist before
    changed: int  # rows whose on_hand or safety_stock the file changed
    unchanged: int
    movements: int  # adjustment movements written (one per changed on_hand)


def _chunks(items: list, size: int = ID_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stock_reserved(levels: list[StockLevel], warehouse_ids: dict[str, int]) -> dict[tuple[str, int], tuple[int, int]]:
    """``{(sku, warehouse id): (stock row id, reserved)}`` for the rows of ``levels`` that exist (unlocked)."""
    wanted = {(lv.sku, warehouse_ids[lv.warehouse]) for lv in levels}
    found: dict[tuple[str, int], tuple[int, int]] = {}
    for skus in _chunks(sorted({sku for sku, _w in wanted})):
        rows = StockItem.objects.filter(sku__in=skus, warehouse_id__in=set(warehouse_ids.values())).values_list(
            "sku", "warehouse_id", "pk", "reserved"
        )
        for sku, warehouse_id, pk, reserved in rows:
            if (sku, warehouse_id) in wanted:
                found[(sku, warehouse_id)] = (pk, reserved)
    return found


def _below_reserved(
    levels: list[StockLevel],
    reserved: dict[tuple[str, int], int],
    warehouse_ids: dict[str, int],
    errors: RowErrors,
) -> None:
    for lv in levels:
        held = reserved.get((lv.sku, warehouse_ids[lv.warehouse]), 0)
        if lv.on_hand < held:
            errors.add(lv.row, "on_hand", f"{lv.on_hand} is below the {held} currently reserved for open orders")


def _write_levels(rows: list[StockItem], *, now) -> None:
    """Sets ``on_hand`` and ``safety_stock`` of many locked rows with one ``UPDATE … FROM (VALUES …)`` per chunk.

    ``bulk_update`` builds a ``CASE`` per row and per field, which takes minutes at 50,000 rows;
    this form runs on PostgreSQL and on SQLite (3.33+) alike. ``VALUES`` columns are ``column1…``
    on both.
    """
    table = connection.ops.quote_name(StockItem._meta.db_table)
    for chunk in _chunks(rows):
        placeholders = ", ".join(["(%s, %s, %s)"] * len(chunk))
        params = [value for row in chunk for value in (row.pk, row.on_hand, row.safety_stock)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET on_hand = v.column2, safety_stock = v.column3, updated_at = %s "
                f"FROM (VALUES {placeholders}) AS v WHERE {table}.id = v.column1",
                [now, *params],
            )


def stock_import(
    *, file: IO[bytes], actor: Actor, reason: str = "stock import", progress: Progress = no_progress
) -> StockImportResult:
    """Checks every row of the CSV ``file``, then sets each row's stock level — all rows or none.

    Raises ``StockImportInvalid`` (``details`` names every bad row and column) or
    ``StockImportTooLarge``; then nothing has changed. Otherwise as ``stock_levels_apply``.
    """
    errors = RowErrors()
    levels = stock_levels_read(file=file, errors=errors, progress=progress)
    return stock_levels_apply(levels=levels, errors=errors, actor=actor, reason=reason, progress=progress)


def stock_levels_apply(
    *, levels: list[StockLevel], errors: RowErrors, actor: Actor, reason: str, progress: Progress = no_progress
) -> StockImportResult:
    """Checks the rows ``stock_levels_read`` returned against the database, then applies them — all or none.

    In one transaction: checks SKUs, warehouses and ``on_hand`` against ``reserved``, and raises
    ``StockImportInvalid`` with these errors and those ``errors`` already holds. Otherwise creates
    missing stock rows, locks all the file's rows in id order (``stock_rows_lock``), checks
    ``on_hand`` against ``reserved`` again under the lock (an order may have reserved since the
    first check), writes one ``adjustment`` movement per changed ``on_hand`` with the difference,
    sets ``on_hand`` and ``safety_stock``, writes a ``safety_stock_set`` audit entry per changed
    safety stock (``safety.safety_changes_audit``, as ``stock_set_safety`` does), and runs the
    low-stock check.
    """
    total = len(levels)
    with transaction.atomic():
        # The file's missing stock rows are created and then read back here: plan each read for
        # the table as it is now, not as its statistics say it was (core.db).
        custom_plans()
        warehouse_ids = dict(Warehouse.objects.filter(active=True).values_list("code", "id"))
        known_skus: set[str] = set()
        for skus in _chunks(sorted({lv.sku for lv in levels})):
            known_skus |= set(products_by_sku(skus))
        checked = []
        for done, lv in enumerate(levels, start=1):
            if lv.sku not in known_skus:
                errors.add(lv.row, "sku", f"unknown SKU {lv.sku!r}")
            elif lv.warehouse not in warehouse_ids:
                errors.add(lv.row, "warehouse", f"unknown or inactive warehouse {lv.warehouse!r}")
            else:
                checked.append(lv)
            if done % PROGRESS_EVERY == 0:
                progress("checking", done, total)
        existing = _stock_reserved(checked, warehouse_ids)
        _below_reserved(checked, {key: held for key, (_pk, held) in existing.items()}, warehouse_ids, errors)
        errors.raise_if_any()
        progress("checking", total, total)

        missing = [lv for lv in levels if (lv.sku, warehouse_ids[lv.warehouse]) not in existing]
        # ignore_conflicts: a row someone else created a moment ago is simply used.
        StockItem.objects.bulk_create(
            [StockItem(sku=lv.sku, warehouse_id=warehouse_ids[lv.warehouse]) for lv in missing],
            batch_size=ID_CHUNK,
            ignore_conflicts=True,
        )
        row_ids = {key: pk for key, (pk, _held) in existing.items()}
        row_ids.update({key: pk for key, (pk, _held) in _stock_reserved(missing, warehouse_ids).items()})
        locked = stock_rows_lock(row_ids.values())
        current = {key: locked[pk] for key, pk in row_ids.items()}
        _below_reserved(levels, {key: row.reserved for key, row in current.items()}, warehouse_ids, errors)
        errors.raise_if_any()

        now = timezone.now()
        changed_rows: list[StockItem] = []
        safety_changes: list[tuple[StockItem, int, int]] = []
        movements: list[StockMovement] = []
        for done, lv in enumerate(levels, start=1):
            row = current[(lv.sku, warehouse_ids[lv.warehouse])]
            delta = lv.on_hand - row.on_hand
            if delta:
                movements.append(movement_build(row.pk, StockMovement.ADJUSTMENT, delta, actor=actor, reason=reason))
            if lv.safety_stock != row.safety_stock:
                safety_changes.append((row, row.safety_stock, lv.safety_stock))
            if delta or lv.safety_stock != row.safety_stock:
                row.on_hand, row.safety_stock, row.updated_at = lv.on_hand, lv.safety_stock, now
                changed_rows.append(row)
            if done % PROGRESS_EVERY == 0:
                progress("applying", done, total)
        # Safe to write absolute values: every row is locked by this transaction since it was read.
        _write_levels(changed_rows, now=now)
        StockMovement.objects.bulk_create(movements, batch_size=ID_CHUNK)
        safety_changes_audit(
            safety_changes,
            actor=actor,
            reason=reason,
            warehouse_codes={pk: code for code, pk in warehouse_ids.items()},
        )
        stock_low_check([row.pk for row in changed_rows], actor=actor)
        progress("applying", total, total)

    return StockImportResult(
        rows=total,
        created=len(missing),
        changed=len(changed_rows),
        unchanged=total - len(changed_rows),
        movements=len(movements),
    )
