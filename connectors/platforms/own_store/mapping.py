"""The own store's order body: Orderflow's own order JSON, checked strictly, field by field.

The body is the shape ``POST /api/v1/orders/`` takes, without ``channel`` (the connection decides
it) and with the order's ``status`` and ``updated_at`` (the store's time of this view of the
order, which orders the views)::

    {"external_id": "WX20260301-0001",
     "status": "paid",
     "updated_at": "2026-03-01T10:20:00+08:00",
     "placed_at": "2026-03-01T10:15:00+08:00",          optional
     "paid_at": "2026-03-01T10:20:00+08:00",            optional
     "customer": {"name": "王芳", "phone": "13800138000", "email": ""},       email optional
     "shipping_address": {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                          "line": "文三路 90 号", "postcode": "310012"},      district, postcode optional
     "lines": [{"sku": "TEA-0001", "quantity": 2, "unit_price": "368.00"}],
     "shipping_amount": "0.00", "discount_amount": "10.00",                    optional
     "client_ip": "203.0.113.7", "device": "iPhone; MicroMessenger/8.0",      optional
     "buyer_account": "wx-openid-or-member-id", "buyer_remark": "请尽快发货",   optional
     "wechat": {"appid": "wx5f3c9a1b2d4e6f70", "openid": "oGZUI0egBJY1zhBYw2KhdUfwVJJE"}}  optional

``wechat`` is who the buyer is to the store's mini-program (小程序): its appid and the buyer's openid
under it (``wx.login`` → ``code2Session``). It is kept for the customer (``CustomerWechatIdentity``)
so WeChat messages of that app can reach them — and of that app only: an openid is per app.

Strict: every field has its JSON type (a quantity of ``"2"`` is refused, an amount may be a
string or a number), its length or range, and a field that is not listed here is refused — a
misspelt ``shiping_address`` is an error, not a silently missing address. Every problem is named
by its path (``lines.0.quantity``) in the 400 answer's ``details``.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from commerce.orders import statuses

from ...base import InboundLine, InboundOrder, Rejected

# The store speaks Orderflow's statuses: the table from its words to ours is the identity.
STATUS_MAP = {status: status for status in statuses.STATUSES}

MAX_LINES = 200
MAX_QUANTITY = 100_000
MAX_AMOUNT = Decimal("9999999999.99")  # 12 digits, 2 after the point: the order tables' money columns
MAX_PROBLEMS = 50  # a body wrong everywhere gets the first ones named

TOP_FIELDS = frozenset(
    {
        "external_id",
        "status",
        "updated_at",
        "placed_at",
        "paid_at",
        "customer",
        "shipping_address",
        "lines",
        "shipping_amount",
        "discount_amount",
        "client_ip",
        "device",
        "buyer_account",
        "buyer_remark",
        "wechat",
    }
)
CUSTOMER_FIELDS = frozenset({"name", "phone", "email"})
ADDRESS_FIELDS = frozenset({"province", "city", "district", "line", "postcode"})
LINE_FIELDS = frozenset({"sku", "quantity", "unit_price"})
WECHAT_FIELDS = frozenset({"appid", "openid"})

_PHONE = re.compile(r"\+?[0-9][0-9 -]{4,30}")
_POSTCODE = re.compile(r"[0-9A-Za-z -]{0,12}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_AMOUNT_TEXT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_APPID = re.compile(r"wx[0-9A-Za-z]{8,30}")
_OPENID = re.compile(r"[0-9A-Za-z_-]{16,64}")
MAX_TIME_LENGTH = 40


class _Problems:
    """Collects ``{path: what is wrong}``; the first problem at a path is the one kept."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.setdefault(path, message)

    def raise_if_any(self) -> None:
        if self.found:
            raise Rejected(
                400,
                "malformed_payload",
                "The body is not an Orderflow order; details name each field that is wrong.",
                dict(self.found),
            )


