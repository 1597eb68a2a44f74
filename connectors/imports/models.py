"""Order files from channels that export files (JD-style CSV or .xlsx), and how each channel's files read.

``ColumnMapping``: one channel's reading of its export — which column header holds which order
field, what its status words mean in Orderflow's statuses, and the time zone of its times.
Mappings are named per channel (``default`` is the one the API edits and uploads use unless
told otherwise); a channel with no saved mapping reads with the built-in one (``mapping.py``).

``OrderImport``: one uploaded file and what became of it. The file's bytes stay in ``content``
(the database: a worker on another machine reads what the web process received) until the
import finishes. One file per channel (``content_hash``) is in progress at most once at a time.
An import whose task was lost does not stay in progress: one still ``queued`` too long after
``created_at``, or ``running`` with a stale ``heartbeat_at``, is failed by the next upload or
read (``jobs.order_imports_fail_lost``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ColumnMapping(models.Model):
    channel = models.ForeignKey("sales_channels.Channel", on_delete=models.CASCADE, related_name="+")
    name = models.SlugField(max_length=32, default="default")
    columns = models.JSONField(default=dict, help_text="Order field → column header, e.g. external_id → 订单号.")
    statuses = models.JSONField(default=dict, help_text="The channel's status word → Orderflow status.")
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai", help_text="Of times written without one.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("channel_id", "name")
        constraints = [models.UniqueConstraint(fields=["channel", "name"], name="column_mapping_unique_name")]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.name}"


class OrderImport(models.Model):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STATUSES = [(s, s) for s in (QUEUED, RUNNING, SUCCEEDED, FAILED)]
    IN_PROGRESS = (QUEUED, RUNNING)

    READING = "reading"
    CHECKING = "checking"
    APPLYING = "applying"
    PHASES = [(p, p) for p in ("", READING, CHECKING, APPLYING)]

    channel = models.ForeignKey("sales_channels.Channel", on_delete=models.PROTECT, related_name="+")
    mapping_name = models.CharField(max_length=32)
    mapping = models.JSONField(default=dict, help_text="The mapping as it was at upload: the import reads with it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The audit actor the import writes as, kept whole so the worker writes as the uploader.
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=100)
    trace_id = models.CharField(max_length=64, blank=True, help_text="The upload's trace id, carried into the worker.")
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8, help_text="csv or xlsx, from the content (not the name).")
    encoding = models.CharField(max_length=16, blank=True, help_text="A CSV's text encoding: utf-8 or gbk.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the file, hex.")
    content = models.BinaryField(blank=True, default=b"", editable=False)
    size_bytes = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=STATUSES, default=QUEUED)
    phase = models.CharField(max_length=12, choices=PHASES, blank=True, default="")
    total_rows = models.PositiveIntegerField(default=0, help_text="Data rows; 0 while an .xlsx is still being read.")
    processed_rows = models.PositiveIntegerField(
        default=0, help_text="Rows read while reading; rows whose order was applied while applying."
    )
    total_orders = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0, help_text="Orders whose view was not newer than the stored one.")
    failed = models.PositiveIntegerField(default=0, help_text="Orders the order centre refused when applied.")
    error_code = models.CharField(max_length=64, blank=True)
    errors = models.JSONField(
        default=dict, blank=True, help_text="Keyed rows[<n>].<field> (the header is row 1), file or header."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the run; its lease.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "content_hash"],
                condition=Q(status__in=("queued", "running")),
                name="order_import_one_in_progress_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"order import {self.pk} ({self.filename})"
