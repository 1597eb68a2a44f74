from datetime import datetime

from django.db.models import F, Q, QuerySet

from . import statuses
from .errors import ShipmentNotFound
from .models import Shipment, TrackingEvent


def shipment_get(*, shipment_id: int) -> Shipment:
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        raise ShipmentNotFound(details={"shipment_id": shipment_id})
    return shipment


def shipment_find(*, courier: str, tracking_no: str) -> Shipment | None:
    return Shipment.objects.filter(courier=courier, tracking_no=tracking_no).first()


def shipments_of_order(*, order_id: int) -> QuerySet[Shipment]:
    return Shipment.objects.filter(order_id=order_id).order_by("created_at", "id")


def shipment_latest_of_order(*, order_id: int) -> Shipment | None:
    """The order's most recently recorded parcel (what ``shipment.*`` actions act on by default)."""
    return Shipment.objects.filter(order_id=order_id).order_by("-created_at", "-id").first()


def tracking_events_of(*, shipment_id: int) -> QuerySet[TrackingEvent]:
    """The parcel's tracking history, oldest first."""
    return TrackingEvent.objects.filter(shipment_id=shipment_id).order_by("occurred_at", "id")


def shipments_due_for_poll(*, couriers: tuple[str, ...], polled_before: datetime, limit: int = 200) -> list[Shipment]:
    """Parcels on their way at these couriers not queried since ``polled_before``, least recently first."""
    return list(
        Shipment.objects.filter(courier__in=couriers, status__in=statuses.ACTIVE)
        .filter(Q(polled_at__isnull=True) | Q(polled_at__lt=polled_before))
        .order_by(F("polled_at").asc(nulls_first=True), "pk")[:limit]
    )
