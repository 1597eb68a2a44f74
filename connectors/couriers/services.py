"""Courier work that calls the courier: subscribe a parcel, query it now, poll the parcels of couriers without push.

Each call goes to the network with no transaction open; what it brings back is applied through
``commerce.shipments.services.tracking_events_apply`` (idempotent), so a retry or a second worker
polling the same parcel stores nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from commerce.shipments.models import Shipment
from commerce.shipments.selectors import shipment_get, shipments_due_for_poll
from commerce.shipments.services import TrackingInput, shipment_mark
from core.errors import DomainError, InvalidInput, NotFound

from ..base import COURIER, ProviderError
from ..models import Connection
from ..registry import CONNECTORS
from ..services.connections import connection_client, connection_health_failure, connection_health_success
from .kuaidi100.mapping import BadTracking, tracking_inputs
from .sf.mapping import BadRoute, route_input
from .tracking import courier_connection, shipment_tracking_apply

logger = logging.getLogger(__name__)

COURIERS = tuple(c.key for c in CONNECTORS if c.kind == COURIER)


def poll_interval() -> timedelta:
    """How often a parcel of a courier without push is queried (``ORDERFLOW_SHIPMENT_POLL_MINUTES``, 3)."""
    return timedelta(minutes=float(getattr(settings, "ORDERFLOW_SHIPMENT_POLL_MINUTES", 3)))


def _kuaidi100_query(client: Any, shipment: Shipment) -> tuple[TrackingInput, ...]:
    if not shipment.carrier:
        raise InvalidInput(details={"carrier": "Kuaidi100 needs the carrier's code (yuantong, zhongtong…)"})
    answer = client.query(company=shipment.carrier, number=shipment.tracking_no)
    if not answer.get("data"):
        return ()
    try:
        return tracking_inputs(answer, where="answer")[1]
    except BadTracking as bad:
        raise ProviderError(f"Kuaidi100's answer is malformed: {bad}", retryable=False, code="bad_answer") from None


def _sf_query(client: Any, shipment: Shipment) -> tuple[TrackingInput, ...]:
    routes = client.routes(mail_nos=[shipment.tracking_no]).get(shipment.tracking_no, [])
    try:
        return tuple(route_input(route, f"routes[{n}]") for n, route in enumerate(routes))
    except BadRoute as bad:
        raise ProviderError(f"SF's answer is malformed: {bad}", retryable=False, code="bad_answer") from None


QUERIES: dict[str, Callable[[Any, Shipment], tuple[TrackingInput, ...]]] = {
    "kuaidi100": _kuaidi100_query,
    "sf": _sf_query,
}


def _connection(shipment: Shipment) -> Connection:
    connection = courier_connection(shipment.courier)
    if connection is None:
        raise NotFound(details={"courier": f"no enabled {shipment.courier} connection"})
    return connection


def shipment_refresh(*, shipment_id: int, source: str = "query") -> dict:
    """Queries the parcel at its courier now and applies what it answered. ``ProviderError`` passes through."""
    shipment = shipment_get(shipment_id=shipment_id)
    query = QUERIES.get(shipment.courier)
    if query is None:
        raise InvalidInput(details={"courier": f"{shipment.courier} cannot be queried"})
    connection = _connection(shipment)
    events = query(connection_client(connection), shipment)
    shipment_mark(shipment_id=shipment.pk, polled=True)
    if not events:
        return {"shipment": shipment.pk, "new_events": 0, "status": [shipment.status, shipment.status]}
    return shipment_tracking_apply(
        shipment=shipment, connection=connection, events=events, source=f"{source}:{shipment.courier}"
    )


def shipment_subscribe(*, shipment_id: int) -> dict:
    """Subscribes the parcel for pushes where the courier offers it (Kuaidi100); SF is queried instead."""
    shipment = shipment_get(shipment_id=shipment_id)
    connection = _connection(shipment)
    if shipment.courier != "kuaidi100":
        return {"shipment": shipment.pk, "subscribed": False, "why": f"{shipment.courier} is polled, not subscribed"}
    if not shipment.carrier:
        raise InvalidInput(details={"carrier": "Kuaidi100 needs the carrier's code (yuantong, zhongtong…)"})
    base = str(connection.settings.get("callback_base_url") or "http://127.0.0.1:8000").rstrip("/")
    answer = connection_client(connection).subscribe(
        company=shipment.carrier,
        number=shipment.tracking_no,
        callback_url=f"{base}/hooks/{connection.connector}/{connection.pk}/",
    )
    shipment_mark(shipment_id=shipment.pk, subscribed=True)
    return {"shipment": shipment.pk, "subscribed": True, "return_code": answer["return_code"]}


def _pushes(connection: Connection) -> bool:
    default = connection.connector == "kuaidi100"
    return bool(connection.settings.get("push", default))


def couriers_poll_due(*, now: datetime | None = None, limit: int = 200) -> dict[int, int]:
    """Queries the parcels on their way of each enabled courier connection without push, each at
    most once per ``poll_interval()``. A provider's error stops that connection's round (its
    health records it); the next round starts again. Returns {connection id: parcels queried}."""
    now = now or timezone.now()
    done: dict[int, int] = {}
    for connection in Connection.objects.filter(connector__in=COURIERS, enabled=True).order_by("pk"):
        if _pushes(connection) or courier_connection(connection.connector) != connection:
            continue
        count = 0
        for shipment in shipments_due_for_poll(
            couriers=(connection.connector,), polled_before=now - poll_interval() + timedelta(seconds=5), limit=limit
        ):
            try:
                shipment_refresh(shipment_id=shipment.pk, source="poll")
            except ProviderError as exc:
                connection_health_failure(connection.pk, exc.message)
                break
            except DomainError as exc:
                logger.warning("poll of shipment %s: %s", shipment.pk, exc)
                shipment_mark(shipment_id=shipment.pk, polled=True)
            count += 1
        else:
            if count:
                connection_health_success(connection.pk)
        done[connection.pk] = count
    return done
