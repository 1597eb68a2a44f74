from django.db.models import QuerySet

from .models import OutboxEvent


def outbox_pending() -> QuerySet[OutboxEvent]:
    """Events not yet dispatched, oldest first."""
    return OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")


def outbox_pending_first(limit: int) -> list[OutboxEvent]:
    """The ``limit`` oldest events not yet dispatched — what the runtime's drain reads on every
    batch, over the partial index ``outbox_pending_idx``."""
    return list(outbox_pending()[:limit])
