from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from commerce.channels.models import Channel


class Warehouse(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=64, blank=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower is tried first.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("priority", "code")

    def __str__(self) -> str:
        return self.code


class ChannelWarehouse(models.Model):
    """A channel's own order of warehouses to serve from; without rows, warehouse priority decides."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="warehouse_ranks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="channel_ranks")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("channel", "rank")
        constraints = [models.UniqueConstraint(fields=["channel", "warehouse"], name="channel_warehouse_unique")]


class StockItem(models.Model):
    """One SKU in one warehouse. ``available = on_hand - reserved`` and the database keeps it ≥ 0.

    ``reserved`` and ``on_hand`` change only through conditional ``UPDATE``s in
    ``services`` — never read, changed in Python and written back.
    """

    sku = models.CharField(max_length=64)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    safety_stock = models.IntegerField(default=0)
    low_stock_alerted = models.BooleanField(
        default=False, help_text="Set when available crossed safety stock, so the alert fires once per crossing."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("sku", "warehouse_id")
        # Stock sync to the platforms reads what changed since its watermark.
        indexes = [models.Index(fields=["updated_at"], name="stock_updated_at_idx")]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_unique_sku_warehouse"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"),
            models.CheckConstraint(condition=Q(safety_stock__gte=0), name="stock_safety_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku}@{self.warehouse_id}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def low_stock(self) -> bool:
        return self.available <= self.safety_stock


class Reservation(models.Model):
    ACTIVE = "active"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"
    STATES = [(s, s) for s in (ACTIVE, COMMITTED, RELEASED, EXPIRED)]

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="reservations")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="reservations")
    stock_item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=STATES, default=ACTIVE)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(state="active"), name="reservation_active_expiry_idx"),
            models.Index(fields=["order", "state"], name="reservation_order_state_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_positive")]


class StockMovement(models.Model):
    """The append-only ledger. Replaying it reproduces every stock row (``stock_audit``)."""

    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    RESERVE = "reserve"
    RELEASE = "release"
    EXPIRE = "expire"
    COMMIT = "commit"
    RETURN = "return"
    KINDS = [(k, k) for k in (RECEIPT, ADJUSTMENT, RESERVE, RELEASE, EXPIRE, COMMIT, RETURN)]

    # How each kind moves the two counters, per unit of ``quantity``: (on_hand, reserved).
    EFFECT = {
        RECEIPT: (1, 0),
        ADJUSTMENT: (1, 0),
        RESERVE: (0, 1),
        RELEASE: (0, -1),
        EXPIRE: (0, -1),
        COMMIT: (-1, -1),
        RETURN: (1, 0),
    }

    stock_item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=KINDS)
    quantity = models.IntegerField(help_text="Signed for adjustments; positive for every other kind.")
    reason = models.CharField(max_length=200, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_kind = models.CharField(max_length=16)
    actor_label = models.CharField(max_length=150, blank=True)
    trace_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["stock_item", "id"], name="movement_stock_idx")]


class StockImport(models.Model):
    """A CSV stock file too large to apply inside the upload's request, and what became of it.

    The file's bytes are kept in ``content`` (the database, so a worker on another machine reads
    what the web process received, and the row and its file are written or lost together) until
    the import finishes; then ``content`` is emptied — the ledger and audit trail are the record
    of what it changed. One file (``content_hash``) is in progress at most once at a time.

    An import whose task was lost does not stay in progress: one still ``queued`` too long after
    ``created_at``, or ``validating`` with a stale ``heartbeat_at``, is failed by the next upload
    or read of it (``imports.jobs.stock_imports_fail_lost``).
    """

    QUEUED = "queued"
    VALIDATING = "validating"
    APPLIED = "applied"
    FAILED = "failed"
    STATUSES = [(s, s) for s in (QUEUED, VALIDATING, APPLIED, FAILED)]
    IN_PROGRESS = (QUEUED, VALIDATING)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The audit actor the import writes as, kept whole so the worker writes as the uploader.
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=100)
    trace_id = models.CharField(max_length=64, help_text="The upload's trace id, carried into the worker.")
    filename = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the file, hex.")
    content = models.BinaryField(blank=True, default=b"", editable=False)
    size_bytes = models.PositiveIntegerField()
    row_count = models.PositiveIntegerField(help_text="Data rows in the file, blank lines not counted.")
    status = models.CharField(max_length=12, choices=STATUSES, default=QUEUED)
    phase = models.CharField(max_length=12, blank=True, help_text="reading, checking or applying while validating.")
    rows_done = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    errors = models.JSONField(
        default=dict, blank=True, help_text="Keyed rows[<n>].<column>; at most 200 listed, then more_errors."
    )
    created = models.PositiveIntegerField(null=True, blank=True)
    changed = models.PositiveIntegerField(null=True, blank=True)
    unchanged = models.PositiveIntegerField(null=True, blank=True)
    movements = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the worker running it; its lease while validating."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=Q(status__in=("queued", "validating")),
                name="stock_import_one_in_progress_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"stock import {self.pk} {self.filename} ({self.status})"
