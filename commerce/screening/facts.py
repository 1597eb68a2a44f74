"""What a smart-audit check may read about a paid order (``FIELDS``), computed at the gate."""

from __future__ import annotations

import re

from django.db.models import Q, Sum

from commerce.inventory.models import Reservation
from commerce.orders.models import Order
from commerce.risk.facts import Field

FIELDS = (
    Field("order.total_amount", "number", "订单金额", "Order amount"),
    Field("order.channel", "string", "渠道", "Channel"),
    Field("order.status", "string", "订单状态", "Order status"),
    Field("order.on_hold", "boolean", "订单已挂起", "Order on hold"),
    Field("order.remark", "string", "买家留言", "Buyer remark"),
    Field("address.complete", "boolean", "地址完整", "Address complete"),
    Field("stock.allocated", "boolean", "库存已分配", "Stock allocated"),
)
PATHS = frozenset(f.path for f in FIELDS)

_DIGITS = re.compile(r"[0-9]")


def address_complete(order: Order) -> bool:
    """Province, city, district and a street line of at least 4 characters, a name, and a phone of 7+ digits."""
    return bool(
        order.province.strip()
        and order.city.strip()
        and order.district.strip()
        and len(order.address_line.strip()) >= 4
        and order.ship_to_name.strip()
        and len(_DIGITS.findall(order.ship_to_phone)) >= 7
    )


def stock_allocated(order: Order) -> bool:
    """Every line's quantity is covered by its live (active or committed) reservations."""
    lines = order.lines.annotate(
        held=Sum(
            "reservations__quantity",
            filter=Q(reservations__state__in=[Reservation.ACTIVE, Reservation.COMMITTED]),
            default=0,
        )
    )
    return all(line.held >= line.quantity for line in lines)


def order_facts(order: Order) -> dict:
    return {
        "order": {
            "total_amount": float(order.total_amount),
            "channel": order.channel.code,
            "status": order.status,
            "on_hold": order.on_hold,
            "remark": order.buyer_remark,
        },
        "address": {"complete": address_complete(order)},
        "stock": {"allocated": stock_allocated(order)},
    }
