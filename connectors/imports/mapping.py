"""How a channel's export reads: its column mapping, its status words, and its rows turned into orders.

A mapping names, for each order field (``FIELDS``), the header of the column that holds it, and
gives the table from the channel's status words to Orderflow's statuses. A channel's saved
``ColumnMapping`` is used when there is one; otherwise the built-in one: ``JD`` for ``jd``,
``GENERIC`` (the field names themselves as headers) for every other channel. Orderflow's own
status codes (``paid``, ``shipped`` …) are understood in every file, whatever the table says.

Rows that share ``external_id`` are one order with one line per row. The order's own fields
(status, customer, address, times) are read from its first row; a later row may leave them empty
(as an export with merged cells does) or repeat them, but a different value is an error on that
row. Times without a zone are in the mapping's ``time_zone``. The time of the channel's view of
the order — which decides whether a re-import updates an order — is ``updated_at`` when the file
has it, else the newer of ``paid_at`` and ``placed_at``; with none of them a stored order is never
updated by a file (its rows count as ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce.channels.models import Channel
from commerce.orders import statuses

from .errors import InvalidColumnMapping, OrderImportInvalid, UnknownColumnMapping
from .models import ColumnMapping
from .parse import Progress, Row, Rows, no_progress

# --- the fields ---------------------------------------------------------------------------------

EXTERNAL_ID = "external_id"
STATUS = "status"
CUSTOMER_NAME = "customer_name"
PHONE = "phone"
PROVINCE = "province"
CITY = "city"
DISTRICT = "district"
ADDRESS = "address"
SKU = "sku"
QUANTITY = "quantity"
UNIT_PRICE = "unit_price"
UPDATED_AT = "updated_at"
PAID_AT = "paid_at"
PLACED_AT = "placed_at"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    name_en: str
    name_zh: str
    required: bool
    max_length: int = 0  # text fields: the longest value stored


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(EXTERNAL_ID, "Order number", "订单号", True, 64),
    FieldSpec(STATUS, "Order status", "订单状态", True),
    FieldSpec(CUSTOMER_NAME, "Customer name", "客户姓名", True, 100),
    FieldSpec(PHONE, "Phone", "联系电话", True, 32),
    FieldSpec(PROVINCE, "Province", "省", True, 32),
    FieldSpec(CITY, "City", "市", True, 32),
    FieldSpec(DISTRICT, "District", "区/县", False, 32),
    FieldSpec(ADDRESS, "Address", "详细地址", True, 200),
    FieldSpec(SKU, "SKU", "商品编码", True, 64),
    FieldSpec(QUANTITY, "Quantity", "数量", True),
    FieldSpec(UNIT_PRICE, "Unit price", "单价", False),
    FieldSpec(UPDATED_AT, "Updated at", "更新时间", False),
    FieldSpec(PAID_AT, "Paid at", "付款时间", False),
    FieldSpec(PLACED_AT, "Placed at", "下单时间", False),
)
FIELD_KEYS = tuple(spec.key for spec in FIELDS)
REQUIRED = tuple(spec.key for spec in FIELDS if spec.required)
SPECS = {spec.key: spec for spec in FIELDS}
# The order's own fields: read from its first row; a later row repeats them or leaves them empty.
ORDER_FIELDS = (STATUS, CUSTOMER_NAME, PHONE, PROVINCE, CITY, DISTRICT, ADDRESS, UPDATED_AT, PAID_AT, PLACED_AT)
TIME_FIELDS = (UPDATED_AT, PAID_AT, PLACED_AT)

MAX_LINES = 200  # per order, as the orders API
MAX_QUANTITY = 100_000
MAX_AMOUNT = Decimal("9999999999.99")
MAX_STATUS_WORDS = 100
MAX_STATUS_WORD_LENGTH = 32
MAX_ERRORS_REPORTED = 200
FUTURE_SLACK = timedelta(days=1)  # a file's times may be off by a zone; not by more
DEFAULT_NAME = "default"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ColumnMap:
    """A mapping as the import reads with it (a saved ``ColumnMapping``'s values, or a built-in one)."""

    name: str
    columns: Mapping[str, str]  # field → column header
    statuses: Mapping[str, str]  # the channel's word → Orderflow status
    time_zone: str = DEFAULT_TIME_ZONE

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "columns": dict(self.columns),
            "statuses": dict(self.statuses),
            "time_zone": self.time_zone,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> ColumnMap:
        return cls(
            name=data["name"],
            columns=dict(data["columns"]),
            statuses=dict(data["statuses"]),
            time_zone=data.get("time_zone", DEFAULT_TIME_ZONE),
        )


# Orderflow's statuses by the names its pages show (frontend/src/editor/labels.ts).
ORDERFLOW_WORDS = {
    "待付款": statuses.PENDING_PAYMENT,
    "已付款": statuses.PAID,
    "处理中": statuses.PROCESSING,
    "已发货": statuses.SHIPPED,
    "已送达": statuses.DELIVERED,
    "已完成": statuses.COMPLETED,
    "已取消": statuses.CANCELLED,
    "已关闭": statuses.CLOSED,
}

GENERIC = ColumnMap(name=DEFAULT_NAME, columns={key: key for key in FIELD_KEYS}, statuses=ORDERFLOW_WORDS)

# A JD (京东) seller's order export: one row per order line, the order's columns repeated.
JD = ColumnMap(
    name=DEFAULT_NAME,
    columns={
        EXTERNAL_ID: "订单号",
        STATUS: "订单状态",
        CUSTOMER_NAME: "客户姓名",
        PHONE: "联系电话",
        PROVINCE: "省",
        CITY: "市",
        DISTRICT: "县",
        ADDRESS: "客户地址",
        SKU: "商家SKU",
        QUANTITY: "订购数量",
        UNIT_PRICE: "京东价",
        PLACED_AT: "下单时间",
        PAID_AT: "付款确认时间",
    },
    statuses={
        "等待付款": statuses.PENDING_PAYMENT,
        "等待出库": statuses.PAID,
        "等待确认收货": statuses.SHIPPED,
        "完成": statuses.COMPLETED,
        "已完成": statuses.COMPLETED,
        "取消": statuses.CANCELLED,
        "已取消": statuses.CANCELLED,
    },
)

BUILT_IN = {"jd": JD}


def built_in_mapping(channel_code: str) -> ColumnMap:
    return BUILT_IN.get(channel_code, GENERIC)


# --- mappings: checks, the saved ones -----------------------------------------------------------


def mapping_problems(*, columns: Mapping, status_words: Mapping, time_zone: str) -> dict[str, str]:
    """What is wrong with a mapping, by field (``columns.sku``, ``statuses.锁定``, ``time_zone``); ``{}`` if nothing."""
    problems: dict[str, str] = {}
    for key in sorted(set(columns) - set(FIELD_KEYS)):
        problems[f"columns.{key}"] = f"not an order field; the fields are {', '.join(FIELD_KEYS)}"
    for key in REQUIRED:
        header = columns.get(key)
        if not isinstance(header, str) or not header.strip():
            problems[f"columns.{key}"] = "required: the header of the column holding it"
    for key, header in columns.items():
        if key in SPECS and isinstance(header, str) and len(header.strip()) > 100:
            problems[f"columns.{key}"] = "longer than 100 characters"
        elif key in SPECS and header is not None and not isinstance(header, str):
            problems[f"columns.{key}"] = "must be a column header (text)"
    if len(status_words) > MAX_STATUS_WORDS:
        problems["statuses"] = f"more than {MAX_STATUS_WORDS} words"
    for word, status in status_words.items():
        if not str(word).strip() or len(str(word)) > MAX_STATUS_WORD_LENGTH:
            problems[f"statuses.{str(word)[:MAX_STATUS_WORD_LENGTH]}"] = (
                f"a status word has 1 to {MAX_STATUS_WORD_LENGTH} characters"
            )
        elif status not in statuses.STATUSES:
            problems[f"statuses.{word}"] = f"must be one of {', '.join(statuses.STATUSES)}"
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems["time_zone"] = "not a time zone name such as Asia/Shanghai"
    return problems


def column_mapping_get(*, channel: Channel, name: str = DEFAULT_NAME) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(channel=channel, name=name).select_related("updated_by").first()


def mapping_for(*, channel: Channel, name: str | None = None) -> ColumnMap:
    """The mapping an import of ``channel`` reads with: the saved one named ``name`` (``default`` when
    not given), else — for ``default`` only — the built-in one. Raises ``UnknownColumnMapping``."""
    saved = column_mapping_get(channel=channel, name=name or DEFAULT_NAME)
    if saved is not None:
        return ColumnMap(saved.name, saved.columns, saved.statuses, saved.time_zone)
    if name and name != DEFAULT_NAME:
        raise UnknownColumnMapping(details={"mapping": f"{channel.code} has no column mapping named {name!r}"})
    return built_in_mapping(channel.code)


def column_mapping_save(
    *,
    channel: Channel,
    columns: Mapping[str, str],
    status_words: Mapping[str, str],
    time_zone: str = DEFAULT_TIME_ZONE,
    name: str = DEFAULT_NAME,
    user=None,
) -> ColumnMapping:
    """Creates or replaces ``channel``'s mapping ``name``. Raises ``InvalidColumnMapping`` naming each problem.

    Headers and words are stored trimmed; an optional field mapped to an empty header is left out.
    Imports already queued keep the mapping they were uploaded with.
    """
    problems = mapping_problems(columns=columns, status_words=status_words, time_zone=time_zone)
    if problems:
        raise InvalidColumnMapping(details=problems)
    values = {
        "columns": {key: header.strip() for key, header in columns.items() if header and header.strip()},
        "statuses": {str(word).strip(): status for word, status in status_words.items()},
        "time_zone": time_zone,
        "updated_by": user,
    }
    try:
        with transaction.atomic():
            mapping, _created = ColumnMapping.objects.update_or_create(channel=channel, name=name, defaults=values)
    except IntegrityError:  # created concurrently under the same name: replace that one
        mapping, _created = ColumnMapping.objects.update_or_create(channel=channel, name=name, defaults=values)
    return mapping


# --- rows into orders ---------------------------------------------------------------------------


class RowErrors:
    """Every error by row; reports the first ``MAX_ERRORS_REPORTED`` in row order and counts the rest."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str, str]] = []

    @property
    def count(self) -> int:
        return len(self.found)

    def add(self, row: int, key: str | None, message: str) -> None:
        self.found.append((row, len(self.found), f"rows[{row}].{key}" if key else f"rows[{row}]", message))

    def details(self) -> dict[str, str]:
        shown = sorted(self.found)[:MAX_ERRORS_REPORTED]
        details: dict[str, str] = {}
        for _row, _seen, key, message in shown:
            details[key] = f"{details[key]}; {message}" if key in details else message
        if len(self.found) > len(shown):
            details["more_errors"] = f"{len(self.found) - len(shown)} more error(s) not listed"
        return details

    def raise_if_any(self) -> None:
        if self.found:
            raise OrderImportInvalid(details=self.details())


@dataclass(frozen=True)
class ImportedLine:
    row: int
    sku: str
    quantity: int
    unit_price: Decimal | None  # None: the catalog's price


@dataclass(frozen=True)
class ImportedOrder:
    external_id: str
    rows: tuple[int, ...]
    status: str
    customer_name: str
    phone: str
    province: str
    city: str
    district: str
    address: str
    lines: tuple[ImportedLine, ...]
    updated_at: datetime | None = None
    paid_at: datetime | None = None
    placed_at: datetime | None = None

    @property
    def viewed_at(self) -> datetime | None:
        """When the channel's view of the order was taken (see the module's docstring)."""
        if self.updated_at is not None:
            return self.updated_at
        known = [moment for moment in (self.paid_at, self.placed_at) if moment is not None]
        return max(known) if known else None


_WHOLE = re.compile(r"[0-9]{1,9}")
_AMOUNT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
_PHONE = re.compile(r"[+0-9*][0-9* ()-]{2,31}")  # exports mask phones: 138****5678
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
_MISSING = object()


def _time(text: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for form in _TIME_FORMATS:
            try:
                moment = datetime.strptime(text, form)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"not a time such as 2026-03-01 10:15:00: {text[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not 2000 <= moment.year <= 2100:
        raise ValueError(f"not a plausible order time: {text[:40]!r}")
    # A time in the future would outrank every later, real view of the order and freeze it.
    if moment > timezone.now() + FUTURE_SLACK:
        raise ValueError(f"in the future: {text[:40]!r} (is the mapping's time zone right?)")
    return moment


@dataclass
class _Reader:
    """Reads rows with one mapping against one header; collects what is wrong in ``errors``."""

    mapping: ColumnMap
    header: tuple[str, ...]
    errors: RowErrors
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        positions: dict[str, list[int]] = {}
        for position, name in enumerate(self.header):
            positions.setdefault(name, []).append(position)
        missing = []
        for key in FIELD_KEYS:
            header = self.mapping.columns.get(key)
            if not header:
                continue
            found = positions.get(header, [])
            if len(found) > 1:
                raise OrderImportInvalid(
                    details={"header": f"the column {header!r} ({key}) appears {len(found)} times"}
                )
            if found:
                self.index[key] = found[0]
            elif key in REQUIRED:
                missing.append(f"{header!r} ({key})")
        if missing:
            raise OrderImportInvalid(
                details={
                    "header": f"no column {', '.join(missing)} in the file; its columns are "
                    f"{', '.join(repr(name) for name in self.header[:40])}. Correct the channel's column mapping "
                    "or upload the channel's export"
                }
            )
        self.zone = ZoneInfo(self.mapping.time_zone)
        self.words = {**{code: code for code in statuses.STATUSES}, **self.mapping.statuses}

    def label(self, key: str) -> str:
        return self.mapping.columns.get(key, key)

    def cell(self, row: Row, key: str) -> str:
        position = self.index.get(key)
        return "" if position is None else row.cells[position]

    def value(self, row: Row, key: str, *, required: bool) -> object:
        """The field's checked value; ``_MISSING`` when empty and not required; ``None`` after an error."""
        text = self.cell(row, key)
        if not text:
            if required:
                self.errors.add(row.number, key, f"{self.label(key)}: required")
                return None
            return _MISSING
        spec = SPECS[key]
        if spec.max_length and len(text) > spec.max_length:
            self.errors.add(row.number, key, f"{self.label(key)}: longer than {spec.max_length} characters")
            return None
        if key == ADDRESS:
            text = " ".join(text.split())  # a line break inside a quoted address becomes a space
        if _CONTROL.search(text):
            self.errors.add(row.number, key, f"{self.label(key)}: holds control characters")
            return None
        if key == STATUS:
            status = self.words.get(text)
            if status is None:
                self.errors.add(
                    row.number,
                    key,
                    f"{self.label(key)}: unknown status {text!r}; add it to the channel's column mapping "
                    "(status words) or correct the row",
                )
            return status
        if key == PHONE and not _PHONE.fullmatch(text):
            self.errors.add(row.number, key, f"{self.label(key)}: not a phone number: {text!r}")
            return None
        if key == QUANTITY:
            number = text[:-2] if text.endswith(".0") else text
            if not _WHOLE.fullmatch(number) or not 0 < int(number) <= MAX_QUANTITY:
                self.errors.add(
                    row.number, key, f"{self.label(key)}: not a whole number from 1 to {MAX_QUANTITY}: {text[:40]!r}"
                )
                return None
            return int(number)
        if key == UNIT_PRICE:
            plain = text.lstrip("¥￥").replace(",", "")
            try:
                amount = Decimal(plain) if _AMOUNT.fullmatch(plain) else None
            except InvalidOperation:
                amount = None
            if amount is None or amount > MAX_AMOUNT:
                self.errors.add(row.number, key, f"{self.label(key)}: not an amount such as 368.00: {text[:40]!r}")
                return None
            return amount
        if key in TIME_FIELDS:
            try:
                return _time(text, self.zone)
            except ValueError as exc:
                self.errors.add(row.number, key, f"{self.label(key)}: {exc}")
                return None
        return text


