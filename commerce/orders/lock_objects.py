"""Row locks for orders. Lock order across the domain: order → its lines → stock rows by id."""

from .models import Order


def order_lock(order_id: int) -> Order:
    """The order row, locked ``FOR UPDATE`` until the surrounding transaction ends."""
    return Order.objects.select_for_update(of=("self",)).select_related("channel", "customer").get(pk=order_id)
