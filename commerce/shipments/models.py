"""A parcel of an order (``Shipment``) and what its courier reported about it (``TrackingEvent``).

``Shipment`` is unique per (courier, tracking number): a courier connector finds the parcel of a
push by those two. ``TrackingEvent`` is unique per (shipment, time, status) — the dedup key of a
tracking node: a push repeated, a poll that returns the full history again, or a push and a poll
that report the same node store it once.
"""

from django.db import models

from . import statuses


class Shipment(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    courier = models.CharField(max_length=32, help_text="The courier connector's key: kuaidi100, sf.")
    carrier = models.CharField(
        max_length=32, blank=True, help_text="The carrier's code where the courier is an aggregator (yuantong…)."
    )
    tracking_no = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=statuses.CHOICES, default=statuses.CREATED)
    last_event_at = models.DateTimeField(null=True, blank=True, help_text="The newest tracking event's time.")
    expected_delivery_at = models.DateTimeField(null=True, blank=True)
    stalled_at = models.DateTimeField(
        null=True, blank=True, help_text="shipment.stalled was emitted for this stall; a new event clears it."
    )
    overdue_at = models.DateTimeField(
        null=True, blank=True, help_text="shipment.stalled was emitted because the expected delivery passed."
    )
    parcel = models.ForeignKey(
        "shipments.Parcel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
        help_text="The planned parcel (merge / split) this order's shipment is; a merged parcel has one per order.",
    )
    subscribed_at = models.DateTimeField(null=True, blank=True, help_text="Subscribed at the courier for pushes.")
    polled_at = models.DateTimeField(null=True, blank=True, help_text="Last queried at the courier.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # Outside a planned parcel a tracking number is one order's; a merged parcel's number is
            # shared by the orders it carries, once each.
            models.UniqueConstraint(
                fields=["courier", "tracking_no"],
                condition=models.Q(parcel__isnull=True),
                name="shipment_unique_tracking_no",
            ),
            models.UniqueConstraint(
                fields=["courier", "tracking_no", "order"], name="shipment_unique_tracking_no_per_order"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "last_event_at"], name="shipment_status_idx"),
            models.Index(fields=["courier", "tracking_no"], name="shipment_tracking_no_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.courier}:{self.tracking_no}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=statuses.CHOICES)
    code = models.CharField(max_length=32, blank=True, help_text="The courier's own code (state, opCode).")
    description = models.TextField(blank=True)
    location = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=100, blank=True, help_text="How it arrived: webhook:kuaidi100, poll:sf…")
    raw = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("occurred_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "occurred_at", "status"], name="tracking_event_unique_node"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.occurred_at:%Y-%m-%d %H:%M} {self.status}"


class Parcel(models.Model):
    """A box that leaves the warehouse: the unit of a pick list, a waybill and a label.

    An order without a parcel row ships as one box (the warehouse's own pick list). Merging (合单)
    puts several orders of one buyer and address in one parcel; splitting (拆单) spreads one
    order's lines over several. Money never moves: each order keeps its amounts and status, and
    each gets its own ``Shipment`` (with the parcel's tracking number) when the parcel ships.

    While an order is planned, every unit of each of its lines is in exactly one active (not
    cancelled) parcel line — ``parcels`` keeps this in each change, under the orders' row locks.
    """

    PLANNED = "planned"  # packed on paper: may be merged, split, un-merged
    WAYBILLED = "waybilled"  # has a tracking number and label from its courier
    SHIPPED = "shipped"  # handed to the courier: each order has its shipment
    CANCELLED = "cancelled"  # replaced by another plan (un-merged, re-split)
    STATUSES = [(s, s) for s in (PLANNED, WAYBILLED, SHIPPED, CANCELLED)]
    ACTIVE = (PLANNED, WAYBILLED, SHIPPED)
    CHANGEABLE = (PLANNED, WAYBILLED)

    SINGLE = "single"
    MERGED = "merged"
    SPLIT = "split"
    KINDS = [(k, k) for k in (SINGLE, MERGED, SPLIT)]

    number = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=8, choices=KINDS, default=SINGLE)
    status = models.CharField(max_length=12, choices=STATUSES, default=PLANNED)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="parcels"
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why the box is what it is: in stock now, later…")
    courier = models.CharField(max_length=32, blank=True)
    carrier = models.CharField(max_length=32, blank=True)
    tracking_no = models.CharField(max_length=64, blank=True)
    waybill = models.JSONField(
        default=dict, blank=True, help_text="What the courier's order API answered for the label (routing codes…)."
    )
    waybill_key = models.CharField(
        max_length=128, blank=True, help_text="The idempotency key of the waybill request that set tracking_no."
    )
    waybill_cancels = models.PositiveIntegerField(
        default=0,
        help_text="Waybills cancelled at the courier: couriers never reuse a cancelled order number, so the "
        "next request goes under a new one (parcel number + this count).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    waybilled_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["courier", "tracking_no"],
                condition=~models.Q(tracking_no="") & ~models.Q(status="cancelled"),
                name="parcel_unique_tracking_no",
            ),
            models.UniqueConstraint(
                fields=["waybill_key"], condition=~models.Q(waybill_key=""), name="parcel_unique_waybill_key"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ParcelLine(models.Model):
    """So many units of one order line, in one parcel."""

    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="lines")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="parcel_lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="parcel_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ("parcel_id", "order_id", "order_line_id")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="parcel_line_quantity_positive"),
            models.UniqueConstraint(fields=["parcel", "order_line"], name="parcel_line_unique_order_line"),
        ]
        indexes = [models.Index(fields=["order", "parcel"], name="parcel_line_order_idx")]
