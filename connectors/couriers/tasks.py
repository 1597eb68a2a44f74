"""django-q2 tasks of the couriers (the schedules are in orderflow.schedules)."""

from .services import couriers_poll_due


def couriers_poll_task() -> dict[int, int]:
    """Every minute: queries the parcels of couriers without push that are due (every 3 minutes each)."""
    return couriers_poll_due()
