"""Reading a bank or cash-on-delivery statement finance uploads (CSV), strictly: every bad row is
named with its column, and a file with any is refused whole.

Two shapes are read (the header says which):

``orderflow`` — Orderflow's own columns (UTF-8, a BOM allowed; names in any case, in any order)::

    date,amount,currency,reference,memo,payer,serial
    2026-12-01,199.00,CNY,OF2612010000000001,货款,张三,B2026120100001

``date`` (YYYY-MM-DD, optionally with HH:MM[:SS]) and ``amount`` (a credit: more than 0, at most
two decimals) are required; ``currency`` defaults to CNY; ``reference`` (the order number, as the
payer was asked to write it), ``memo``, ``payer`` and ``serial`` (the bank's or courier's own
transaction number; unique within the file) are optional.

``bank_cn`` — the shape Chinese online-banking exports share (GBK or UTF-8): a few ``账号``/``户名``
lines above a header row holding ``交易日期`` and a credit column (``收入金额``, ``贷方金额`` or
``贷方发生额``); also read, when present: ``交易时间``, ``支出金额``/``借方金额``/``借方发生额``
(a row with no credit is money going out: skipped), ``币种``, ``对方户名``, ``摘要``,
``用途``/``附言``/``备注`` (the memo), ``流水号``/``交易流水号``/``凭证号`` (serial) and
``参考号``/``业务参考号`` (reference). Amounts may carry thousands separators; dates may be
YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD. This shape is the common denominator of several banks' exports,
not any one bank's documented format (see the reconciliation section of README).

Every row's date must be the statement's day.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 50
ORDERFLOW = "orderflow"
BANK_CN = "bank_cn"
HEADER_SEARCH_LINES = 30
LIMITS = {"reference": 64, "memo": 256, "payer": 100, "serial": 64}
CURRENCY = re.compile(r"^[A-Z]{3}$")
CURRENCY_NAMES = {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD"}
BANK_COLUMNS = {
    "date": ("交易日期", "记账日期"),
    "time": ("交易时间",),
    "credit": ("收入金额", "贷方金额", "贷方发生额", "收入"),
    "debit": ("支出金额", "借方金额", "借方发生额", "支出"),
    "currency": ("币种",),
    "payer": ("对方户名", "对方账户名称", "对方名称"),
    "summary": ("摘要",),
    "memo": ("用途", "附言", "备注", "交易附言"),
    "serial": ("流水号", "交易流水号", "凭证号"),
    "reference": ("参考号", "业务参考号"),
}
OWN_COLUMNS = ("date", "amount", "currency", "reference", "memo", "payer", "serial")


class StatementFileError(ValueError):
    """The file cannot be read as a statement at all (encoding, header, size)."""


@dataclass(frozen=True)
class StatementRow:
    row: int  # the line in the file (the header's line is the first data row minus one)
    occurred_at: datetime | None
    amount: Decimal
    currency: str
    reference: str
    memo: str
    payer: str
    serial: str


@dataclass
class ParsedStatement:
    file_format: str
    rows: list[StatementRow]
    errors: list[dict]  # {"row", "column", "message"}
    digest: str


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementFileError("the file is neither UTF-8 nor GBK text")


def _amount(value: str) -> Decimal:
    cleaned = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
    amount = Decimal(cleaned)  # InvalidOperation for the caller
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= Decimal("1e12"):  # type: ignore[operator]
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def _date(value: str) -> date:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def _time(value: str) -> time:
    value = value.strip()
    for pattern in ("%H:%M:%S", "%H:%M", "%H%M%S"):
        try:
            return datetime.strptime(value, pattern).time()
        except ValueError:
            continue
    raise ValueError(value)


def _find_header(lines: list[str]) -> tuple[int, list[str], str]:
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not line.strip():
            continue
        cells = [cell.strip().strip("\t") for cell in next(csv.reader([line]))]
        lowered = [cell.lower() for cell in cells]
        if "date" in lowered and "amount" in lowered:
            return index, lowered, ORDERFLOW
        if any(c in cells for c in BANK_COLUMNS["date"]) and any(c in cells for c in BANK_COLUMNS["credit"]):
            return index, cells, BANK_CN
    raise StatementFileError(
        "no header found: the first line must be date,amount[,currency,reference,memo,payer,serial], "
        "or a bank export's header holding 交易日期 and 收入金额/贷方金额"
    )


def statement_parse(data: bytes, *, day: date, zone: str) -> ParsedStatement:
    """Every credit row of the file, with every problem found; raises ``StatementFileError`` for a
    file that is not a statement at all."""
    if len(data) > MAX_BYTES:
        raise StatementFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise StatementFileError("the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    lines = _text(data).splitlines()
    start, header, file_format = _find_header(lines)
    body = lines[start + 1 :]
    if len(body) > MAX_ROWS:
        raise StatementFileError(f"the file has more than {MAX_ROWS:,} rows")
    if file_format == ORDERFLOW:
        unknown = [name for name in header if name and name not in OWN_COLUMNS]
        if unknown:
            raise StatementFileError(f"unknown columns {', '.join(unknown)}: the columns are {','.join(OWN_COLUMNS)}")
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            raise StatementFileError(f"columns named twice: {', '.join(duplicated)}")
        column = {name: header.index(name) for name in header if name}
    else:
        column = {}
        for key, names in BANK_COLUMNS.items():
            found = next((header.index(name) for name in names if name in header), None)
            if found is not None:
                column[key] = found
    tz = ZoneInfo(zone)
    rows: list[StatementRow] = []
    errors: list[dict] = []
    serials: dict[str, int] = {}

    def problem(row: int, name: str, message: str) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append({"row": row, "column": name, "message": message})

    numbered = [(start + 2 + i, line) for i, line in enumerate(body) if line.strip()]
    try:
        records = [next(csv.reader([line]), []) for _n, line in numbered]
    except csv.Error as exc:
        raise StatementFileError(f"broken CSV: {exc}") from None
    for (number, _line), raw in zip(numbered, records, strict=True):
        cells = [cell.strip().strip("\t").strip() for cell in raw]
        if file_format == BANK_CN and cells and cells[0].startswith(("#", "合计", "总计", "注")):
            continue  # a bank export's footer

        def cell(key: str, cells: list[str] = cells) -> str:
            index = column.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        if len(cells) > len(header):
            problem(number, "*", f"{len(cells)} cells, the header has {len(header)}")
            continue
        bad = False
        date_name = "date" if file_format == ORDERFLOW else header[column["date"]]
        when: datetime | None = None
        raw_date = cell("date")
        try:
            moment = raw_date.split(" ", 1) if file_format == ORDERFLOW else [raw_date, cell("time")]
            on = _date(moment[0])
            at = _time(moment[1]) if len(moment) > 1 and moment[1].strip() else time()
            when = datetime.combine(on, at, tz)
            if on != day:
                problem(number, date_name, f"{on.isoformat()} is not the statement's day {day.isoformat()}")
                bad = True
        except ValueError:
            problem(number, date_name, f"{raw_date!r} is not a date (YYYY-MM-DD)")
            bad = True
        if file_format == ORDERFLOW:
            amount_name, raw_amount = "amount", cell("amount")
        else:
            amount_name, raw_amount = header[column["credit"]], cell("credit")
            if not raw_amount.strip() or raw_amount.strip().replace(",", "") in ("0", "0.00", "-"):
                continue  # money going out (a debit), or nothing: not a payment received
        try:
            amount = _amount(raw_amount)
            if amount <= 0:
                problem(number, amount_name, f"{raw_amount!r}: a credit must be more than 0")
                bad = True
        except InvalidOperation:
            problem(number, amount_name, f"{raw_amount!r} is not an amount with at most two decimals")
            bad = True
            amount = Decimal("0")
        currency = cell("currency").strip().upper() or "CNY"
        currency = CURRENCY_NAMES.get(currency, currency)
        if not CURRENCY.match(currency):
            problem(number, "currency", f"{cell('currency')!r} is not a currency code (CNY)")
            bad = True
        memo = cell("memo") if file_format == ORDERFLOW else " ".join(p for p in (cell("summary"), cell("memo")) if p)
        values = {"reference": cell("reference"), "memo": memo, "payer": cell("payer"), "serial": cell("serial")}
        for name, limit in LIMITS.items():
            if len(values[name]) > limit:
                problem(number, name, f"longer than {limit} characters")
                bad = True
        serial = values["serial"]
        if serial:
            if serial in serials:
                problem(number, "serial", f"{serial!r} is on row {serials[serial]} already")
                bad = True
            serials.setdefault(serial, number)
        if not bad:
            rows.append(
                StatementRow(number, when, amount, currency, values["reference"], memo, values["payer"], serial)
            )
    if not rows and not errors:
        raise StatementFileError("the file holds no credit rows")
    return ParsedStatement(file_format=file_format, rows=rows, errors=errors, digest=digest)
