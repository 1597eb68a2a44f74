"""Shopify's order object in Orderflow's words: the status table and the field mapping.

A Shopify order has no single status: ``cancelled_at``, ``fulfillment_status`` and
``financial_status`` together say where it is. ``order_status`` reads them in that order of
precedence; ``FINANCIAL_STATUS`` is the table for the money part.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from decimal import Decimal, InvalidOperation

from commerce.orders import statuses

from ...base import InboundLine, InboundOrder, Rejected
from ...services.refunds import ChannelRefund, ChannelRefundLine

FINANCIAL_STATUS = {
    "pending": statuses.PENDING_PAYMENT,
    "partially_paid": statuses.PENDING_PAYMENT,
    "authorized": statuses.PAID,  # the payment is held for the shop: ship against it
    "paid": statuses.PAID,
    "partially_refunded": statuses.PAID,
    "refunded": statuses.PAID,  # money back is a refund, not an order status (refunds come on refunds/create)
    "voided": statuses.CANCELLED,
}
FULFILLED = {"fulfilled": statuses.SHIPPED}


def order_status(payload: dict) -> str:
    if payload.get("cancelled_at"):
        return statuses.CANCELLED
    fulfilled = FULFILLED.get(payload.get("fulfillment_status") or "")
    if fulfilled:
        return fulfilled
    financial = payload.get("financial_status") or "pending"
    if financial not in FINANCIAL_STATUS:
        raise Rejected(
            400, "malformed_payload", f"unknown financial_status {financial!r}", {"financial_status": financial}
        )
    return FINANCIAL_STATUS[financial]


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "0"))
    except InvalidOperation:
        raise Rejected(400, "malformed_payload", f"{field} is not an amount", {field: "not an amount"}) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("99999999.99"):
        raise Rejected(400, "malformed_payload", f"{field} is out of range", {field: "out of range"})
    return amount.quantize(Decimal("0.01"))


def _time(value, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise Rejected(400, "malformed_payload", f"{field} is not an ISO time", {field: "not an ISO time"}) from None
    if parsed.tzinfo is None:
        raise Rejected(400, "malformed_payload", f"{field} has no time zone", {field: "no time zone"})
    return parsed


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _client_ip(payload: dict) -> str | None:
    """The buyer's IP: ``browser_ip``, else ``client_details.browser_ip``; none when absent, malformed
    or unspecified (Shopify's samples say ``0.0.0.0``)."""
    details = payload.get("client_details")
    if not isinstance(details, dict):
        details = {}
    for value in (payload.get("browser_ip"), details.get("browser_ip")):
        try:
            address = ipaddress.ip_address(str(value or "").strip())
        except ValueError:
            continue
        if not address.is_unspecified:
            return str(address)
    return None


def _client_device(payload: dict) -> str:
    details = payload.get("client_details")
    return _text(details.get("user_agent"), 200) if isinstance(details, dict) else ""


def inbound_order(payload) -> InboundOrder:
    """One Shopify order object (a webhook body, or an element of ``orders.json``'s ``orders``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int | str) or payload.get("id") in ("", None):
        raise Rejected(400, "malformed_payload", "an order object with an id is expected", {"id": "required"})
    items = payload.get("line_items")
    if not isinstance(items, list) or not items:
        raise Rejected(400, "malformed_payload", "the order has no line_items", {"line_items": "required"})
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise Rejected(400, "malformed_payload", "a line item is not an object", {f"line_items.{index}": "object"})
        sku = _text(item.get("sku"), 64)
        quantity = item.get("quantity")
        if not sku or not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= 10_000:
            raise Rejected(
                400,
                "malformed_payload",
                "a line item needs a sku and a quantity",
                {f"line_items.{index}": "sku, quantity"},
            )
        lines.append(
            InboundLine(sku=sku, quantity=quantity, unit_price=_money(item.get("price"), f"line_items.{index}.price"))
        )
    address = payload.get("shipping_address") or payload.get("billing_address") or {}
    customer = payload.get("customer") or {}
    if not isinstance(address, dict) or not isinstance(customer, dict):
        raise Rejected(400, "malformed_payload", "shipping_address and customer are objects", {})
    name = _text(address.get("name"), 100) or _text(
        f"{customer.get('first_name') or ''} {customer.get('last_name') or ''}", 100
    )
    updated_at = _time(payload.get("updated_at"), "updated_at")
    if updated_at is None:
        raise Rejected(400, "malformed_payload", "updated_at is required", {"updated_at": "required"})
    shipping = sum(
        (
            _money(line.get("price"), "shipping_lines.price")
            for line in payload.get("shipping_lines") or []
            if isinstance(line, dict)
        ),
        Decimal("0"),
    )
    address_line = " ".join(filter(None, (_text(address.get("address1"), 200), _text(address.get("address2"), 100))))
    status = order_status(payload)
    placed_at = _time(payload.get("created_at"), "created_at")
    return InboundOrder(
        external_id=str(payload["id"]),
        status=status,
        updated_at=updated_at,
        customer_name=name or _text(payload.get("email"), 100) or "Shopify customer",
        customer_phone=_text(address.get("phone") or customer.get("phone") or payload.get("phone"), 32),
        customer_email=_text(payload.get("email") or customer.get("email"), 254),
        province=_text(address.get("province"), 50),
        city=_text(address.get("city"), 50),
        address_line=address_line or "-",
        postcode=_text(address.get("zip"), 16),
        lines=tuple(lines),
        placed_at=placed_at,
        paid_at=placed_at if status == statuses.PAID else None,
        shipping_amount=shipping,
        discount_amount=_money(payload.get("total_discounts"), "total_discounts"),
        client_ip=_client_ip(payload),
        device=_client_device(payload),
        buyer_account=_text(customer.get("id"), 64),
        buyer_remark=_text(payload.get("note"), 500),
    )


def channel_refund(payload: dict) -> ChannelRefund:
    """A ``refunds/create`` body: the refund Shopify made, with its lines by SKU.

    The money already went back when the refund has a successful ``refund`` transaction: the
    amount is their sum. A refund without one (a restock only, or a pending gateway) asks for the
    amount of its lines and goes through the approval policy."""
    refund_id, order_id = payload.get("id"), payload.get("order_id")
    if not isinstance(refund_id, int) or not isinstance(order_id, int):
        raise Rejected(
            400, "malformed_payload", "id and order_id must be integers", {"id": "integer", "order_id": "integer"}
        )
    paid = [
        t
        for t in payload.get("transactions") or []
        if isinstance(t, dict) and t.get("kind") == "refund" and t.get("status") == "success"
    ]
    lines: dict[str, int] = {}
    asked = Decimal("0")
    for index, item in enumerate(payload.get("refund_line_items") or []):
        line = item.get("line_item") if isinstance(item, dict) else None
        quantity = item.get("quantity") if isinstance(item, dict) else None
        if not isinstance(line, dict) or not isinstance(quantity, int) or not 0 < quantity <= 100_000:
            where = f"refund_line_items[{index}]"
            raise Rejected(
                400, "malformed_payload", f"{where} is not a refunded line", {where: "line_item and quantity"}
            )
        sku = _text(line.get("sku") or line.get("variant_id"), 64)
        lines[sku] = lines.get(sku, 0) + quantity
        asked += _money(line.get("price"), f"refund_line_items[{index}].line_item.price") * quantity
    amount = sum((_money(t.get("amount"), "transactions.amount") for t in paid), Decimal("0")) if paid else asked
    if amount <= 0:
        raise Rejected(400, "malformed_payload", "the refund has no amount", {"transactions": "no refunded amount"})
    return ChannelRefund(
        refund_id=str(refund_id),
        order_external_id=str(order_id),
        amount=amount,
        already_refunded=bool(paid),
        note=_text(payload.get("note"), 500),
        lines=tuple(ChannelRefundLine(sku=sku, quantity=quantity) for sku, quantity in lines.items()),
    )
