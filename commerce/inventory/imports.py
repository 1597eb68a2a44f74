"""Stock levels from a CSV file: one service for ``manage.py import_stock FILE`` and ``POST /api/v1/inventory/import/``.

The file is UTF-8 (a byte-order mark is fine), comma-separated, with a header row naming exactly
``sku,warehouse,on_hand,safety_stock`` and at most ``MAX_ROWS`` data rows. Each row sets one
stock row's ``on_hand`` (a count: the absolute number on the shelf) and ``safety_stock``.

All or nothing: every row is checked first — columns, whole non-negative numbers, known SKU and
active warehouse, no (sku, warehouse) twice, ``on_hand`` not below what is reserved — and one bad
row refuses the whole file with every error named by row (``rows[7].on_hand``; the header is row
1, as a spreadsheet numbers them). A good file is applied in one transaction: ``on_hand`` moves
through an ``adjustment`` movement carrying the difference, so the ledger still replays to the
stock rows (``stock_audit``), and ``inventory.low_stock`` fires for rows that cross their safety
stock.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.db import connection, transaction
from django.utils import timezone

from commerce.audit.actors import Actor
from commerce.catalog.selectors import products_by_sku

from .errors import StockImportInvalid, StockImportTooLarge
from .lock_objects import stock_rows_lock
from .models import StockItem, StockMovement, Warehouse
from .services import ID_CHUNK, _low_stock_check, _movement

HEADER = ("sku", "warehouse", "on_hand", "safety_stock")
MAX_ROWS = 50_000
MAX_QUANTITY = 1_000_000_000
# A file with thousands of bad rows gets the first ones named and a count of the rest.
MAX_ERRORS_REPORTED = 200
SKU_MAX_LENGTH = StockItem._meta.get_field("sku").max_length
PROGRESS_EVERY = 1000

# ASCII digits only: int() alone would also take "١٢", "1_000" and " 7 ".
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")

# (phase, done, total): phase is "reading", "checking" or "applying"; total is 0 while unknown.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class StockLevel:
    row: int
    sku: str
    warehouse: str
    on_hand: int
    safety_stock: int


@dataclass(frozen=True)
class StockImportResult:
    rows: int
    created: int  # stock rows that did not exist before
    changed: int  # rows whose on_hand or safety_stock the file changed
    unchanged: int
    movements: int  # adjustment movements written (one per changed on_hand)


class _Errors:
    """Collects every error by row; reports the first ``MAX_ERRORS_REPORTED`` in row order and counts the rest."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str, str]] = []

    @property
    def count(self) -> int:
        return len(self.found)

    def add(self, row: int, column: str | None, message: str) -> None:
        key = f"rows[{row}].{column}" if column else f"rows[{row}]"
        self.found.append((row, len(self.found), key, message))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        shown = sorted(self.found)[:MAX_ERRORS_REPORTED]
        details = {key: message for _row, _seen, key, message in shown}
        if len(self.found) > len(shown):
            details["more_errors"] = f"{len(self.found) - len(shown)} more error(s) not listed"
        raise StockImportInvalid(details=details)


def _noop_progress(phase: str, done: int, total: int) -> None:
    return None


def _quantity(value: str, *, row: int, column: str, errors: _Errors) -> int | None:
    text = value.strip()
    if not text:
        errors.add(row, column, "required")
        return None
    if not _WHOLE_NUMBER.fullmatch(text):
        errors.add(row, column, f"not a whole number: {value!r}")
        return None
    number = int(text)
    if number < 0:
        errors.add(row, column, f"must not be negative, got {number}")
        return None
    if number > MAX_QUANTITY:
        errors.add(row, column, f"larger than {MAX_QUANTITY}")
        return None
    return number