def _object(value: Any, path: str, allowed: frozenset[str], problems: _Problems) -> dict | None:
    if not isinstance(value, dict):
        problems.add(path or "body", "must be a JSON object")
        return None
    for name in sorted(set(value) - allowed):
        where = f"{path}.{name}" if path else name
        if not path and name == "channel":
            problems.add(where, "not accepted: the connection decides the channel (its settings' channel)")
        else:
            problems.add(where, "unknown field")
    return value


def _text(
    data: dict, name: str, path: str, problems: _Problems, *, max_length: int, required: bool = True
) -> str | None:
    where = f"{path}.{name}" if path else name
    if name not in data or data[name] is None:
        if required:
            problems.add(where, "required")
        return "" if not required else None
    value = data[name]
    if not isinstance(value, str):
        problems.add(where, "must be a string")
        return None
    text = value.strip()
    if required and not text:
        problems.add(where, "must not be blank")
        return None
    if len(text) > max_length:
        problems.add(where, f"longer than {max_length} characters")
        return None
    if _CONTROL.search(text):
        problems.add(where, "must not hold control characters")
        return None
    return text


def _matching(
    data: dict, name: str, path: str, problems: _Problems, pattern: re.Pattern, *, max_length: int, required: bool
) -> str | None:
    text = _text(data, name, path, problems, max_length=max_length, required=required)
    if text and not pattern.fullmatch(text):
        problems.add(f"{path}.{name}", "has characters or a form this field does not take")
        return None
    return text


def _amount(data: dict, name: str, path: str, problems: _Problems, *, required: bool) -> Decimal | None:
    where = f"{path}.{name}" if path else name
    if name not in data or data[name] is None:
        if required:
            problems.add(where, "required")
            return None
        return Decimal("0")
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(where, 'must be an amount: a string such as "12.50" or a number')
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(text):
        problems.add(where, 'must be an amount such as "12.50": digits, at most 2 after the point')
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.add(where, "must be an amount")
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        problems.add(where, f"must be from 0 to {MAX_AMOUNT}")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        problems.add(where, "has more than 2 digits after the point")
        return None
    return amount.quantize(Decimal("0.01"))


def _time(data: dict, name: str, problems: _Problems, *, required: bool) -> datetime | None:
    if name not in data or data[name] is None:
        if required:
            problems.add(name, "required")
        return None
    value = data[name]
    if not isinstance(value, str) or len(value) > MAX_TIME_LENGTH:
        problems.add(name, "must be an ISO 8601 time with its zone, e.g. 2026-03-01T10:20:00+08:00")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        problems.add(name, "must be an ISO 8601 time with its zone, e.g. 2026-03-01T10:20:00+08:00")
        return None
    if parsed.tzinfo is None:
        problems.add(name, "has no time zone: add +08:00, Z or the store's offset")
        return None
    return parsed


def _ip(data: dict, problems: _Problems) -> str | None:
    text = _text(data, "client_ip", "", problems, max_length=45, required=False)
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        problems.add("client_ip", "must be an IPv4 or IPv6 address")
        return None


def _lines(value: Any, problems: _Problems) -> list[InboundLine]:
    if not isinstance(value, list):
        problems.add("lines", "must be a list of order lines" if value is not None else "required")
        return []
    if not value:
        problems.add("lines", "must hold at least one line")
        return []
    if len(value) > MAX_LINES:
        problems.add("lines", f"more than {MAX_LINES} lines")
        return []
    lines = []
    for index, item in enumerate(value):
        path = f"lines.{index}"
        line = _object(item, path, LINE_FIELDS, problems)
        if line is None:
            continue
        sku = _text(line, "sku", path, problems, max_length=64)
        quantity = line.get("quantity")
        if "quantity" not in line or quantity is None:
            problems.add(f"{path}.quantity", "required")
            quantity = None
        elif isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
            problems.add(f"{path}.quantity", f"must be a whole number from 1 to {MAX_QUANTITY}")
            quantity = None
        unit_price = _amount(line, "unit_price", path, problems, required=True)
        if sku and quantity is not None and unit_price is not None:
            lines.append(InboundLine(sku=sku, quantity=quantity, unit_price=unit_price))
    return lines


