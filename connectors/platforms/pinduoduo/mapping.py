"""A Pinduoduo order in Orderflow's words: the status table and the field mapping.

An order's state is two numbers (``pdd.order.number.list.increment.get``, e.g. niltor/open-pdd-net-sdk):
``order_status`` — 1 待发货, 2 已发货待签收, 3 已签收 — and ``refund_status`` — 1 无售后或售后关闭,
2 售后处理中, 3 退款中, 4 退款成功. Pinduoduo lists an order only once it is paid (and its group
formed), so nothing is pending payment. A refund under way does not change the order's status
(the after-sales desk decides); a refund that succeeded ends it: cancelled before shipping,
closed after.

Money: the order APIs give yuan as JSON numbers (``"pay_amount": 59.9`` — "支付金额（元）"; only the
goods APIs count in fen). ``pay_amount = goods_amount − discount_amount + postage``. A line's SKU
is the SKU's merchant code (``outer_id``), else the goods' (``outer_goods_id``). Receiver names
and phones come masked and are kept as given.
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

REFUNDED = 4
STATUS_MAP = {
    "order_status=1": statuses.PAID,  # 待发货
    "order_status=2": statuses.SHIPPED,  # 已发货待签收
    "order_status=3": statuses.DELIVERED,  # 已签收
    "refund_status=4,order_status=1": statuses.CANCELLED,  # refunded before shipping
    "refund_status=4,order_status=2": statuses.CLOSED,  # refunded after shipping
    "refund_status=4,order_status=3": statuses.CLOSED,
}


def status_key(order: Mapping[str, Any]) -> str:
    shipping = order.get("order_status")
    refunded = order.get("refund_status") == REFUNDED
    return f"refund_status=4,order_status={shipping}" if refunded else f"order_status={shipping}"


def order_status(order: Mapping[str, Any]) -> str:
    key = status_key(order)
    if key not in STATUS_MAP:
        raise unknown_status(PLATFORM, order.get("order_sn"), key)
    return STATUS_MAP[key]


def _lines(order: Mapping[str, Any], order_sn: str) -> tuple[InboundLine, ...]:
    items = order.get("item_list")
    if not isinstance(items, list) or not items:
        raise malformed(PLATFORM, f"order {order_sn} without item_list")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise malformed(PLATFORM, f"order {order_sn} with an item that is not an object")
        sku = text(item.get("outer_id"), 64) or text(item.get("outer_goods_id"), 64)
        if not sku:
            raise unmapped_sku(PLATFORM, order_sn, f"goods {item.get('goods_id')} SKU {item.get('sku_id')}", "outer_id")
        quantity = quantity_field(item, "goods_count", PLATFORM, order_sn)
        lines.append(InboundLine(sku=sku, quantity=quantity, unit_price=amount_field(item, "goods_price", PLATFORM)))
    return tuple(lines)


def inbound_order(order: Mapping[str, Any]) -> InboundOrder:
    """One element of ``order_sn_list`` (or ``pdd.order.information.get``'s ``order_info``)."""
    order_sn = text(order.get("order_sn"), 64)
    if not order_sn:
        raise malformed(PLATFORM, "an order without order_sn")
    lines = _lines(order, order_sn)
    shipping = amount_field(order, "postage", PLATFORM, default="0")
    goods = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    paid = amount_field(order, "pay_amount", PLATFORM)
    return InboundOrder(
        external_id=order_sn,
        status=order_status(order),
        updated_at=required(time_field(order, "updated_at", PLATFORM), "updated_at", PLATFORM),
        placed_at=time_field(order, "created_time", PLATFORM),
        paid_at=time_field(order, "pay_time", PLATFORM) or time_field(order, "confirm_time", PLATFORM),
        customer_name=text(order.get("receiver_name"), 100) or "拼多多买家",
        customer_phone=text(order.get("receiver_phone"), 32),
        province=text(order.get("province"), 32),
        city=text(order.get("city"), 32),
        district=text(order.get("town"), 32),
        address_line=text(order.get("address"), 200) or "-",
        lines=lines,
        shipping_amount=shipping,
        discount_amount=discount_between(goods, shipping, paid),
    )
