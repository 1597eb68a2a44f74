"""What the browser receives over ``/ws/live/`` (contracts.md, "Live events in the browser").

One message per outbox event::

    {"type": "<event name>", "id": <outbox id>, "occurred_at": "<UTC ISO>",
     "order": {"id", "number", "status", "channel", "total_amount"}}   # "order" only for order events

plus ``{"type": "inbox.changed"}`` when the user's inbox changes and ``{"type": "kpis.changed"}``
(throttled) while events arrive. Nothing else of an event's payload leaves the server: the order
summary holds no customer data, so the masking of phones (a role question) never arises here.
"""

from core.accounts.roles import EVERYONE
from core.time import iso_utc

INBOX_CHANGED = "inbox.changed"
KPIS_CHANGED = "kpis.changed"

ORDER_SUMMARY_FIELDS = ("id", "number", "status", "channel", "total_amount")

# Who may read an event, by the event's subject: the roles of the read endpoints of that subject
# (tests/orderflow/test_roles_matrix.py). Today every role reads orders, stock, shipments, refunds,
# tickets and alerts; a subject missing here is read by nobody until it is added.
SUBJECT_READERS: dict[str, frozenset[str]] = {
    "order": EVERYONE,
    "stock_item": EVERYONE,
    "shipment": EVERYONE,
    "refund": EVERYONE,
    "payment": EVERYONE,
    "ticket": EVERYONE,
    "notification": EVERYONE,
    "alert": EVERYONE,
    "reconciliation": EVERYONE,
}


# Events of the insights layer (``insights.alert``): alerts are read by every role.
INSIGHTS_EVENT_PREFIX = "insights."


def readers_of(*, name: str, subject_type: str) -> frozenset[str]:
    if name.startswith(INSIGHTS_EVENT_PREFIX):
        return EVERYONE
    return SUBJECT_READERS.get(subject_type, frozenset())


def order_summary(payload: dict) -> dict | None:
    """The order of an order event's payload (``{"order": <representation>, …}``), cut to the
    contract's five fields; ``None`` when the payload carries no order."""
    order = payload.get("order") if isinstance(payload, dict) else None
    if not isinstance(order, dict) or "id" not in order:
        return None
    return {field: order.get(field) for field in ORDER_SUMMARY_FIELDS}


def event_message(*, event_id: int, name: str, occurred_at, payload: dict) -> dict:
    message: dict = {"type": name, "id": event_id, "occurred_at": iso_utc(occurred_at)}
    order = order_summary(payload)
    if order is not None:
        message["order"] = order
    return message
