"""Row locks for orders. Lock order across the domain: order → its lines → stock rows by id."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from .models import Order

# The orders whose rows were locked inside the current ``order_locks_kept`` block (they stay locked
# until its transaction ends); ``None`` outside such a block.
_kept: ContextVar[set[int] | None] = ContextVar("order_locks_kept", default=None)


def order_lock(order_id: int) -> Order:
    """The order row, locked ``FOR UPDATE`` until the surrounding transaction ends."""
    return Order.objects.select_for_update(of=("self",)).select_related("channel", "customer").get(pk=order_id)


def order_lock_row(order_id: int) -> None:
    """Locks the order row ``FOR UPDATE`` without loading it, for changes that only need the order
    to hold still (a tag, a note); raises ``Order.DoesNotExist`` when there is no such order.

    Inside an ``order_locks_kept`` block an order is locked once: the lock holds until the
    transaction ends, so asking for it again would be a round trip for nothing.
    """
    kept = _kept.get()
    if kept is not None and order_id in kept:
        return
    if not Order.objects.select_for_update().filter(pk=order_id).order_by().values_list("pk", flat=True):
        raise Order.DoesNotExist(f"order {order_id} does not exist")
    if kept is not None:
        kept.add(order_id)


def order_status_locked(order_id: int) -> str:
    """The order's status, its row locked ``FOR UPDATE`` until the surrounding transaction ends — for
    a change that decides by the status alone (a courier's signature); ``Order.DoesNotExist`` when
    there is no such order."""
    return Order.objects.select_for_update().filter(pk=order_id).order_by().values_list("status", flat=True).get()


@contextmanager
def order_locks_kept() -> Iterator[None]:
    """A block, inside a transaction, in which each order's row is locked by ``order_lock_row`` once.

    For a caller that makes several changes to one order in one transaction (a flow run that
    tags the order and writes a note on it). The block must not outlive a savepoint rolled back
    inside it: the rollback releases the locks taken since the savepoint, and the block would
    still count them. The flow runner's one-transaction run is such a block — an error anywhere
    in it rolls the whole transaction back, and the block with it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_locks_kept needs a transaction around it: each lock lasts until that ends")
    token = _kept.set(set())
    try:
        yield
    finally:
        _kept.reset(token)
