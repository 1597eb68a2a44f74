"""A TOP trade in Orderflow's words: the status table and the field mapping.

Trade statuses (TOP trade docs, e.g. bububa/opentaobao ``model/trade``) map one to one, with one
refinement: ``TRADE_CLOSED`` is "closed after the buyer was refunded" — before shipping that is a
cancellation, after shipping (``consign_time`` set) the order has ended as ``closed``.

Money is in yuan strings (``"200.07"``). ``payment`` is what the buyer pays, postage included, so
the discount is what makes lines + ``post_fee`` − discount equal it. A line's SKU is the merchant
code of the SKU (``outer_sku_id``), else of the item (``outer_iid``). Receiver names and phones
come masked (``张**``, ``*******5678``) since TOP's privacy rules; they are kept as given.

The trade carries no buyer IP (the ``Trade`` model of TOP, as ``bububa/opentaobao``
``model/trade/Trade.go`` lists it, has none); its ``trade_from`` (交易内部来源: WAP 手机, HITAO,
TOP, TAOBAO, JHS, comma-separated) is kept as the order's device.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from commerce.orders import statuses

from ...base import InboundLine, InboundOrder
from ..marketplace import (
    amount_field,
    discount_between,
    malformed,
    quantity_field,
    required,
    text,
    time_field,
    unknown_status,
    unmapped_sku,
)
from .client import PLATFORM

TRADE_STATUS = {
    "TRADE_NO_CREATE_PAY": statuses.PENDING_PAYMENT,  # no Alipay trade created yet
    "WAIT_BUYER_PAY": statuses.PENDING_PAYMENT,
    "PAY_PENDING": statuses.PENDING_PAYMENT,  # a foreign card payment being confirmed
    "WAIT_PRE_AUTH_CONFIRM": statuses.PENDING_PAYMENT,  # a 0-yuan pre-authorised purchase
    "PAID_FORBID_CONSIGN": statuses.PAID,  # paid, not to be shipped yet (a group buy forming)
    "WAIT_SELLER_SEND_GOODS": statuses.PAID,
    "SELLER_CONSIGNED_PART": statuses.SHIPPED,
    "WAIT_BUYER_CONFIRM_GOODS": statuses.SHIPPED,
    "TRADE_BUYER_SIGNED": statuses.DELIVERED,  # signed for (cash on delivery)
    "TRADE_FINISHED": statuses.COMPLETED,
    "TRADE_CLOSED": statuses.CANCELLED,  # closed: refunded in full before shipping
    "TRADE_CLOSED_BY_TAOBAO": statuses.CANCELLED,  # closed before payment
}
CLOSED_AFTER_SHIPPING = "TRADE_CLOSED after consign_time"
STATUS_MAP = {**TRADE_STATUS, CLOSED_AFTER_SHIPPING: statuses.CLOSED}

# What the poller asks the incremental list for, and what a trade must carry to be mapped without
# taobao.trade.fullinfo.get (the list answers only part of a trade: no receiver since 2019).
TRADE_FIELDS = (
    "tid,tid_str,status,created,pay_time,modified,consign_time,payment,post_fee,buyer_nick,"
    "receiver_name,receiver_mobile,receiver_phone,receiver_state,receiver_city,receiver_district,receiver_town,"
    "receiver_address,receiver_zip,orders,trade_from"
)
REQUIRED_FIELDS = ("status", "modified", "payment", "orders", "receiver_name", "receiver_state", "receiver_address")


def trade_id(trade: Mapping[str, Any]) -> str:
    value = trade.get("tid_str") or trade.get("tid")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise malformed(PLATFORM, "a trade without a tid")
    return str(value).strip()


def needs_fullinfo(trade: Mapping[str, Any]) -> bool:
    return any(trade.get(name) in (None, "") for name in REQUIRED_FIELDS)


def trade_status(trade: Mapping[str, Any]) -> str:
    status = str(trade.get("status") or "")
    if status == "TRADE_CLOSED" and trade.get("consign_time"):
        return STATUS_MAP[CLOSED_AFTER_SHIPPING]
    if status not in TRADE_STATUS:
        raise unknown_status("Taobao", trade.get("tid"), status)
    return STATUS_MAP[status]


def _lines(trade: Mapping[str, Any], tid: str) -> tuple[InboundLine, ...]:
    orders = trade.get("orders")
    items = orders.get("order") if isinstance(orders, dict) else None
    if not isinstance(items, list) or not items:
        raise malformed(PLATFORM, f"trade {tid} without orders")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise malformed(PLATFORM, f"trade {tid} with an order that is not an object")
        sku = text(item.get("outer_sku_id"), 64) or text(item.get("outer_iid"), 64)
        if not sku:
            raise unmapped_sku("Taobao", tid, f"item {item.get('num_iid')}", "outer_sku_id / outer_iid")
        quantity = quantity_field(item, "num", PLATFORM, tid)
        lines.append(InboundLine(sku=sku, quantity=quantity, unit_price=amount_field(item, "price", PLATFORM)))
    return tuple(lines)


def inbound_order(trade: Mapping[str, Any]) -> InboundOrder:
    """One trade as ``taobao.trade.fullinfo.get`` (or a complete list entry) answers it."""
    tid = trade_id(trade)
    lines = _lines(trade, tid)
    shipping = amount_field(trade, "post_fee", PLATFORM, default="0")
    goods = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    paid = amount_field(trade, "payment", PLATFORM)
    town = text(trade.get("receiver_town"), 50)
    address = text(trade.get("receiver_address"), 200)
    if town and not address.startswith(town):
        address = f"{town}{address}"[:200]
    return InboundOrder(
        external_id=tid,
        status=trade_status(trade),
        updated_at=required(time_field(trade, "modified", PLATFORM), "modified", PLATFORM),
        placed_at=time_field(trade, "created", PLATFORM),
        paid_at=time_field(trade, "pay_time", PLATFORM),
        customer_name=text(trade.get("receiver_name"), 100) or text(trade.get("buyer_nick"), 100) or "淘宝买家",
        customer_phone=text(trade.get("receiver_mobile"), 32) or text(trade.get("receiver_phone"), 32),
        province=text(trade.get("receiver_state"), 32),
        city=text(trade.get("receiver_city"), 32),
        district=text(trade.get("receiver_district"), 32),
        address_line=address or "-",
        postcode=text(trade.get("receiver_zip"), 12),
        lines=lines,
        shipping_amount=shipping,
        discount_amount=discount_between(goods, shipping, paid),
        # TOP says where the trade was placed (``trade_from``: WAP 手机, TAOBAO, JHS…), not the
        # buyer's IP or user agent: the device is that source; the IP stays unknown.
        device=text(trade.get("trade_from"), 200),
    )
