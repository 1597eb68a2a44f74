"""The KPI read model: one fact per order and per notification, hourly rollups, the backlog, thresholds.

``KpiFact`` holds, for one order (or notification), what it contributes to each counter
(``COUNTERS``) of its Asia/Shanghai hour and channel, and its status. ``KpiHourly`` holds the sums
of those contributions per (day, hour, channel) and ``KpiBacklog`` the count of orders per
(channel, status): the KPI endpoint reads only these two and the thresholds, so it costs the same
at a thousand orders or millions. How they are kept up to date is ``insights.kpis.rollups``.

``channel_id`` is a plain integer, not a foreign key: the read model never holds a lock on, or
blocks a change of, the domain's rows. ``NO_CHANNEL`` (0) is the channel of a notification sent
for no order.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

NO_CHANNEL = 0

# Every counter a fact contributes and an hourly rollup sums (see ``definitions`` for what each KPI
# makes of them). ``gmv`` is money; the rest are whole numbers.
COUNTERS = (
    "orders",
    "gmv",
    "paid",
    "sync_measured",
    "sync_delayed",
    "exceptions",
    "sla_due",
    "sla_met",
    "processed",
    "processing_seconds",
    "refunded",
    "notifications_due",
    "notifications_delivered",
)


class Counters(models.Model):
    orders = models.IntegerField(default=0)
    gmv = models.DecimalField(max_digits=18, decimal_places=2, default=0, help_text="Total of the paid orders.")
    paid = models.IntegerField(default=0)
    sync_measured = models.IntegerField(default=0, help_text="Orders a live channel sync brought.")
    sync_delayed = models.IntegerField(default=0, help_text="…of which a channel event arrived over 5 min late.")
    exceptions = models.IntegerField(default=0, help_text="Held, a dead flow execution, or an open ticket.")
    sla_due = models.IntegerField(default=0, help_text="Paid orders shipped, or unshipped past the SLA.")
    sla_met = models.IntegerField(default=0, help_text="…of which shipped within the SLA.")
    processed = models.IntegerField(default=0, help_text="Orders shipped after being paid.")
    processing_seconds = models.BigIntegerField(default=0, help_text="…their seconds from paid to shipped.")
    refunded = models.IntegerField(default=0, help_text="Paid orders with a gateway refund that succeeded.")
    notifications_due = models.IntegerField(default=0)
    notifications_delivered = models.IntegerField(default=0)

    class Meta:
        abstract = True


class KpiFact(Counters):
    ORDER = "order"
    NOTIFICATION = "notification"
    KINDS = [(ORDER, ORDER), (NOTIFICATION, NOTIFICATION)]

    kind = models.CharField(max_length=16, choices=KINDS)
    source_id = models.BigIntegerField(help_text="The order's or the notification's id.")
    day = models.DateField(help_text="The Asia/Shanghai day of the order's placing or the notification's logging.")
    hour = models.PositiveSmallIntegerField(help_text="Its Asia/Shanghai hour, 0–23.")
    channel_id = models.IntegerField()
    status = models.CharField(max_length=20, blank=True, help_text="The order's status (for the backlog).")
    # Why an order counts as an exception: each flag is refreshed from its own source (rollups.py).
    held = models.BooleanField(default=False)
    failed_execution = models.BooleanField(default=False)
    open_ticket = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="kpi_fact_unique_source")]
        indexes = [
            models.Index(fields=["source_id"], condition=Q(failed_execution=True), name="kpi_fact_failed_idx"),
            models.Index(fields=["source_id"], condition=Q(open_ticket=True), name="kpi_fact_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.source_id} {self.day} {self.hour}h"


class KpiHourly(Counters):
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    channel_id = models.IntegerField()

    class Meta:
        ordering = ("day", "hour", "channel_id")
        constraints = [models.UniqueConstraint(fields=["day", "hour", "channel_id"], name="kpi_hourly_unique")]
        indexes = [models.Index(fields=["channel_id", "day"], name="kpi_hourly_channel_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour}h channel {self.channel_id}"


class KpiBacklog(models.Model):
    channel_id = models.IntegerField()
    status = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        ordering = ("channel_id", "status")
        constraints = [models.UniqueConstraint(fields=["channel_id", "status"], name="kpi_backlog_unique")]

    def __str__(self) -> str:
        return f"channel {self.channel_id} {self.status}: {self.count}"


class KpiRollupState(models.Model):
    """The one row that says how far the rollups are refreshed; its row lock serialises refreshes."""

    refreshed_until = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    last_changed = models.PositiveIntegerField(default=0, help_text="Facts the last refresh changed.")

    def __str__(self) -> str:
        return f"refreshed until {self.refreshed_until}"


class KpiThreshold(models.Model):
    """An admin's threshold for one KPI, replacing its default (``definitions``); null: none."""

    key = models.CharField(max_length=40, unique=True)
    threshold = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.key}: {self.threshold}"
