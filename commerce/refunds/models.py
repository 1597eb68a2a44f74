"""Refund requests, their lines and decisions, and the versioned approval policy."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from commerce.orders.models import Order
from commerce.tickets.models import Ticket

from . import statuses


class RefundPolicy(models.Model):
    """One version of the approval policy; the newest is in force. A change is a new version, never an
    edit, so every decision names the version it was made under (``policy.DEFAULT`` documents the
    fields)."""

    version = models.PositiveIntegerField(unique=True)
    document = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150, help_text="Who saved it (the actor's label).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-version",)


class RefundRequest(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refund_requests")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    reason = models.CharField(max_length=24, choices=[(r, r) for r in statuses.REASONS])
    note = models.CharField(max_length=500, blank=True, help_text="The customer's or operator's words.")
    status = models.CharField(max_length=12, choices=[(s, s) for s in statuses.STATUSES], default=statuses.REQUESTED)
    method = models.CharField(max_length=8, choices=[(m, m) for m in statuses.METHODS])
    queue = models.CharField(max_length=32, help_text="The queue the reason routes it to (policy `routes`).")
    return_needed = models.BooleanField(default=False)
    return_tracking_no = models.CharField(max_length=64, blank=True)
    source_key = models.CharField(
        max_length=160,
        blank=True,
        help_text="A channel's own refund id (channel:id): twice is one request.",
    )
    requested_by = models.JSONField(help_text="The actor who filed it (kind, id, label, source).")
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy_version = models.PositiveIntegerField()
    approvals_needed = models.JSONField(default=list, help_text="The roles still to approve, in order.")
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=128, blank=True, help_text="An offline refund's payment reference.")
    failure = models.TextField(blank=True, help_text="The gateway's message when the payout failed.")
    sla_level = models.CharField(
        max_length=8, blank=True, help_text="The last SLA level announced (yellow, orange, red): each once."
    )
    ticket = models.OneToOneField(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund_request",
        help_text="The request's one ticket, opened with it in its queue and closed when it ends.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="refund_unique_source_key"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_age_idx")]

    @property
    def out_request_no(self) -> str:
        """The gateway's idempotency key for this request's payout: the same on every retry."""
        return f"RFQ{self.pk}"

    @property
    def ticket_number(self) -> str:
        """The number people quote for the request's ticket (``TK000042``), empty while it has none."""
        return f"TK{self.ticket_id:06d}" if self.ticket_id else ""


class RefundLine(models.Model):
    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "sku"], name="refund_line_unique_sku")]


class RefundDecision(models.Model):
    """One step of a request's life, never changed: who, when, under which policy version, and why."""

    AUTO = "auto"  # within the automatic tier
    DIRECT = "direct"  # a trusted customer's request, refunded without approval
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    KINDS = [(k, k) for k in (AUTO, DIRECT, APPROVE, REJECT, CANCEL)]

    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=8, choices=KINDS)
    role = models.CharField(max_length=16, blank=True, help_text="The role the approval was given as.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    policy_version = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("at", "id")


class ReturnedGoods(models.Model):
    """Goods the customer sent back against a request, one row per SKU and condition of a receipt.

    Sellable goods are restocked through the inventory service (``stock_restock``: ``on_hand`` up,
    one ``return`` movement in the ledger) in ``warehouse``. Damaged goods are quarantined here and
    nowhere else: they never reach a stock row, so they can be neither reserved nor pushed to a
    channel as available (``services.refund_return_receive`` says why not a warehouse of their own).
    """

    SELLABLE = "sellable"
    DAMAGED = "damaged"
    CONDITIONS = (SELLABLE, DAMAGED)
    RESTOCKED = "restocked"
    QUARANTINE = "quarantine"

    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="returns")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=8, choices=[(c, c) for c in CONDITIONS])
    disposition = models.CharField(max_length=12, choices=[(d, d) for d in (RESTOCKED, QUARANTINE)])
    warehouse = models.CharField(max_length=32, blank=True, help_text="Where sellable goods were restocked.")
    tracking_no = models.CharField(max_length=64, blank=True, help_text="The return parcel's tracking number.")
    actor_label = models.CharField(max_length=150)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("received_at", "id")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="returned_goods_quantity_positive"),
        ]


class RefundEvidence(models.Model):
    """An image the customer or an operator gave as evidence for a request (a photo of the damage).

    Stored through Django's storage in the var dir (``storage.evidence_storage``; the column keeps the
    stored name, not a ``FileField``, so the migration names no project code), never under a
    public URL: only the API (staff who may see refunds) and the customer's signed link serve it.
    The type is the one its magic bytes say (``evidence.sniff_image``), not what the client claimed.
    """

    JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
    TYPES = (JPEG, PNG, WEBP)
    EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp"}

    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="evidence")
    stored_as = models.CharField(
        max_length=200, help_text="The file's name in the evidence storage (its request and content hash)."
    )
    content_type = models.CharField(max_length=16, choices=[(t, t) for t in TYPES])
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=120, blank=True, help_text="The file's name as uploaded, for people.")
    uploaded_by = models.CharField(max_length=150, help_text="Who uploaded it (the actor's label).")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("uploaded_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["request", "sha256"], name="refund_evidence_unique_file"),
        ]

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")
