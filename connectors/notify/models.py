"""``NotificationLog``: every notification Orderflow sends to a customer or a team, and each attempt's outcome.

The row is written **before** the provider is called, under a unique ``idempotency_key`` (a flow
node's ``<execution id>:<node id>``, or a caller's key): a second send with the key finds it and
sends nothing new once it is ``sent``. The message itself (recipient, text, variables) is kept
sealed (``core.crypto``) so the retry queue can send it again; what the log shows is the recipient
masked, the template, the length and the provider's answer (truncated, never a credential).

Statuses: ``queued`` (written; an attempt is due or in flight), ``sent`` (the provider accepted it),
``failed`` (an attempt failed; the retry queue sends it again at ``next_attempt_at``), ``dead``
(refused for good, or the retries are used up: ``notification.failed`` was emitted).

Message templates are the params of the notify actions (text and variables in the engine's template
syntax, rendered by the runner) rather than a table of their own: a flow's node is where an
operator writes and versions them, and the provider's own templates (Aliyun TemplateCode, WeChat
template_id) are named there.
"""

from django.db import models
from django.db.models import Q

from ..models import Connection


class NotificationLog(models.Model):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    STATUSES = [(s, s) for s in (QUEUED, SENT, FAILED, DEAD)]

    channel = models.CharField(max_length=16)
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient_masked = models.CharField(max_length=200, blank=True)
    recipient_digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of channel and recipient: the per-recipient rate limit counts it."
    )
    template = models.CharField(max_length=100, blank=True, help_text="The template key (TemplateCode, template_id).")
    rendered_length = models.PositiveIntegerField(default=0)
    message_sealed = models.TextField(help_text="The message as one sealed JSON object, for resends. Never answered.")
    marketing = models.BooleanField(default=False, help_text="A marketing message: held back in quiet hours.")
    status = models.CharField(max_length=8, choices=STATUSES, default=QUEUED)
    provider_message_id = models.CharField(max_length=128, blank=True)
    provider_response = models.JSONField(default=dict, blank=True, help_text="The provider's last answer, truncated.")
    attempts = models.PositiveIntegerField(default=0)
    max_retries = models.PositiveSmallIntegerField(default=3)
    retry_interval_seconds = models.PositiveIntegerField(default=300)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, help_text="An attempt is in flight until then.")
    last_error = models.TextField(blank=True)
    announce_failure = models.BooleanField(
        default=True, help_text="Emit notification.failed when it dies (not for a fallback with a next channel)."
    )
    idempotency_key = models.CharField(max_length=200)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="notification_unique_key")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=Q(status__in=["queued", "failed"]),
            ),
            models.Index(fields=["recipient_digest", "created_at"], name="notification_recipient_idx"),
            models.Index(fields=["channel", "created_at"], name="notification_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient_masked}:{self.status}"


class ProviderAccessToken(models.Model):
    """A provider's short-lived access token for one connection (WeChat's ``access_token``: two
    hours), kept in the database so every process — web, workers, the scheduler — uses the one
    token: WeChat invalidates a token some minutes after a newer one is issued, so processes that
    each fetched their own would keep knocking each other's out. The token is a credential: sealed
    (``core.crypto``), never answered, never logged."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="+")
    token_sealed = models.TextField()
    expires_at = models.DateTimeField(help_text="When the provider said the token expires.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.expires_at:%Y-%m-%dT%H:%M}"
