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

# Each status as people read it, (Chinese, English) — the board, its CSV export and the app's
# ``orderStatus.*`` messages use the same words.
NAMES = {
    PENDING_PAYMENT: ("待支付", "Pending payment"),
    PAID: ("已支付", "Paid"),
    PROCESSING: ("处理中", "Processing"),
    SHIPPED: ("已发货", "Shipped"),
    DELIVERED: ("已签收", "Delivered"),
    COMPLETED: ("已完成", "Completed"),
    CANCELLED: ("已取消", "Cancelled"),
    CLOSED: ("已关闭", "Closed"),
}
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
