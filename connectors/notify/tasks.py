"""django-q2 entry point of the notification retry queue (scheduled in ``orderflow.schedules.services``)."""

from .services import notifications_retry_due


def notifications_retry_task() -> int:
    """Every minute: sends again the notifications whose retry is due."""
    return notifications_retry_due()
