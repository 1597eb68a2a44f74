"""The one JSON shape of a shipment: the REST API answers with it, and shipment events carry it."""

from core.time import iso_utc


def tracking_event_representation(event) -> dict:
    return {
        "occurred_at": iso_utc(event.occurred_at),
        "status": event.status,
        "code": event.code,
        "description": event.description,
        "location": event.location,
    }


def shipment_representation(shipment, *, latest_event=None) -> dict:
    """``latest_event``: the shipment's newest tracking event, when the caller has it (else read)."""
    if latest_event is None:
        latest_event = shipment.events.order_by("-occurred_at", "-id").first()
    return {
        "id": shipment.pk,
        "order_id": shipment.order_id,
        "courier": shipment.courier,
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
        "status": shipment.status,
        "last_event_at": iso_utc(shipment.last_event_at),
        "expected_delivery_at": iso_utc(shipment.expected_delivery_at),
        "created_at": iso_utc(shipment.created_at),
        "latest_event": tracking_event_representation(latest_event) if latest_event is not None else None,
    }
