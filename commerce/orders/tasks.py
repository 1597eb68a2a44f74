"""django-q2 tasks for orders. Each fetches nothing itself and calls one service."""

from core.trace import bind_trace_id, new_trace_id, reset_trace_id

from .expiry import orders_expire_unpaid


def orders_expire_unpaid_task() -> int:
    """Scheduled every minute as ``orders.expire_unpaid`` (``orderflow.schedules.services``).

    Idempotent and safe to run on several workers at once: the service locks each order with
    ``SKIP LOCKED`` and re-checks it under the lock. Returns how many orders it cancelled, which
    django-q2 stores as the task result for the task monitor.
    """
    token = bind_trace_id(new_trace_id())
    try:
        return orders_expire_unpaid()
    finally:
        reset_trace_id(token)