def inbound_order(payload: Any) -> InboundOrder:
    """The order a verified body describes, or ``Rejected`` (400 ``malformed_payload``) naming every wrong field."""
    if not isinstance(payload, dict):
        raise Rejected(
            400, "malformed_payload", "The body must be one order, a JSON object.", {"body": "not an object"}
        )
    problems = _Problems()
    body = _object(payload, "", TOP_FIELDS, problems) or {}
    external_id = _text(body, "external_id", "", problems, max_length=64)
    status = body.get("status")
    if "status" not in body or status is None:
        problems.add("status", "required")
    elif not isinstance(status, str) or status not in STATUS_MAP:
        problems.add("status", f"must be one of {', '.join(statuses.STATUSES)}")
    updated_at = _time(body, "updated_at", problems, required=True)
    placed_at = _time(body, "placed_at", problems, required=False)
    paid_at = _time(body, "paid_at", problems, required=False)

    customer = _object(body.get("customer"), "customer", CUSTOMER_FIELDS, problems) if "customer" in body else None
    if "customer" not in body:
        problems.add("customer", "required")
    name = phone = email = None
    if customer is not None:
        name = _text(customer, "name", "customer", problems, max_length=100)
        phone = _matching(customer, "phone", "customer", problems, _PHONE, max_length=32, required=True)
        email = _matching(customer, "email", "customer", problems, _EMAIL, max_length=254, required=False)

    address = (
        _object(body.get("shipping_address"), "shipping_address", ADDRESS_FIELDS, problems)
        if "shipping_address" in body
        else None
    )
    if "shipping_address" not in body:
        problems.add("shipping_address", "required")
    province = city = district = line = postcode = None
    if address is not None:
        province = _text(address, "province", "shipping_address", problems, max_length=32)
        city = _text(address, "city", "shipping_address", problems, max_length=32)
        district = _text(address, "district", "shipping_address", problems, max_length=32, required=False)
        line = _text(address, "line", "shipping_address", problems, max_length=200)
        postcode = _matching(
            address, "postcode", "shipping_address", problems, _POSTCODE, max_length=12, required=False
        )

    lines = _lines(body.get("lines"), problems)
    shipping_amount = _amount(body, "shipping_amount", "", problems, required=False)
    discount_amount = _amount(body, "discount_amount", "", problems, required=False)
    client_ip = _ip(body, problems)
    device = _text(body, "device", "", problems, max_length=200, required=False)
    buyer_account = _text(body, "buyer_account", "", problems, max_length=64, required=False)
    buyer_remark = _text(body, "buyer_remark", "", problems, max_length=500, required=False)
    appid = openid = None
    if "wechat" in body and body["wechat"] is not None:
        wechat = _object(body["wechat"], "wechat", WECHAT_FIELDS, problems)
        if wechat is not None:
            appid = _matching(wechat, "appid", "wechat", problems, _APPID, max_length=32, required=True)
            openid = _matching(wechat, "openid", "wechat", problems, _OPENID, max_length=64, required=True)
    problems.raise_if_any()
    # Every value below was checked: a problem with any of them raised above.
    assert external_id and name and phone and province and city and line and updated_at
    assert shipping_amount is not None and discount_amount is not None
    return InboundOrder(
        external_id=external_id,
        status=STATUS_MAP[str(status)],
        updated_at=updated_at,
        customer_name=name,
        customer_phone=phone,
        customer_email=email or "",
        province=province,
        city=city,
        district=district or "",
        address_line=line,
        postcode=postcode or "",
        lines=tuple(lines),
        placed_at=placed_at,
        paid_at=paid_at,
        shipping_amount=shipping_amount,
        discount_amount=discount_amount,
        client_ip=client_ip,
        device=device or "",
        buyer_account=buyer_account or "",
        buyer_remark=buyer_remark or "",
        wechat_appid=appid or "",
        wechat_openid=openid or "",
    )
