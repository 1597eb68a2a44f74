"""A connector's accounts, and what they have received, fetched and pushed.

``Connection``: one configured account of a connector (a shop, a merchant account). Its
credentials are one sealed JSON object (``core.crypto``): revealed only by
``services.connections.connection_credentials`` on the way to a provider, never answered by the
API, never logged. Its health (last success, last error, consecutive failures) is written by every
call the framework makes for it.

``WebhookDelivery``: every inbound delivery, kept whatever became of it — the raw body (signatures
cover exact bytes, so a replay re-verifies the very bytes that arrived) and the headers with
secrets redacted. ``dedup_key`` is unique per connection among verified deliveries: that
constraint, not a lookup, is what makes a duplicate storm create one order.

A delivery's ``source`` is ``poll`` for an item a poll fetched (a platform's refund) that could
not be applied: kept the same way — its raw payload as the body, its error — so it is listed
and replayed with the webhook deliveries (``services.polled_items``).

``PollCursor`` / ``PollRun``: where each of a connection's polled lists (``stream``: its orders,
its refunds) stands, and what each run did.

``StockPush``: the last sellable quantity pushed (or to push) per connection and SKU — the
coalescing point of stock sync: a burst of reservations rewrites ``wanted`` and one push sends the
final figure.

``SandboxRecord``: a sandbox simulator's state (the orders its fake shop holds, the stock levels
pushed to it), in the database so the web server, the worker and ``manage.py sandbox`` share it.
"""

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q


class Connection(models.Model):
    connector = models.CharField(max_length=32, help_text="The connector's key in connectors/registry.py.")
    name = models.CharField(max_length=100)
    credentials_sealed = models.TextField(help_text="The credentials as one sealed JSON object (core.crypto).")
    settings = models.JSONField(default=dict, blank=True)
    sandbox = models.BooleanField(default=False, help_text="Talks to the connector's local simulator.")
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    stock_synced_until = models.DateTimeField(
        null=True, blank=True, help_text="Stock rows changed before this have been planned for pushing."
    )
    stock_lease_until = models.DateTimeField(null=True, blank=True, help_text="A stock sync holds it until then.")

    class Meta:
        ordering = ("connector", "name", "id")
        constraints = [models.UniqueConstraint(fields=["connector", "name"], name="connection_unique_name")]

    def __str__(self) -> str:
        return f"{self.connector}:{self.name}"


WEBHOOK = "webhook"
POLL = "poll"
SOURCES = (WEBHOOK, POLL)
ORDERS = "orders"
REFUNDS = "refunds"
STREAMS = (ORDERS, REFUNDS)


class WebhookDelivery(models.Model):
    ACCEPTED = "accepted"  # verified, stored, processing after commit
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    IGNORED = "ignored"  # verified, an event type the connector acknowledges and does not act on
    FAILED = "failed"  # verified, but applying it failed (replayable)
    OUTCOMES = [(o, o) for o in (ACCEPTED, PROCESSED, DUPLICATE, REJECTED, IGNORED, FAILED)]

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="deliveries")
    received_at = models.DateTimeField(auto_now_add=True)
    topic = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    verified = models.BooleanField(default=False)
    dedup_key = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=OUTCOMES)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="What processing did: orders and outcomes.")
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    source = models.CharField(
        max_length=8,
        choices=[(s, s) for s in SOURCES],
        default=WEBHOOK,
        help_text="webhook: pushed to the hook; poll: an item a poll fetched that could not be applied.",
    )

    class Meta:
        ordering = ("-received_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "dedup_key"],
                condition=Q(verified=True) & ~Q(dedup_key="") & Q(replay_of__isnull=True) & ~Q(outcome="duplicate"),
                name="delivery_unique_dedup_key",
            )
        ]
        indexes = [models.Index(fields=["connection", "-received_at"], name="delivery_connection_idx")]


class PollCursor(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="poll_cursors")
    stream = models.CharField(max_length=8, choices=[(s, s) for s in STREAMS], default=ORDERS)
    cursor = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Rate-limited until then.")
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A poll holds it until then.")
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "stream"], name="poll_cursor_unique_stream")]


class PollRun(models.Model):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STATUSES = [(s, s) for s in (RUNNING, SUCCEEDED, FAILED)]

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="poll_runs")
    stream = models.CharField(max_length=8, choices=[(s, s) for s in STREAMS], default=ORDERS)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=RUNNING)
    pages = models.PositiveIntegerField(default=0)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-started_at", "-id")


class StockPush(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="stock_pushes")
    sku = models.CharField(max_length=64)
    wanted = models.IntegerField(help_text="The sellable quantity the platform should show.")
    pushed = models.IntegerField(null=True, blank=True, help_text="The last quantity the platform accepted.")
    pushed_at = models.DateTimeField(null=True, blank=True)
    pushes = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts since the last success.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("connection_id", "sku")
        constraints = [models.UniqueConstraint(fields=["connection", "sku"], name="stock_push_unique_sku")]


class SandboxRecord(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sandbox_records")
    kind = models.CharField(max_length=32)  # "order", "stock", "message", …
    key = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    seq = models.BigAutoField(primary_key=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("seq",)
        constraints = [models.UniqueConstraint(fields=["connection", "kind", "key"], name="sandbox_unique_key")]


from .imports.models import ColumnMapping, OrderImport  # noqa: E402, F401
from .notify.models import NotificationLog, ProviderAccessToken  # noqa: E402, F401
