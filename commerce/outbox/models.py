from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it announces.

    The runtime drains rows in ``id`` order and stamps ``dispatched_at``; a row is never removed
    by the domain, so the stored events also serve back-tests of draft flows.
    """

    name = models.CharField(max_length=64, db_index=True)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    actor = models.JSONField(default=dict)
    trace_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx"),
            models.Index(fields=["subject_type", "subject_id", "id"], name="outbox_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} {self.subject_type}:{self.subject_id}"
