"""Reading a stock file and checking each row's shape, before anything touches the database.

The file is UTF-8 (a byte-order mark is fine), comma-separated, with a header row naming exactly
``sku,warehouse,on_hand,safety_stock`` and at most ``MAX_ROWS`` data rows. Errors are collected
by row (``rows[7].on_hand``; the header is row 1, as a spreadsheet numbers them) in ``RowErrors``,
which ``apply`` goes on filling with what only the database can tell.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from ..errors import StockImportInvalid, StockImportTooLarge
from ..models import StockItem

HEADER = ("sku", "warehouse", "on_hand", "safety_stock")
# A file this long is still applied in one transaction; a count of a whole large warehouse fits.
MAX_ROWS = 200_000
MAX_QUANTITY = 1_000_000_000
# A file with thousands of bad rows gets the first ones named and a count of the rest.
MAX_ERRORS_REPORTED = 200
SKU_MAX_LENGTH: int = StockItem._meta.get_field("sku").max_length or 0
PROGRESS_EVERY = 1000

# ASCII digits only: int() alone would also take "١٢", "1_000" and " 7 ".
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")

# (phase, done, total): phase is "reading", "checking" or "applying"; total is 0 while unknown.
Progress = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class StockLevel:
    row: int
    sku: str
    warehouse: str
    on_hand: int
    safety_stock: int


class RowErrors:
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


def _quantity(value: str, *, row: int, column: str, errors: RowErrors) -> int | None:
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


def _records(file: IO[bytes], progress: Progress = no_progress) -> Iterator[tuple[int, list[str]]]:
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


def stock_levels_read(*, file: IO[bytes], errors: RowErrors, progress: Progress = no_progress) -> list[StockLevel]:
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


def _level(row_number: int, record: list[str], errors: RowErrors) -> StockLevel | None:
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
