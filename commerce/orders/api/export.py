"""The order board's CSV export: what a view shows, as a file Excel opens with its Chinese intact.

- UTF-8 with a byte-order mark (Excel reads a BOM-less CSV in the machine's ANSI code page);
- channels and statuses by their names, times in the operators' zone (``ORDERFLOW_DISPLAY_TIME_ZONE``);
- phone numbers masked unless the caller may read them (``answers``);
- a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  ``'`` so a spreadsheet shows it as text instead of running it as a formula (CSV injection);
- written row by row from a database iterator, so memory stays flat however long the file is.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from commerce.orders import statuses
from commerce.orders.sla import order_is_overdue
from core.privacy import mask_phone

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1000

# (zh, en) column titles, in file order.
COLUMNS = (
    ("订单号", "Order number"),
    ("渠道", "Channel"),
    ("渠道订单号", "External id"),
    ("状态", "Status"),
    ("客户", "Customer"),
    ("电话", "Phone"),
    ("省", "Province"),
    ("市", "City"),
    ("区/县", "District"),
    ("详细地址", "Address"),
    ("商品", "Items"),
    ("实付金额", "Total"),
    ("币种", "Currency"),
    ("标签", "Tags"),
    ("冻结", "On hold"),
    ("冻结原因", "Hold reason"),
    ("超时", "Overdue"),
    ("下单时间", "Placed at"),
    ("付款时间", "Paid at"),
    ("状态变更时间", "Status changed at"),
)
YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}


def safe_cell(value) -> str:
    """The value as text a spreadsheet will not evaluate."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def order_csv_rows(orders: Iterable, *, language: str, full_phones: bool, now: datetime) -> Iterator[list[str]]:
    """The header, then one row per order (orders with channel, customer, lines and tags loaded)."""
    lang = 0 if language == "zh" else 1
    yes, no = YES_NO["zh" if lang == 0 else "en"]
    zone = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)
    yield [title[lang] for title in COLUMNS]
    for order in orders:
        phone = order.customer.phone if full_phones else mask_phone(order.customer.phone)
        items = "; ".join(f"{line.sku} {line.title} ×{line.quantity}" for line in order.lines.all())
        row = [
            order.number,
            order.channel.name,
            order.external_id,
            statuses.NAMES[order.status][lang],
            order.customer.name,
            phone,
            order.province,
            order.city,
            order.district,
            order.address_line,
            items,
            f"{order.total_amount:.2f}",
            order.currency,
            ", ".join(tag.name for tag in order.tag_rows.all()),
            yes if order.on_hold else no,
            order.hold_reason,
            yes if order_is_overdue(order, now=now) else no,
            _local(order.placed_at, zone),
            _local(order.paid_at, zone),
            _local(order.status_changed_at, zone),
        ]
        yield [safe_cell(cell) for cell in row]


class _Line:
    """A file-like object whose ``write`` hands back what it was given: one CSV line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The rows as UTF-8 CSV lines, the first preceded by the byte-order mark."""
    writer = csv.writer(_Line())
    yield BOM.encode()
    for row in rows:
        yield writer.writerow(row).encode()
