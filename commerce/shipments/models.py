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
    subscribed_at = models.DateTimeField(null=True, blank=True, help_text="Subscribed at the courier for pushes.")
    polled_at = models.DateTimeField(null=True, blank=True, help_text="Last queried at the courier.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["courier", "tracking_no"], name="shipment_unique_tracking_no"),
        ]
        indexes = [models.Index(fields=["status", "last_event_at"], name="shipment_status_idx")]

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
