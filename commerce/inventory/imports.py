"""Stock levels from a CSV file: one service for ``manage.py import_stock FILE`` and ``POST /api/v1/inventory/import/``.

The file is UTF-8 (a byte-order mark is fine), comma-separated, with a header row naming exactly
``sku,warehouse,on_hand,safety_stock`` and at most ``MAX_ROWS`` data rows. Each row sets one
stock row's ``on_hand`` (a count: the absolute number on the shelf) and ``safety_stock``.

All or nothing: every row is checked first — columns, whole non-negative numbers, known SKU and
active warehouse, no (sku, warehouse) twice, ``on_hand`` not below what is reserved — and one bad
row refuses the whole file with every error named by row (``rows[7].on_hand``; the header is row
1, as a spreadsheet numbers them). A good file is applied in one transaction: ``on_hand`` moves
through an ``adjustment`` movement carrying the difference, so the ledger still replays to the
stock rows (``stock_audit``), a changed ``safety_stock`` writes the audit entry
``stock_set_safety`` writes (``safety``), and ``inventory.low_stock`` fires for rows that cross
their safety stock.

Uploads (``stock_import_upload``): a file of at most ``SYNC_MAX_ROWS`` rows is applied inside the
request, as ``import_stock`` does; a larger one is stored in a ``StockImport`` row (its bytes in the
database) and applied by the django-q2 task ``stock_import_run_task``, whose progress and errors
the import row shows. Both paths check and apply exactly the same way.
"""

import csv
import hashlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from commerce.catalog.selectors import products_by_sku
from core.actors import Actor
from core.errors import Conflict, DomainError
from core.trace import bind_trace_id, current_trace_id, reset_trace_id

from .errors import StockImportInvalid, StockImportTooLarge
from .lock_objects import stock_rows_lock
from .models import StockImport, StockItem, StockMovement, Warehouse
from .safety import safety_changes_audit
from .services import ID_CHUNK, movement_build, stock_low_check

HEADER = ("sku", "warehouse", "on_hand", "safety_stock")
# A file this long is still applied in one transaction; a count of a whole large warehouse fits.
MAX_ROWS = 200_000
MAX_QUANTITY = 1_000_000_000
# A file with thousands of bad rows gets the first ones named and a count of the rest.
MAX_ERRORS_REPORTED = 200
SKU_MAX_LENGTH = StockItem._meta.get_field("sku").max_length
PROGRESS_EVERY = 1000

logger = logging.getLogger(__name__)

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


def _records(file: IO[bytes], progress: Progress = _noop_progress):
    """Yields ``(row number, cells)`` for each non-blank data row; the header is row 1.

    Raises ``StockImportInvalid`` at once for an empty file, a wrong header, text that is not
    UTF-8 or broken CSV quoting (nothing after it can be trusted), and ``StockImportTooLarge``
    as soon as row ``MAX_ROWS + 1`` is read — without reading the rest of the file.
    """
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    row_number = 1
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
            yield row_number, record
        if data_rows == 0:
            raise StockImportInvalid(details={"file": "no data rows after the header"})
    except UnicodeDecodeError as exc:
        raise StockImportInvalid(details={"file": f"not UTF-8 text (near row {row_number}): {exc.reason}"}) from exc
    except csv.Error as exc:
        raise StockImportInvalid(details={f"rows[{row_number + 1}]": f"not valid CSV: {exc}"}) from exc
    finally:
        text.detach()  # the caller owns the file; do not close it


def stock_file_rows(content: bytes) -> int:
    """The data rows of a whole file, after the checks ``_records`` makes up front (header, UTF-8,
    CSV quoting, ``MAX_ROWS``) — a fast pass that checks no row's values."""
    return sum(1 for _row in _records(io.BytesIO(content)))


