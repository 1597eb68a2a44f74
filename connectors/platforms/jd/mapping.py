"""A JD POP order in Orderflow's words: the status table and the field mapping.

Order states (``jingdong.pop.order.search``'s ``order_state``, as JD integrations list them):
WAIT_SELLER_STOCK_OUT 等待出库, WAIT_SELLER_DELIVERY 等待发货 (cross-border), PAUSE /
POP_ORDER_PAUSE 暂停, LOCKED 已锁定 (a cancellation being decided), WAIT_GOODS_RECEIVE_CONFIRM 等待确认
收货, FINISHED_L 完成, TRADE_CANCELED 取消. The search lists orders once paid (or cash on delivery),
so nothing is pending payment. A paused or locked order is paid and not to be shipped yet; the
order centre has no hold from channels, so it arrives as paid [the operators see the state's
remark on the platform].

Money is in yuan strings. ``orderPayment`` is what the buyer pays, freight included. A line's SKU
is the SKU's merchant code (``outerSkuId``). The consignee's name and phone come masked and are
kept as given.

No buyer IP is in JD's ``OrderSearchInfo`` (as JD's SDK models it, e.g. ``Jd.Api.Domain.OrderSearchInfo``);
its ``orderSource`` (订单来源), which the search asks for (``client.ORDER_FIELDS``), is kept as the
order's device.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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

STATUS_MAP = {
    "WAIT_SELLER_STOCK_OUT": statuses.PAID,
    "WAIT_SELLER_DELIVERY": statuses.PAID,
    "PAUSE": statuses.PAID,
    "POP_ORDER_PAUSE": statuses.PAID,
    "LOCKED": statuses.PAID,
    "WAIT_GOODS_RECEIVE_CONFIRM": statuses.SHIPPED,
    "FINISHED_L": statuses.COMPLETED,
    "TRADE_CANCELED": statuses.CANCELLED,
}


def order_status(order: Mapping[str, Any]) -> str:
    state = str(order.get("orderState") or "")
    if state not in STATUS_MAP:
        raise unknown_status(PLATFORM, order.get("orderId"), state)
    return STATUS_MAP[state]


def _when(order: Mapping[str, Any], name: str) -> datetime | None:
    moment = time_field(order, name, PLATFORM)
    return moment if moment is None or moment.year >= 2000 else None  # JD writes a zero date for "not yet"


def _lines(order: Mapping[str, Any], order_id: str) -> tuple[InboundLine, ...]:
    items = order.get("itemInfoList")
    if not isinstance(items, list) or not items:
        raise malformed(PLATFORM, f"order {order_id} without itemInfoList")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise malformed(PLATFORM, f"order {order_id} with an item that is not an object")
        sku = text(item.get("outerSkuId"), 64)
        if not sku:
            raise unmapped_sku(PLATFORM, order_id, f"SKU {item.get('skuId')}", "outerSkuId")
        quantity = quantity_field(item, "itemTotal", PLATFORM, order_id)
        lines.append(InboundLine(sku=sku, quantity=quantity, unit_price=amount_field(item, "jdPrice", PLATFORM)))
    return tuple(lines)


def inbound_order(order: Mapping[str, Any]) -> InboundOrder:
    """One element of ``orderInfoList``."""
    order_id = text(order.get("orderId"), 64)
    if not order_id:
        raise malformed(PLATFORM, "an order without orderId")
    consignee = order.get("consigneeInfo")
    if not isinstance(consignee, dict):
        raise malformed(PLATFORM, f"order {order_id} without consigneeInfo")
    lines = _lines(order, order_id)
    shipping = amount_field(order, "freightPrice", PLATFORM, default="0")
    goods = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    paid = amount_field(order, "orderPayment", PLATFORM)
    return InboundOrder(
        external_id=order_id,
        status=order_status(order),
        updated_at=required(_when(order, "modified"), "modified", PLATFORM),
        placed_at=_when(order, "orderStartTime"),
        paid_at=_when(order, "paymentConfirmTime"),
        customer_name=text(consignee.get("fullname"), 100) or "京东买家",
        customer_phone=text(consignee.get("mobile"), 32) or text(consignee.get("telephone"), 32),
        province=text(consignee.get("province"), 32),
        city=text(consignee.get("city"), 32),
        district=text(consignee.get("county"), 32),
        address_line=text(consignee.get("fullAddress"), 200) or "-",
        lines=lines,
        shipping_amount=shipping,
        discount_amount=discount_between(goods, shipping, paid),
        # ``orderSource`` (订单来源, e.g. 移动端订单) is where the buyer ordered; JD gives no buyer IP.
        device=text(order.get("orderSource"), 200),
    )
