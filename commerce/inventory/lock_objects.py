"""Stock locking rules.

Stock rows are changed by conditional ``UPDATE``s, which lock the row they change until the
transaction ends. Whenever one transaction touches several rows it does so in ascending primary
key order (``stock_ids_in_lock_order``), so two orders over the same SKUs in opposite line order
queue behind each other instead of deadlocking.

Lock order across the domain: an order row first, then stock rows by ascending id. Nothing that
holds a stock row lock goes on to lock an order.
"""

from .models import StockItem

# Rows per ``SELECT … FOR UPDATE``; chunks are taken in ascending id order, so the whole set is too.
LOCK_CHUNK = 1000


def stock_ids_in_lock_order(ids) -> list[int]:
    return sorted(set(ids))


def stock_rows_lock(ids) -> dict[int, StockItem]:
    """The stock rows with these ids, locked ``FOR UPDATE`` in ascending id order until the transaction ends.

    For writes that must read a row's current numbers before changing it (a stock count sets
    ``on_hand`` to an absolute value and records the difference in the ledger). On SQLite, whose
    write transactions take the database lock at ``BEGIN``, this is a plain read.
    """
    ordered = stock_ids_in_lock_order(ids)
    locked: dict[int, StockItem] = {}
    for start in range(0, len(ordered), LOCK_CHUNK):
        chunk = ordered[start : start + LOCK_CHUNK]
        for row in StockItem.objects.select_for_update().filter(pk__in=chunk).order_by("pk"):
            locked[row.pk] = row
    return locked