def stock_levels_read(*, file: IO[bytes], errors: _Errors, progress: Progress = _noop_progress) -> list[StockLevel]:
    """Parses the file and checks each row's shape; returns the well-formed rows, noting the rest in ``errors``.

    Raises ``StockImportInvalid`` at once for an empty file, a wrong header, text that is not
    UTF-8 or broken CSV quoting (nothing after it can be trusted), and ``StockImportTooLarge``
    as soon as row ``MAX_ROWS + 1`` is read — without reading the rest of the file.
    """
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    row_number = 1
    levels: list[StockLevel] = []
    first_seen: dict[tuple[str, str], int] = {}
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise StockImportInvalid(details={"file": f"empty; expected the header {','.join(HEADER)}"})
        if tuple(cell.strip().lower() for cell in header) != HEADER:
            raise StockImportInvalid(
                details={"header": f"expected the columns {','.join(HEADER)}, got {','.join(header)}"}
            )
        data_rows = 0
        for row_number, record in enumerate(reader, start=2):
            if not "".join(record).strip():
                continue  # blank lines, such as a trailing one, are not rows
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise StockImportTooLarge(
                    details={
                        "file": f"more than {MAX_ROWS} data rows (row {row_number} is one too many); split the file",
                        "max_rows": MAX_ROWS,
                    }
                )
            if data_rows % PROGRESS_EVERY == 0:
                progress("reading", data_rows, 0)
            level = _level(row_number, record, errors)
            if level is None:
                continue
            key = (level.sku, level.warehouse)
            if key in first_seen:
                errors.add(row_number, "sku", f"{level.sku} in {level.warehouse} is already on row {first_seen[key]}")
                continue
            first_seen[key] = row_number
            levels.append(level)
        if data_rows == 0 and not errors.count:
            raise StockImportInvalid(details={"file": "no data rows after the header"})
    except UnicodeDecodeError as exc:
        raise StockImportInvalid(details={"file": f"not UTF-8 text (near row {row_number}): {exc.reason}"}) from exc
    except csv.Error as exc:
        raise StockImportInvalid(details={f"rows[{row_number + 1}]": f"not valid CSV: {exc}"}) from exc
    finally:
        text.detach()  # the caller owns the file; do not close it
    return levels


def _level(row_number: int, record: list[str], errors: _Errors) -> StockLevel | None:
    if len(record) != len(HEADER):
        errors.add(row_number, None, f"expected {len(HEADER)} columns ({','.join(HEADER)}), got {len(record)}")
        return None
    sku, warehouse = record[0].strip(), record[1].strip()
    count_before = errors.count
    if not sku:
        errors.add(row_number, "sku", "required")
    elif len(sku) > SKU_MAX_LENGTH:
        errors.add(row_number, "sku", f"longer than {SKU_MAX_LENGTH} characters")
    if not warehouse:
        errors.add(row_number, "warehouse", "required")
    on_hand = _quantity(record[2], row=row_number, column="on_hand", errors=errors)
    safety_stock = _quantity(record[3], row=row_number, column="safety_stock", errors=errors)
    if errors.count != count_before or on_hand is None or safety_stock is None:
        return None
    return StockLevel(row_number, sku, warehouse, on_hand, safety_stock)


def _chunks(items: list, size: int = ID_CHUNK):
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


def _below_reserved(levels, reserved: dict[tuple[str, int], int], warehouse_ids, errors: _Errors) -> None:
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
    *, file: IO[bytes], actor: Actor, reason: str = "stock import", progress: Progress = _noop_progress
) -> StockImportResult:
    """Checks every row of the CSV ``file``, then sets each row's stock level — all rows or none.

    Raises ``StockImportInvalid`` (``details`` names every bad row and column) or
    ``StockImportTooLarge``; then nothing has changed. Otherwise, in one transaction: creates
    missing stock rows, locks all the file's rows in id order (``stock_rows_lock``), checks
    ``on_hand`` against ``reserved`` again under the lock (an order may have reserved since the
    first check), writes one ``adjustment`` movement per changed ``on_hand`` with the difference,
    sets ``on_hand`` and ``safety_stock``, and runs the low-stock check.
    """
    errors = _Errors()
    levels = stock_levels_read(file=file, errors=errors, progress=progress)
    total = len(levels)

    with transaction.atomic():
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
        movements: list[StockMovement] = []
        for done, lv in enumerate(levels, start=1):
            row = current[(lv.sku, warehouse_ids[lv.warehouse])]
            delta = lv.on_hand - row.on_hand
            if delta:
                movements.append(_movement(row.pk, StockMovement.ADJUSTMENT, delta, actor=actor, reason=reason))
            if delta or lv.safety_stock != row.safety_stock:
                row.on_hand, row.safety_stock, row.updated_at = lv.on_hand, lv.safety_stock, now
                changed_rows.append(row)
            if done % PROGRESS_EVERY == 0:
                progress("applying", done, total)
        # Safe to write absolute values: every row is locked by this transaction since it was read.
        _write_levels(changed_rows, now=now)
        StockMovement.objects.bulk_create(movements, batch_size=ID_CHUNK)
        _low_stock_check([row.pk for row in changed_rows], actor=actor)
        progress("applying", total, total)

    return StockImportResult(
        rows=total,
        created=len(missing),
        changed=len(changed_rows),
        unchanged=total - len(changed_rows),
        movements=len(movements),
    )
