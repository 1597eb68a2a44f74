"""Row locks for shipments. Lock order: the order row (``orders.lock_objects``), then its shipment."""

from .errors import ShipmentNotFound
from .models import Shipment


def shipment_lock(shipment_id: int) -> Shipment:
    """The shipment row, locked ``FOR UPDATE`` until the surrounding transaction ends."""
    shipment = Shipment.objects.select_for_update(of=("self",)).filter(pk=shipment_id).first()
    if shipment is None:
        raise ShipmentNotFound(details={"shipment_id": shipment_id})
    return shipment
