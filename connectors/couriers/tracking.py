"""What every courier connector shares: the effect a tracking delivery asks for, and which
connection serves a courier's parcels.

A courier's push (or a poll's answer) is read by its connector into ``TrackingInput``s — the
courier's codes mapped to shipment statuses by the connector's one table — and applied through
``commerce.shipments.services.tracking_events_apply``, which deduplicates the nodes, moves the
parcel forward only and, on a signature, delivers the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from commerce.shipments.services import TrackingInput, tracking_events_apply

from ..models import Connection

if TYPE_CHECKING:
    from commerce.shipments.models import Shipment


@dataclass
class TrackingPushed:
    """A parcel's tracking nodes as a courier pushed them (``base.Effect``).

    Safe to repeat: ``tracking_events_apply`` stores a node once (time + status) and emits only
    for nodes it stored. An unknown tracking number raises ``ShipmentNotFound`` (a domain
    error): the delivery is marked failed and can be replayed once the shipment is recorded."""

    courier: str
    tracking_no: str
    events: tuple[TrackingInput, ...]
    source: str
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = f"tracking:{self.courier}:{self.tracking_no}"

    def apply(self, connection: Connection) -> dict:
        # Imported here: services.connections imports the registry, which imports the manifests
        # that import this module.
        from ..services.connections import connection_actor

        result = tracking_events_apply(
            courier=self.courier,
            tracking_no=self.tracking_no,
            events=self.events,
            actor=connection_actor(connection, source=self.source),
            source=self.source,
        )
        return {"outcome": "applied", **result.as_dict()}


def courier_connection(courier: str) -> Connection | None:
    """The enabled connection that serves a courier's parcels: the oldest enabled one of its connector."""
    return Connection.objects.filter(connector=courier, enabled=True).order_by("pk").first()


def shipment_tracking_apply(*, shipment: Shipment, connection: Connection, events, source: str) -> dict:
    """Applies what a query of ``shipment`` at its courier answered (``shipment.refresh``, polling)."""
    return TrackingPushed(shipment.courier, shipment.tracking_no, tuple(events), source).apply(connection)
