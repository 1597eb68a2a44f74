"""Row locks for orders. Lock order across the domain: order → its lines → stock rows by id."""

from django.db import connection

from commerce.db import prepared_cursor

from .models import Order

_LOCK_ROW_SQL = f"SELECT id FROM {Order._meta.db_table} WHERE id = %s"


def order_lock(order_id: int) -> Order:
    """The order row, locked ``FOR UPDATE`` until the surrounding transaction ends."""
    return Order.objects.select_for_update(of=("self",)).select_related("channel", "customer").get(pk=order_id)


def order_lock_row(order_id: int) -> None:
    """Locks the order row ``FOR UPDATE`` without loading it, for changes that only need the order
    to hold still (a tag, a note); raises ``Order.DoesNotExist`` when there is no such order.

    One plain statement: the services that use it run on every flow step that touches an order.
    """
    sql = _LOCK_ROW_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with prepared_cursor() as cursor:
        cursor.execute(sql, [order_id])
        if cursor.fetchone() is None:
            raise Order.DoesNotExist(f"order {order_id} does not exist")


def order_write_locked(order_id: int, writes: str, params: list) -> None:
    """PostgreSQL: locks the order row and runs ``writes`` under the lock, in one statement.

    ``writes`` are data-modifying ``WITH`` queries (``name AS (INSERT … RETURNING …)``, comma
    separated) that may read the locked row from the ``WITH`` query ``locked``; ``params`` are
    theirs, in order. Raises ``Order.DoesNotExist`` (having written nothing) when there is no
    such order.
    """
    with prepared_cursor() as cursor:
        cursor.execute(
            f"WITH locked AS ({_LOCK_ROW_SQL} FOR UPDATE), {writes} SELECT count(*) FROM locked", [order_id, *params]
        )
        if not cursor.fetchone()[0]:
            raise Order.DoesNotExist(f"order {order_id} does not exist")
