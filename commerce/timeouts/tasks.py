"""django-q2 entry points of order timeouts (scheduled in ``orderflow.schedules.services``)."""

from .services import orders_timeout_check


def orders_timeout_check_task() -> dict:
    return {"announced": orders_timeout_check()}
