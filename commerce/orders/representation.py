"""The one JSON shape of an order: the REST API answers with it, and domain events carry it."""

from core.time import iso_utc


def _money(value) -> str:
    return f"{value:.2f}"


def order_representation(order, *, lines=None, tags=None) -> dict:
    """``lines`` and ``tags`` may be given by a caller that has them, to save the queries."""
    if lines is None:
        lines = order.lines.all()
    if tags is None:
        tags = sorted(t.name for t in order.tag_rows.all())
    customer = order.customer
    return {
        "id": order.pk,
        "number": order.number,
        "channel": order.channel.code,
        "external_id": order.external_id,
        "status": order.status,
        "status_changed_at": iso_utc(order.status_changed_at),
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "phone": customer.phone,
            "credit_level": customer.credit_level,
        },
        "currency": order.currency,
        "goods_amount": _money(order.goods_amount),
        "shipping_amount": _money(order.shipping_amount),
        "discount_amount": _money(order.discount_amount),
        "total_amount": _money(order.total_amount),
        "shipping_address": {
            "name": order.ship_to_name,
            "phone": order.ship_to_phone,
            "province": order.province,
            "city": order.city,
            "district": order.district,
            "line": order.address_line,
            "postcode": order.postcode,
        },
        "client_ip": order.client_ip or None,
        "device": order.device,
        "placed_at": iso_utc(order.placed_at),
        "paid_at": iso_utc(order.paid_at),
        "on_hold": order.on_hold,
        "hold_reason": order.hold_reason,
        "cancel_reason": order.cancel_reason,
        "gift_for": order.gift_for_id,
        "tags": list(tags),
        "lines": [
            {
                "id": line.pk,
                "position": line.position,
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "line_total": _money(line.line_total),
            }
            for line in lines
        ],
        "created_at": iso_utc(order.created_at),
        "updated_at": iso_utc(order.updated_at),
    }
