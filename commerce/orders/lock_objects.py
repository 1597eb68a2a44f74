"""Row locks for orders. Lock order across the domain: order → its lines → stock rows by id."""

from .models import Order


def order_lock(order_id: int) -> Order:
    """The order row, locked ``FOR UPDATE`` until the surrounding transaction ends."""
    return Order.objects.select_for_update(of=("self",)).select_related("channel", "customer").get(pk=order_id)


def order_lock_row(order_id: int) -> None:
    """Locks the order row ``FOR UPDATE`` without loading it, for changes that only need the order
    to hold still (a tag, a note); raises ``Order.DoesNotExist`` when there is no such order."""
    if not Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True):
        raise Order.DoesNotExist(f"order {order_id} does not exist")
