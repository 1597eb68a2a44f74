"""An order file as rows of text: CSV (UTF-8 with or without BOM, or GBK) or the first sheet of an .xlsx.

The content decides the format, not the file's name: a zip archive is read as an .xlsx workbook,
anything else as CSV text. A file named ``.xlsx`` that is not a zip, a zip that is not a workbook,
an old binary ``.xls``, UTF-16 text and binary data are refused with a sentence saying what the
file is and what to send instead.

A workbook is checked as an archive before openpyxl opens it: at most ``MAX_XLSX_MEMBERS``
members, unpacking to at most ``MAX_XLSX_UNPACKED_BYTES`` in all, and no member packed more
tightly than ``MAX_XLSX_RATIO`` to one (a real export's XML packs about 10:1; a zip bomb, 1000:1).
Sizes are the ones the archive declares, and they bind: ``zipfile`` reads no member past its
declared size and then checks its CRC, so an archive that lies about a size fails to read. The
workbook's XML is parsed through defusedxml (openpyxl uses it when it is installed), so entity
expansion is refused too.

Rows are numbered as a spreadsheet numbers them: the header is row 1. Blank rows are skipped and
not counted. Cells are text with surrounding whitespace removed, and the ``="…"`` wrapper that
exports put around long numbers (so that Excel keeps their digits) taken off; an .xlsx number
becomes its digits (``2.0`` → ``"2"``), a date and time its ISO text.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl

from .errors import OrderImportInvalid, OrderImportTooLarge

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000  # data rows below the header
MAX_COLUMNS = 200
MAX_HEADER_LENGTH = 100
MAX_XLSX_MEMBERS = 1_000
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_XLSX_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # a small member may pack tightly (an empty sheet's XML does)
PROGRESS_EVERY = 1_000

CSV = "csv"
XLSX = "xlsx"
UTF8 = "utf-8"
GBK = "gbk"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old binary .xls (or .doc)
_ZIP = b"PK\x03\x04"
_MARKUP = (b"<!doctype html", b"<html", b"<table", b"<?xml")  # many shops' ".xls" exports are web pages
_WHITESPACE = " \t\r\n\u3000\ufeff\xa0"

# (phase, done, total): phase is "reading", "checking" or "applying"; total is 0 while unknown.
Progress = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class FileShape:
    """What a file is, found without reading every row of an .xlsx (``rows`` is 0 there)."""

    file_format: str
    encoding: str
    header: tuple[str, ...]
    rows: int


def clean(value: object) -> str:
    """A cell as text: whitespace trimmed, ``="…"`` unwrapped, an integral number without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = str(value).strip(_WHITESPACE)
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip(_WHITESPACE)
    return text


def _invalid(message: str) -> OrderImportInvalid:
    return OrderImportInvalid(details={"file": message})


def file_format(content: bytes, filename: str) -> str:
    """``csv`` or ``xlsx``, from the first bytes; raises ``OrderImportInvalid`` for what is neither."""
    if not content:
        raise _invalid("the file is empty; export the orders again")
    if len(content) > MAX_FILE_BYTES:
        raise OrderImportTooLarge(
            details={
                "file": f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it",
                "limit_bytes": MAX_FILE_BYTES,
            }
        )
    if content.startswith(_ZIP):
        return XLSX
    if content.startswith(_OLE2):
        raise _invalid(
            "an old binary Excel (.xls) file or a password-protected workbook; save it as .xlsx without a "
            "password, or as CSV, and upload that"
        )
    if content.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:20].lower().startswith(_MARKUP):
        raise _invalid(
            "a web page (HTML) or XML saved under a spreadsheet's name; open it in Excel, save it as .xlsx or "
            "CSV, and upload that"
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _invalid("named .xlsx but it is not an Excel workbook (not a zip archive); export it again")
    return CSV


# --- CSV ----------------------------------------------------------------------------------------


def _csv_text(content: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (a BOM is fine), else GBK (GB18030, its superset, decodes it)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _invalid("UTF-16 text (Excel's 'Unicode text'); save it as CSV in UTF-8 or GBK")
    if b"\x00" in content:
        raise _invalid("binary data, not CSV text; upload the CSV or .xlsx export")
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode(UTF8), UTF8
        except UnicodeDecodeError as exc:
            raise _invalid(f"marked as UTF-8 but not UTF-8 text (byte {exc.start + 3})") from None
    try:
        return content.decode(UTF8), UTF8
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), GBK
    except UnicodeDecodeError as exc:
        raise _invalid(f"neither UTF-8 nor GBK text (byte {exc.start}); save it as CSV in UTF-8") from None


def _csv_records(text: str) -> Iterator[tuple[int, Sequence[object]]]:
    """``(row number, cells)`` of every record, the header (row 1) included."""
    number = 0
    try:
        # strict: a quote left open swallows the rest of the file into one cell; refuse it instead.
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1):
            yield number, record
    except csv.Error as exc:
        raise OrderImportInvalid(details={f"rows[{number + 1}]": f"not valid CSV: {exc}"}) from None


