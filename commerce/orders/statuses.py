"""The order status machine: statuses, their ranks, and the moves allowed between them.

A status's rank only grows along an order's life. A requested move to a status of equal or lower
rank is *stale* (a late "paid" after "shipped", a repeated "cancelled"): it is not applied and is
audited as ignored. A move to a higher rank that the graph does not allow (``pending_payment`` →
``shipped``) is *forbidden*: the caller gets a 409 and nothing changes.
"""

PENDING_PAYMENT = "pending_payment"
PAID = "paid"
PROCESSING = "processing"
SHIPPED = "shipped"
DELIVERED = "delivered"
COMPLETED = "completed"
CANCELLED = "cancelled"
CLOSED = "closed"

RANK = {
    PENDING_PAYMENT: 10,
    PAID: 20,
    PROCESSING: 30,
    SHIPPED: 40,
    DELIVERED: 50,
    COMPLETED: 60,
    CANCELLED: 70,
    CLOSED: 80,
}
STATUSES = tuple(RANK)
CHOICES = [(status, status.replace("_", " ")) for status in STATUSES]

ALLOWED = {
    PENDING_PAYMENT: frozenset({PAID, CANCELLED, CLOSED}),
    PAID: frozenset({PROCESSING, SHIPPED, CANCELLED}),
    PROCESSING: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({DELIVERED, COMPLETED}),
    DELIVERED: frozenset({COMPLETED, CLOSED}),
    COMPLETED: frozenset({CLOSED}),
    CANCELLED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

# Stock reserved for an order is released when it ends in one of these before shipping.
RELEASES_STOCK = frozenset({CANCELLED, CLOSED})


def is_stale(current: str, requested: str) -> bool:
    return RANK[requested] <= RANK[current]


def is_allowed(current: str, requested: str) -> bool:
    return requested in ALLOWED[current]