def stock_levels_read(*, file: IO[bytes], errors: _Errors, progress: Progress = _noop_progress) -> list[StockLevel]:
    """Parses the file and checks each row's shape; returns the well-formed rows, noting the rest in ``errors``.

    Raises as ``_records`` describes for a file whose shape is wrong as a whole.
    """
    levels: list[StockLevel] = []
    first_seen: dict[tuple[str, str], int] = {}
    for row_number, record in _records(file, progress):
        level = _level(row_number, record, errors)
        if level is None:
            continue
        key = (level.sku, level.warehouse)
        if key in first_seen:
            errors.add(row_number, "sku", f"{level.sku} in {level.warehouse} is already on row {first_seen[key]}")
            continue
        first_seen[key] = row_number
        levels.append(level)
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
    ``StockImportTooLarge``; then nothing has changed. Otherwise as ``stock_levels_apply``.
    """
    errors = _Errors()
    levels = stock_levels_read(file=file, errors=errors, progress=progress)
    return stock_levels_apply(levels=levels, errors=errors, actor=actor, reason=reason, progress=progress)


def stock_levels_apply(
    *, levels: list[StockLevel], errors: _Errors, actor: Actor, reason: str, progress: Progress = _noop_progress
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


# --- uploads: small files in the request, large ones in the background ---------------------------

# Files up to this many data rows are applied inside the upload's request and answered 200 with the
# counts, as before; larger ones are stored and applied by a django-q2 task (202 + the import's id).
# 2,000 rows check and apply in well under a second on either database, so the request stays far
# inside any proxy's timeout, and every file the synchronous contract was written for still gets it.
SYNC_MAX_ROWS = 2_000
IMPORT_TASK = "commerce.inventory.imports.stock_import_run_task"
# Per-task limit for the worker (the cluster's default is 120 s); a full ``MAX_ROWS`` file takes a
# fraction of it on PostgreSQL. An import still ``validating`` this long after it started lost
# its worker: nothing of it was applied (the apply is one transaction that also marks it applied),
# so it is marked failed and the same file may be uploaded again.
IMPORT_TASK_TIMEOUT_SECONDS = 900
ABANDONED_AFTER = timedelta(seconds=2 * IMPORT_TASK_TIMEOUT_SECONDS)
# Reading progress is written to the import row every this many rows.
PROGRESS_SAVE_EVERY = 10_000


class StockImportInProgress(Conflict):
    """The same file (by SHA-256) is already queued or being validated; ``details`` names that import."""

    code = "stock_import_in_progress"
    message = _("This file is already being imported; follow that import instead of uploading it again.")


def stock_import_upload(*, content: bytes, filename: str, actor: Actor, user=None) -> StockImportResult | StockImport:
    """One uploaded file: applied now when it is small, otherwise queued. The API's upload service.

    First a fast pass over the whole file (``stock_file_rows``): an empty file, a wrong header,
    text that is not UTF-8, broken CSV or more than ``MAX_ROWS`` rows are refused here, before
    anything is stored. Then a file of at most ``SYNC_MAX_ROWS`` rows is imported at once
    (``stock_import``; returns its ``StockImportResult`` or raises its errors), and a larger one
    becomes a ``StockImport`` that a django-q2 task applies after this transaction commits
    (returns the import, ``queued``). The same file while an import of it is queued or being
    validated raises ``StockImportInProgress`` naming that import: a count applies absolute
    levels, so a second copy could only repeat the first, and it is most often a retried upload.
    """
    rows = stock_file_rows(content)
    reason = f"stock import {filename}"[:200]
    if rows <= SYNC_MAX_ROWS:
        return stock_import(file=io.BytesIO(content), actor=actor, reason=reason)
    content_hash = hashlib.sha256(content).hexdigest()
    _abandoned_imports_fail(content_hash=content_hash)
    try:
        with transaction.atomic():
            stock_import_row = StockImport.objects.create(
                created_by=user,
                actor_kind=actor.kind,
                actor_id=actor.id,
                actor_label=actor.label,
                source=actor.source,
                trace_id=current_trace_id(),
                filename=filename[:255],
                content_hash=content_hash,
                content=content,
                size_bytes=len(content),
                row_count=rows,
            )
            transaction.on_commit(lambda: _enqueue(stock_import_row.pk))
    except IntegrityError:
        running = StockImport.objects.filter(content_hash=content_hash, status__in=StockImport.IN_PROGRESS).first()
        if running is None:  # finished between the insert and this read: this upload may go ahead
            return stock_import_upload(content=content, filename=filename, actor=actor, user=user)
        raise StockImportInProgress(
            details={"import": running.pk, "status": running.status, "filename": running.filename}
        ) from None
    return stock_import_row


def _enqueue(import_id: int) -> None:
    """Queues the run. ``Q_CLUSTER["sync"]`` (read at call time, so tests can set it) runs it here and now."""
    sync = bool(settings.Q_CLUSTER.get("sync", False))
    async_task(IMPORT_TASK, import_id, q_options={"sync": sync, "save": False, "timeout": IMPORT_TASK_TIMEOUT_SECONDS})


def _abandoned_imports_fail(*, content_hash: str | None = None) -> None:
    stale = StockImport.objects.filter(status=StockImport.VALIDATING, started_at__lt=timezone.now() - ABANDONED_AFTER)
    if content_hash is not None:
        stale = stale.filter(content_hash=content_hash)
    stale.update(
        status=StockImport.FAILED,
        phase="",
        error_code="stock_import_abandoned",
        errors={"file": "the worker stopped before the import finished; nothing was imported — upload it again"},
        content=b"",
        finished_at=timezone.now(),
    )


def stock_import_run_task(import_id: int) -> None:
    """The django-q2 task: fetch by id, run the service."""
    stock_import_run(import_id=import_id)


def stock_import_run(*, import_id: int) -> StockImport | None:
    """Validates and applies a queued ``StockImport``; returns it finished, or ``None`` when it was not queued.

    Idempotent: the import is claimed with a conditional ``UPDATE`` (``queued`` → ``validating``),
    so a task delivered twice runs once. Reading and shape checks happen outside any transaction
    (their progress is saved as they go); the database checks, the apply and the ``applied``
    status are one transaction — all of the file or none of it, and never applied without being
    marked so. A refused file ends ``failed`` with the same row-numbered ``errors`` the synchronous
    upload answers with. The file's bytes are dropped once the import has finished.
    """
    claimed = StockImport.objects.filter(pk=import_id, status=StockImport.QUEUED).update(
        status=StockImport.VALIDATING, phase="reading", started_at=timezone.now()
    )
    if claimed != 1:
        return None
    job = StockImport.objects.get(pk=import_id)
    actor = Actor(kind=job.actor_kind, id=job.actor_id, label=job.actor_label, source=job.source)
    token = bind_trace_id(job.trace_id or current_trace_id())
    try:
        _run(job, actor)
    finally:
        reset_trace_id(token)
    return StockImport.objects.get(pk=import_id)


def _run(job: StockImport, actor: Actor) -> None:
    jobs = StockImport.objects.filter(pk=job.pk)

    def reading(phase: str, done: int, total: int) -> None:
        if done % PROGRESS_SAVE_EVERY == 0:
            jobs.update(rows_done=done)

    reason = f"stock import {job.filename}"[:200]
    try:
        errors = _Errors()
        levels = stock_levels_read(file=io.BytesIO(bytes(job.content)), errors=errors, progress=reading)
        jobs.update(phase="checking", rows_done=len(levels))
        with transaction.atomic():
            result = stock_levels_apply(levels=levels, errors=errors, actor=actor, reason=reason)
            jobs.update(
                status=StockImport.APPLIED,
                phase="",
                rows_done=result.rows,
                created=result.created,
                changed=result.changed,
                unchanged=result.unchanged,
                movements=result.movements,
                content=b"",
                finished_at=timezone.now(),
            )
    except DomainError as exc:
        _failed(jobs, code=exc.code, errors=exc.details)
    except Exception:
        logger.exception("stock import %s stopped on an unexpected error", job.pk)
        _failed(
            jobs,
            code="server_error",
            errors={"file": f"the import stopped on an unexpected error; nothing was imported (trace {job.trace_id})"},
        )


def _failed(jobs, *, code: str, errors: dict) -> None:
    jobs.update(
        status=StockImport.FAILED, phase="", error_code=code, errors=errors, content=b"", finished_at=timezone.now()
    )
