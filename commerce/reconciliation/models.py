"""A day of reconciliation: its snapshot, the gateways' bill lines, and the differences found.

``ReconciliationDay`` (one per Asia/Shanghai day, unique) keeps what the last run of the day saw:
totals of orders, payments, refunds and shipments, which gateway bills were fetched (or why not),
the tolerance used. ``BillLine`` rows are the gateways' bills of the day as parsed — the outside
evidence, replaced as a whole when the day is run again. ``ReconciliationDifference`` rows are the
work items: unique per (day, key), where the key names the difference independently of the run,
so a re-run finds the same difference again instead of filing it twice, and a resolved one stays
resolved.
"""

from django.db import models

from . import categories as c

CATEGORY_CHOICES = [(name, name) for name in c.CATEGORIES]


class ReconciliationDay(models.Model):
    day = models.DateField(unique=True, help_text="The Asia/Shanghai day reconciled.")
    status = models.CharField(max_length=16, choices=[(s, s) for s in c.DAY_STATUSES], default=c.COMPLETE)
    tolerance = models.DecimalField(max_digits=10, decimal_places=2)
    totals = models.JSONField(default=dict, help_text="Counts and sums of each side of the snapshot.")
    sources = models.JSONField(default=list, help_text="Each gateway bill: fetched (lines) or its error.")
    checked = models.PositiveIntegerField(default=0, help_text="Orders and bill payments compared.")
    differing = models.PositiveIntegerField(default=0, help_text="Open or resolved differences of the day.")
    snapshot_digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the bill lines stored.")
    runs = models.PositiveIntegerField(default=0)
    fetch_attempts = models.PositiveIntegerField(
        default=0, help_text="Runs that met a bill not fetched (yet): the automatic retries count them."
    )
    last_fetch_at = models.DateTimeField(null=True, blank=True, help_text="The last run that met a bill not fetched.")
    alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When finance was told the day stays incomplete."
    )
    run_by = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ("-day",)

    def __str__(self) -> str:
        return self.day.isoformat()


class Statement(models.Model):
    """A bank or cash-on-delivery statement finance uploaded for a day: the outside evidence of
    money paid outside the gateways. One per (day, kind, account); an upload of the same file
    again changes nothing, a different file for the same account replaces it (audited)."""

    day = models.DateField(db_index=True, help_text="The Asia/Shanghai day the statement covers.")
    kind = models.CharField(max_length=8, choices=[(k, k) for k in c.STATEMENT_KINDS])
    account = models.CharField(max_length=64, help_text="The bank account or courier the statement is of.")
    file_name = models.CharField(max_length=200)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file as uploaded.")
    file_format = models.CharField(max_length=16, help_text="orderflow (the documented columns) or bank_cn.")
    lines_count = models.PositiveIntegerField(default=0)
    credit_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("day", "id")
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "account"], name="reconciliation_statement_unique_account")
        ]

    def __str__(self) -> str:
        return f"{self.day}:{self.kind}:{self.account}"


class StatementLine(models.Model):
    """One credit of an uploaded statement (money received; debits are not kept)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField(help_text="The line's row in the file (the header is row 1).")
    serial = models.CharField(max_length=64, blank=True, help_text="The bank's own transaction number (流水号).")
    reference = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=256, blank=True)
    payer = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)


class BillLine(models.Model):
    """One line of a gateway's bill: a payment, or a refund (amount positive, the kind says which)."""

    reconciliation_day = models.ForeignKey(ReconciliationDay, on_delete=models.CASCADE, related_name="bill_lines")
    gateway = models.CharField(max_length=32)
    connection_id = models.PositiveBigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=8, choices=[(k, k) for k in c.LINE_KINDS])
    out_trade_no = models.CharField(max_length=64, db_index=True)
    trade_no = models.CharField(max_length=64, blank=True)
    out_request_no = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    memo = models.CharField(max_length=256, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)


class ReconciliationDifference(models.Model):
    reconciliation_day = models.ForeignKey(ReconciliationDay, on_delete=models.PROTECT, related_name="differences")
    key = models.CharField(max_length=160, help_text="What the difference is about, the same on every run.")
    category = models.CharField(max_length=24, choices=CATEGORY_CHOICES)
    status = models.CharField(max_length=12, choices=[(s, s) for s in c.DIFFERENCE_STATUSES], default=c.OPEN)
    order_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The order concerned, if known.")
    order_number = models.CharField(max_length=32, blank=True)
    gateway = models.CharField(max_length=32, blank=True)
    out_trade_no = models.CharField(max_length=64, blank=True)
    expected_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    actual_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    detail = models.JSONField(default=dict)
    ticket_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Its work item (commerce.tickets).")
    resolution = models.CharField(max_length=500, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["reconciliation_day", "key"], name="reconciliation_difference_unique_key")
        ]
        indexes = [models.Index(fields=["category", "status"], name="recon_difference_category_idx")]

    def __str__(self) -> str:
        return f"{self.reconciliation_day_id}:{self.key}"
