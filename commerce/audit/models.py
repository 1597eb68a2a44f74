from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only")


class AuditEntry(models.Model):
    """One change to a domain object, written in the same transaction as the change.

    Append-only on three levels: this model refuses to save an existing row or delete one, its
    queryset refuses bulk updates and deletes, and database triggers (see the migration) refuse
    ``UPDATE`` and ``DELETE`` from any client.
    """

    CREATED = "created"
    UPDATED = "updated"
    TRANSITIONED = "transitioned"
    IGNORED = "ignored"
    TAGGED = "tagged"
    UNTAGGED = "untagged"
    HELD = "held"
    RELEASED = "released"
    NOTED = "noted"
    STOCK_RESERVED = "stock_reserved"
    STOCK_RELEASED = "stock_released"
    STOCK_COMMITTED = "stock_committed"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    action = models.CharField(max_length=32)
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=100)
    changes = models.JSONField(default=dict)
    trace_id = models.CharField(max_length=64, db_index=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ("occurred_at", "id")
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"], name="audit_subject_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="audit_unique_idempotency_key",
            )
        ]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.action} by {self.actor_kind}:{self.actor_label}"
