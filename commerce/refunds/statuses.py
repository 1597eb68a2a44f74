"""A refund request's statuses and reason categories."""

REQUESTED = "requested"
APPROVING = "approving"
APPROVED = "approved"
REJECTED = "rejected"
REFUNDING = "refunding"
REFUNDED = "refunded"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (REQUESTED, APPROVING, APPROVED, REJECTED, REFUNDING, REFUNDED, FAILED, CANCELLED)

# Still asking for money: counted against what the order paid. A failed payout is counted too: it
# is retried with the same key, never dropped silently.
ACTIVE = frozenset({REQUESTED, APPROVING, APPROVED, REFUNDING, REFUNDED, FAILED})
CANCELLABLE = frozenset({REQUESTED, APPROVING})
PAYABLE = frozenset({APPROVED, FAILED})  # a payout may start (again) from these

WRONG_ITEM = "wrong_item"
DAMAGED_IN_TRANSIT = "damaged_in_transit"
QUALITY = "quality"
NO_REASON_7_DAYS = "no_reason_7_days"
NOT_RECEIVED = "not_received"
PRICE_ADJUSTMENT = "price_adjustment"
OTHER = "other"
REASONS = (WRONG_ITEM, DAMAGED_IN_TRANSIT, QUALITY, NO_REASON_7_DAYS, NOT_RECEIVED, PRICE_ADJUSTMENT, OTHER)

GATEWAY = "gateway"  # money goes back through the order's payment gateway
OFFLINE = "offline"  # paid outside a gateway: finance pays it back and records the reference
CHANNEL = "channel"  # the sales channel already gave the money back (a refund made in Shopify's admin)
METHODS = (GATEWAY, OFFLINE, CHANNEL)

# Requests whose clock runs: waiting for a decision, or for the money.
CLOCK_RUNNING = frozenset({REQUESTED, APPROVING, APPROVED, REFUNDING, FAILED})
YELLOW, ORANGE, RED = "yellow", "orange", "red"
SLA_LEVELS = (YELLOW, ORANGE, RED)