@dataclass
class _OrderDraft:
    external_id: str
    first_row: int
    values: dict[str, object]
    broken: bool  # its first row's order fields had errors: later rows are not compared with them
    rows: list[int] = field(default_factory=list)
    lines: list[ImportedLine] = field(default_factory=list)


def mapping_header_check(*, mapping: ColumnMap, header: tuple[str, ...]) -> None:
    """Raises ``OrderImportInvalid`` when ``header`` lacks a column the mapping requires, or repeats one it reads."""
    _Reader(mapping, header, RowErrors())


def orders_read(
    *, rows: Rows, mapping: ColumnMap, errors: RowErrors, progress: Progress = no_progress, total: int = 0
) -> list[ImportedOrder]:
    """The file's orders, in the order their first rows come; every bad row noted in ``errors``.

    Raises ``OrderImportInvalid`` at once when the header lacks a required column (nothing after it
    can be read), and as ``parse`` does for a file whose shape is wrong as a whole.
    """
    reader = _Reader(mapping, rows.header, errors)
    drafts: dict[str, _OrderDraft] = {}
    for row in rows.data(progress, total):
        before = errors.count
        if row.overflow:
            errors.add(
                row.number,
                None,
                f"{row.overflow} cell(s) right of the last named column; is a comma inside a value not quoted?",
            )
            continue
        external_id = reader.value(row, EXTERNAL_ID, required=True)
        if not isinstance(external_id, str):
            continue
        draft = drafts.get(external_id)
        values: dict[str, object] = {}
        for key in ORDER_FIELDS:
            value = reader.value(row, key, required=draft is None and key in REQUIRED)
            if value is None or value is _MISSING:
                continue
            values[key] = value
            if draft is not None and not draft.broken and draft.values.get(key, _MISSING) != value:
                errors.add(
                    row.number,
                    key,
                    f"{reader.label(key)}: {reader.cell(row, key)!r} differs from row {draft.first_row} of the "
                    f"same order {external_id!r}",
                )
        if draft is None:
            draft = _OrderDraft(external_id, row.number, values, broken=errors.count != before)
            drafts[external_id] = draft
        sku = reader.value(row, SKU, required=True)
        quantity = reader.value(row, QUANTITY, required=True)
        unit_price = reader.value(row, UNIT_PRICE, required=False)
        if errors.count != before or not isinstance(sku, str) or not isinstance(quantity, int):
            continue
        if len(draft.lines) >= MAX_LINES:
            errors.add(row.number, None, f"order {external_id!r} has more than {MAX_LINES} lines")
            continue
        price = unit_price if isinstance(unit_price, Decimal) else None
        draft.rows.append(row.number)
        draft.lines.append(ImportedLine(row.number, sku, quantity, price))
    return [_order(draft) for draft in drafts.values()]


def _order(draft: _OrderDraft) -> ImportedOrder:
    values = draft.values

    def text(key: str) -> str:
        value = values.get(key, "")
        return value if isinstance(value, str) else ""

    def moment(key: str) -> datetime | None:
        value = values.get(key)
        return value if isinstance(value, datetime) else None

    return ImportedOrder(
        external_id=draft.external_id,
        rows=tuple(draft.rows),
        status=text(STATUS),
        customer_name=text(CUSTOMER_NAME),
        phone=text(PHONE),
        province=text(PROVINCE),
        city=text(CITY),
        district=text(DISTRICT),
        address=text(ADDRESS),
        lines=tuple(draft.lines),
        updated_at=moment(UPDATED_AT),
        paid_at=moment(PAID_AT),
        placed_at=moment(PLACED_AT),
    )


def skus_named(orders: Iterable[ImportedOrder]) -> dict[str, list[int]]:
    """Every SKU the orders name, with the rows naming it."""
    found: dict[str, list[int]] = {}
    for order in orders:
        for line in order.lines:
            found.setdefault(line.sku, []).append(line.row)
    return found
