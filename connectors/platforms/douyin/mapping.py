"""A Douyin shop order in Orderflow's words: the status table and the field mapping.

``order_status`` (``order.searchList``; as integrations in the stored sources read it): 1 待支付,
105 已支付 (awaiting stock-out), 2 待发货 (备货中), 101 部分发货, 3 已发货, 5 已完成, 4 已取消. A
cancellation after shipping (``ship_time`` set — refunded after a return) ends the order as
``closed``; before, it is ``cancelled``.

Money is in **fen** (integer cents): ``pay_amount``, ``post_amount``, a line's ``goods_price`` (its
unit price). A line's SKU is the SKU's merchant code (``code``), else ``out_sku_id``. Receiver data
comes masked (``mask_post_receiver``, ``mask_post_tel``, ``mask_post_addr.detail``) and encrypted
(``encrypt_post_*``, ``post_addr.encrypt_detail``); the plain value is used when given, else the
masked one (it fits the order centre's columns and tells an operator who it is), else the
encrypted one.

The order carries no buyer IP; ``b_type_desc`` (下单端: 抖音, 头条, 火山…) and ``sub_b_type_desc``
(下单场景: app 内原生, 小程序, H5) — fields of the order in Douyin's SDK models
(``@OpField(desc = "【下单端】 …")``) — are kept as the order's device, e.g. ``抖音 / H5``.
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
    fen_to_yuan,
    malformed,
    quantity_field,
    required,
    text,
    unix_field,
    unknown_status,
    unmapped_sku,
)
from .client import PLATFORM

CANCELLED_AFTER_SHIPPING = "order_status=4 after ship_time"
STATUS_MAP = {
    "order_status=1": statuses.PENDING_PAYMENT,  # 待支付
    "order_status=105": statuses.PAID,  # 已支付
    "order_status=2": statuses.PAID,  # 待发货
    "order_status=101": statuses.SHIPPED,  # 部分发货
    "order_status=3": statuses.SHIPPED,  # 已发货
    "order_status=5": statuses.COMPLETED,  # 已完成
    "order_status=4": statuses.CANCELLED,  # 已取消
    CANCELLED_AFTER_SHIPPING: statuses.CLOSED,
}


def order_status(order: Mapping[str, Any]) -> str:
    code = order.get("order_status")
    key = CANCELLED_AFTER_SHIPPING if code == 4 and order.get("ship_time") else f"order_status={code}"
    if key not in STATUS_MAP:
        raise unknown_status(PLATFORM, order.get("order_id"), code)
    return STATUS_MAP[key]


def _first(*values: object, limit: int) -> str:
    return next((text(value, limit) for value in values if text(value, limit)), "")


def _region(address: Mapping[str, Any], name: str) -> str:
    part = address.get(name)
    return text(part.get("name"), 32) if isinstance(part, dict) else ""


def _lines(order: Mapping[str, Any], order_id: str) -> tuple[InboundLine, ...]:
    items = order.get("sku_order_list")
    if not isinstance(items, list) or not items:
        raise malformed(PLATFORM, f"order {order_id} without sku_order_list")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise malformed(PLATFORM, f"order {order_id} with a SKU order that is not an object")
        sku = text(item.get("code"), 64) or text(item.get("out_sku_id"), 64)
        if not sku:
            raise unmapped_sku(PLATFORM, order_id, f"product {item.get('product_id')} SKU {item.get('sku_id')}", "code")
        quantity = quantity_field(item, "item_num", PLATFORM, order_id)
        price = amount_field(item, "goods_price", PLATFORM, read=fen_to_yuan)
        lines.append(InboundLine(sku=sku, quantity=quantity, unit_price=price))
    return tuple(lines)


def _device(order: Mapping[str, Any]) -> str:
    """下单端 and 下单场景 (``b_type_desc`` 抖音, ``sub_b_type_desc`` H5): where the buyer ordered.
    Douyin gives no buyer IP."""
    parts = [text(order.get(name), 60) for name in ("b_type_desc", "sub_b_type_desc")]
    return " / ".join(part for part in parts if part)[:200]


def inbound_order(order: Mapping[str, Any]) -> InboundOrder:
    """One element of ``order.searchList``'s ``shop_order_list``."""
    order_id = text(order.get("order_id"), 64)
    if not order_id:
        raise malformed(PLATFORM, "an order without order_id")
    lines = _lines(order, order_id)
    shipping = amount_field(order, "post_amount", PLATFORM, read=fen_to_yuan, default="0")
    goods = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    paid = amount_field(order, "pay_amount", PLATFORM, read=fen_to_yuan)
    address, masked = order.get("post_addr") or {}, order.get("mask_post_addr") or {}
    if not isinstance(address, dict) or not isinstance(masked, dict):
        raise malformed(PLATFORM, f"order {order_id} with a post_addr that is not an object")
    address = address or masked
    street = _region(address, "street")
    detail = _first(address.get("detail"), masked.get("detail"), address.get("encrypt_detail"), limit=200)
    return InboundOrder(
        external_id=order_id,
        status=order_status(order),
        updated_at=required(unix_field(order, "update_time", PLATFORM), "update_time", PLATFORM),
        placed_at=unix_field(order, "create_time", PLATFORM),
        paid_at=unix_field(order, "pay_time", PLATFORM),
        customer_name=_first(
            order.get("post_receiver"), order.get("mask_post_receiver"), order.get("encrypt_post_receiver"), limit=100
        )
        or "抖音买家",
        customer_phone=_first(
            order.get("post_tel"), order.get("mask_post_tel"), order.get("encrypt_post_tel"), limit=32
        ),
        province=_region(address, "province"),
        city=_region(address, "city"),
        district=_region(address, "town"),
        address_line=(f"{street}{detail}" if not detail.startswith(street) else detail)[:200] or "-",
        lines=lines,
        shipping_amount=shipping,
        discount_amount=discount_between(goods, shipping, paid),
        device=_device(order),
    )
