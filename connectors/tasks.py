"""django-q2 tasks: each fetches by id and calls a service (the schedules are in orderflow.schedules)."""

from django.utils import timezone

from runtime.queue import enqueue

from .imports.jobs import order_imports_fail_lost
from .models import REFUNDS
from .services.deliveries import deliveries_sweep, sandbox_stream_tick
from .services.polling import connection_poll, connections_due_for_poll, poll_release_stale
from .services.stock import stock_connections, stock_sync

POLL_TASK = "connectors.tasks.connection_poll_task"
REFUND_POLL_TASK = "connectors.tasks.connection_refund_poll_task"


def polls_due_task() -> int:
    """Every minute: queues a poll of each connection whose interval has passed — of its orders,
    and of its refunds where the platform has a refund list (each list on its own cursor)."""
    now = timezone.now()
    poll_release_stale(now=now)
    due = connections_due_for_poll(now=now)
    for connection_id in due:
        enqueue(POLL_TASK, connection_id)
    refunds_due = connections_due_for_poll(now=now, stream=REFUNDS)
    for connection_id in refunds_due:
        enqueue(REFUND_POLL_TASK, connection_id)
    return len(due) + len(refunds_due)


def connection_poll_task(connection_id: int) -> None:
    connection_poll(connection_id=connection_id)


def connection_refund_poll_task(connection_id: int) -> None:
    connection_poll(connection_id=connection_id, stream=REFUNDS)


def stock_sync_task(full: bool = False) -> None:
    """Kicked by committed domain events (at most once a second), every minute for what the last
    kicks of a burst left, and every ten minutes with ``full=True`` to repair drift."""
    for connection in stock_connections():
        stock_sync(connection_id=connection.pk, full=full)


def stock_sync_full_task() -> None:
    stock_sync_task(full=True)


def deliveries_sweep_task() -> int:
    """Every minute: deliveries a crash left unapplied, and order imports whose worker was lost."""
    order_imports_fail_lost()
    return deliveries_sweep()


def sandbox_stream_task() -> None:
    """Every minute on a demo install: a new order through each demo sandbox connection."""
    sandbox_stream_tick()


def living_demo_task() -> None:
    """Every minute on a demo install: demo orders paid, picked, shipped and tracked through the sandboxes."""
    from .demo import living_demo_tick

    living_demo_tick()


def pick_list_push_task(order_id: int) -> None:
    """Sends the pick list of an order the audit queue let through, when a warehouse is connected."""
    from .warehouse.fulfilment import pick_list_push, warehouse_connection

    if warehouse_connection() is not None:
        pick_list_push(order_id=order_id)
