from django.db.models import QuerySet

from .models import OutboxEvent


def outbox_pending() -> QuerySet[OutboxEvent]:
    """Events not yet dispatched, oldest first."""
    return OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")
