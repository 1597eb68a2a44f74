import secrets
from functools import partial

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImmutableVersionError(Exception):
    """Raised when code tries to change or remove a published flow version."""


# 24 random bytes, 32 URL-safe characters. A partial of the standard library's function, not a
# function of ours, so the migrations that name this default import no project code.
NEW_WEBHOOK_TOKEN = partial(secrets.token_urlsafe, 24)


class Flow(models.Model):
    """A flow: its editable draft document and, once published, its current version.

    ``draft`` is saved as the editor sends it, valid or not; only ``services.flow_publish`` turns
    it into a ``FlowVersion``, and only after ``validation.validate_document`` finds no problem.
    ``current_version`` is the latest published version (the one the runtime executes while
    ``enabled``); ``name`` and ``description`` mirror the draft document's, for lists and search.
    """

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flows")
    enabled = models.BooleanField(default=False)
    draft = models.JSONField(default=dict)
    draft_updated_at = models.DateTimeField(default=timezone.now)
    current_version = models.ForeignKey(
        "builder.FlowVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    webhook_token = models.CharField(
        max_length=64,
        unique=True,
        default=NEW_WEBHOOK_TOKEN,
        help_text="The secret part of the flow's webhook URL (webhook triggers).",
    )
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Deleted after it was published: kept (switched off) for its versions' history.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["enabled"], name="flow_enabled_idx")]

    def __str__(self) -> str:
        return self.name


class FlowVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableVersionError("published flow versions are immutable")

    def delete(self):
        raise ImmutableVersionError("published flow versions are immutable")


class FlowVersion(models.Model):
    """One published, numbered, immutable snapshot of a flow document.

    Numbers run 1, 2, 3… per flow. Executions name the version they ran, so a version is never
    changed or removed: the model refuses to save an existing row or delete one, the queryset
    refuses bulk updates and deletes, and database triggers (see the migration) refuse
    ``UPDATE`` and ``DELETE`` from any client. ``trigger_type`` and ``trigger_event`` are copied
    from the document at publish time so the runtime can find the flows for an event by index.
    """

    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    checksum = models.CharField(max_length=64, help_text="sha256 of the document's canonical JSON.")
    trigger_type = models.CharField(max_length=16)
    trigger_event = models.CharField(max_length=64, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    objects = FlowVersionQuerySet.as_manager()

    class Meta:
        ordering = ("flow_id", "-number")
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="flow_version_unique_number")]
        indexes = [models.Index(fields=["trigger_type", "trigger_event"], name="flow_version_trigger_idx")]

    def __str__(self) -> str:
        return f"{self.flow_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableVersionError("published flow versions are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersionError("published flow versions are immutable")