# --- xlsx ---------------------------------------------------------------------------------------


def _xlsx_archive_check(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _invalid("not an Excel workbook: the zip archive is damaged; export it again") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise _invalid(f"holds more than {MAX_XLSX_MEMBERS} parts; not an Excel export")
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise _invalid(
                f"unpacks to {unpacked // (1024 * 1024)} MB, more than the "
                f"{MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)} MB an export of {MAX_ROWS} rows needs; refused"
            )
        for member in members:
            if member.file_size >= RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_XLSX_RATIO * max(
                member.compress_size, 1
            ):
                raise _invalid(
                    f"part {member.filename[:100]!r} unpacks to more than {MAX_XLSX_RATIO} times its packed size; "
                    "refused as a zip bomb"
                )
        if "xl/workbook.xml" not in archive.namelist():
            raise _invalid("a zip archive, but not an Excel workbook (.xlsx); export the orders again")


def _sheet_rows() -> int:
    """Rows a sheet may run to, blank ones between data rows included: past them it is refused."""
    return 2 * MAX_ROWS + 1


def _reason(exc: BaseException) -> str:
    """The name of what went wrong (openpyxl wraps the XML parser's refusal in a ValueError)."""
    return type(exc.__cause__ or exc).__name__


class _Workbook:
    """The first sheet of a checked workbook, its rows read lazily as raw cell values."""

    def __init__(self, content: bytes) -> None:
        _xlsx_archive_check(content)
        try:
            self.book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            self.sheet = self.book.worksheets[0]
            self.declared_rows = self.sheet.max_row
            # Read-only mode trusts the sheet's declared dimensions and silently stops at their last
            # row; some exporters declare "A1". Read the rows that are there instead (bounded below).
            self.sheet.reset_dimensions()
        except Exception as exc:
            # A forged workbook can fail anywhere inside openpyxl, zipfile or the XML parser (a bad
            # CRC, a missing part, forbidden entities, broken XML); each means "not a workbook we
            # can read", and nothing of it has been used.
            raise _invalid(f"cannot be read as an Excel workbook ({_reason(exc)}); export it again") from None

    def records(self) -> Iterator[tuple[int, Sequence[object]]]:
        # max_col: a row is never wider than the columns a header may name, whatever cells it holds.
        rows = self.sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        number = 0
        while True:
            try:
                values = next(rows, None)
            except Exception as exc:  # as in __init__: broken XML, a bad CRC deep in the sheet
                raise _invalid(
                    f"cannot be read as an Excel workbook after row {number} ({_reason(exc)}); export it again"
                ) from None
            if values is None:
                return
            number += 1
            if number > _sheet_rows():
                raise OrderImportTooLarge(
                    details={"file": f"the sheet runs past row {_sheet_rows()}; split it", "max_rows": MAX_ROWS}
                )
            yield number, values

    def close(self) -> None:
        self.book.close()


# --- both ---------------------------------------------------------------------------------------


def _header(record: Sequence[object] | None) -> tuple[str, ...]:
    header = tuple(clean(cell) for cell in record or ())
    while header and not header[-1]:
        header = header[:-1]  # Excel often carries empty columns on the right
    if not header:
        raise OrderImportInvalid(details={"header": "the first row is empty; it must name the columns"})
    if len(header) > MAX_COLUMNS:
        raise OrderImportInvalid(details={"header": f"more than {MAX_COLUMNS} columns"})
    long = next((cell for cell in header if len(cell) > MAX_HEADER_LENGTH), None)
    if long is not None:
        raise OrderImportInvalid(
            details={"header": f"a column name is longer than {MAX_HEADER_LENGTH} characters: {long[:40]!r}…"}
        )
    return header


@dataclass(frozen=True)
class Row:
    """One non-blank data row: its number, one cell per header column, and the text in cells past them."""

    number: int
    cells: tuple[str, ...]
    overflow: int = 0  # non-empty CSV cells right of the last named column (an unquoted comma?)


@dataclass
class Rows:
    """An opened file: its ``header``, then ``data()`` yields each non-blank data ``Row``."""

    file_format: str
    encoding: str
    header: tuple[str, ...]
    records: Iterator[tuple[int, Sequence[object]]]
    workbook: _Workbook | None = None
    read: int = 0  # data rows yielded so far

    def data(self, progress: Progress = no_progress, total: int = 0) -> Iterator[Row]:
        width = len(self.header)
        count = 0
        try:
            for number, record in self.records:
                cells = tuple(clean(cell) for cell in record[:width])
                if len(cells) < width:
                    cells += ("",) * (width - len(cells))
                overflow = sum(1 for cell in record[width:] if clean(cell)) if self.file_format == CSV else 0
                if not overflow and not any(cells):
                    continue
                count += 1
                if count > MAX_ROWS:
                    raise OrderImportTooLarge(
                        details={
                            "file": f"more than {MAX_ROWS} rows below the header (row {number} is one too many); "
                            "split the file",
                            "max_rows": MAX_ROWS,
                        }
                    )
                if count % PROGRESS_EVERY == 0:
                    progress("reading", count, total)
                self.read = count
                yield Row(number, cells, overflow)
            if count == 0:
                raise _invalid("no rows below the header")
        finally:
            self.close()

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()
            self.workbook = None


def rows_open(content: bytes, filename: str) -> Rows:
    """Opens ``content`` and reads its header; raises ``OrderImportInvalid``/``OrderImportTooLarge`` when
    the file as a whole is not an order export this can read."""
    kind = file_format(content, filename)
    if kind == CSV:
        text, encoding = _csv_text(content)
        records = _csv_records(text)
        first = next(records, None)
        return Rows(CSV, encoding, _header(first[1] if first else None), records)
    workbook = _Workbook(content)
    try:
        declared = workbook.declared_rows
        if declared is not None and declared > MAX_ROWS + 1:
            raise OrderImportTooLarge(
                details={
                    "file": f"the sheet declares {declared} rows, more than {MAX_ROWS}; split it",
                    "max_rows": MAX_ROWS,
                }
            )
        records = workbook.records()
        first = next(records, None)
        header = _header(first[1] if first else None)
    except BaseException:
        workbook.close()
        raise
    return Rows(XLSX, "", header, records, workbook)


def file_shape(content: bytes, filename: str) -> FileShape:
    """The checks an upload makes before it is stored: format, encoding, header, and for a CSV every
    record's quoting and the row count (fast); an .xlsx's rows are counted when the import reads it."""
    rows = rows_open(content, filename)
    if rows.file_format == XLSX:
        rows.close()
        return FileShape(XLSX, "", rows.header, 0)
    count = sum(1 for _row in rows.data())
    return FileShape(CSV, rows.encoding, rows.header, count)
