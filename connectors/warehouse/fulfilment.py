"""What every warehouse connector shares: the pick list Orderflow sends, and what the warehouse's events do.

``pick_list_push`` sends an order's pick list (lines, address, courier preference) to the
warehouse, keyed by the order number; the warehouse keeps one pick list per order number, so a
retry sends the same list and creates nothing new.

``WarehouseEventReceived`` (a ``base.Effect``) applies an event the warehouse reported:

* ``picked`` / ``packed``: the order moves to ``processing`` (``order_transition``; the second of
  the two finds it there and is audited as such, with its source);
* ``shipped``: the parcel is recorded (``shipment_create``), its lines are checked against the
  order's (``shipment_lines_check``: any difference emits ``shipment.exception`` and opens a
  fulfilment ticket, and the order is **not** marked shipped), a matching parcel moves the order
  to ``shipped``, and the parcel's tracking is subscribed where its courier pushes (Kuaidi100).

Every step is idempotent (the event id keys the order's transition and the exception; the parcel
is unique per courier and tracking number; a second subscription is answered "already
subscribed"), so a replay or a duplicate applies nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from commerce.orders import statuses as order_statuses
from commerce.orders.selectors import order_find, order_find_by_number
from commerce.orders.services import order_note, order_transition
from commerce.screening.services import screening_gate
from commerce.shipments.services import shipment_create, shipment_lines_check
from core.errors import NotFound

from ..base import WAREHOUSE
from ..models import Connection

if TYPE_CHECKING:
    from commerce.orders.models import Order

PICKED = "picked"
PACKED = "packed"
SHIPPED = "shipped"
DEFAULT_COURIER = "kuaidi100"
DEFAULT_CARRIER = "yuantong"
PUSHING_COURIERS = frozenset({"kuaidi100"})  # couriers whose tracking is subscribed for pushes


@dataclass(frozen=True)
class ShippedParcel:
    courier: str
    carrier: str
    tracking_no: str
    lines: tuple[tuple[str, int], ...]  # (sku, quantity) as the warehouse shipped them

    def quantities(self) -> dict[str, int]:
        shipped: dict[str, int] = {}
        for sku, quantity in self.lines:
            shipped[sku] = shipped.get(sku, 0) + quantity
        return shipped


@dataclass(frozen=True)
class WarehouseEventReceived:
    event: str
    event_id: str
    order_number: str
    occurred_at: datetime
    parcel: ShippedParcel | None
    source: str

    @property
    def key(self) -> str:
        return f"warehouse:{self.event}:{self.order_number}"

    def apply(self, connection: Connection) -> dict:
        # Imported here: services.connections imports the registry, which imports the manifests
        # that import this module.
        from ..services.connections import connection_actor

        order = order_find_by_number(number=self.order_number)
        if order is None:
            raise NotFound(details={"order_number": f"no order has the number {self.order_number}"})
        actor = connection_actor(connection, source=self.source)
        key = f"{connection.connector}:{connection.pk}:{self.event_id}"
        if self.parcel is None:
            moved = order_transition(
                order_id=order.pk,
                to=order_statuses.PROCESSING,
                actor=actor,
                reason=f"{self.event} in the warehouse ({connection.name})",
                idempotency_key=key,
            )
            return {"outcome": moved.outcome, "order": order.pk, "event": self.event}
        return self._shipped(order, self.parcel, connection, actor, key)

    def _shipped(self, order: Order, parcel: ShippedParcel, connection: Connection, actor, key: str) -> dict:
        shipment, created = shipment_create(
            order_id=order.pk,
            courier=parcel.courier,
            carrier=parcel.carrier,
            tracking_no=parcel.tracking_no,
            actor=actor,
        )
        check = shipment_lines_check(
            shipment_id=shipment.pk,
            shipped=parcel.quantities(),
            actor=actor,
            idempotency_key=f"{key}:lines",
            source=self.source,
        )
        result: dict = {"order": order.pk, "event": self.event, "shipment": shipment.pk, "new_shipment": created}
        if check.matches:
            moved = order_transition(
                order_id=order.pk,
                to=order_statuses.SHIPPED,
                actor=actor,
                reason=f"shipped by the warehouse ({connection.name}): {parcel.courier} {parcel.tracking_no}",
                idempotency_key=key,
            )
            result["outcome"] = moved.outcome
        else:
            # Never accepted silently: the order stays where it is, with the exception and a ticket.
            result.update(outcome="lines_differ", differences=list(check.differences), ticket=check.ticket_id)
        result["tracking"] = _subscribe(shipment.pk, parcel.courier, shipment.subscribed_at is not None)
        return result


def _subscribe(shipment_id: int, courier: str, already: bool) -> str:
    """Subscribes the parcel's tracking at its courier where the courier pushes; a provider's error
    passes through (the delivery fails and is replayed: everything before is idempotent)."""
    from ..couriers.services import shipment_subscribe
    from ..couriers.tracking import courier_connection

    if already:
        return "subscribed"
    if courier not in PUSHING_COURIERS:
        return "polled"
    if courier_connection(courier) is None:
        return f"no enabled {courier} connection"
    shipment_subscribe(shipment_id=shipment_id)
    return "subscribed"


def pick_list_of(order: Order, *, courier: str = DEFAULT_COURIER, carrier: str = DEFAULT_CARRIER) -> dict:
    """An order's pick list as the warehouse receives it, keyed by the order number."""
    return {
        "order_number": order.number,
        "lines": [
            {"sku": line.sku, "title": line.title, "quantity": line.quantity}
            for line in order.lines.order_by("position")
        ],
        "address": {
            "name": order.ship_to_name,
            "phone": order.ship_to_phone,
            "province": order.province,
            "city": order.city,
            "district": order.district,
            "line": order.address_line,
            "postcode": order.postcode,
        },
        "courier_preference": {"courier": courier, "carrier": carrier},
    }


def warehouse_connection() -> Connection | None:
    """The enabled warehouse connection orders are sent to: the oldest enabled one."""
    from ..registry import CONNECTORS

    keys = [c.key for c in CONNECTORS if c.kind == WAREHOUSE]
    return Connection.objects.filter(connector__in=keys, enabled=True).order_by("pk").first()


def pick_list_push(
    *, order_id: int, connection: Connection | None = None, courier: str | None = None, carrier: str | None = None
) -> dict:
    """Sends the order's pick list to the warehouse (no transaction open: this calls the WMS).

    The courier preference is ``courier``/``carrier`` when given, else the connection's settings.

    Idempotent on the order number: the warehouse answers a list it already holds as a duplicate,
    and only a new one is written into the order's timeline (as the warehouse connection).
    ``ProviderError`` passes through (the caller retries).

    The smart audit's gate comes first (``commerce.screening.services.screening_gate``): an order
    that fails a check is not sent — the answer's ``outcome`` is ``awaiting_audit`` with the
    checks it failed — and waits in the audit queue; when an operator passes it (or a re-check
    does), ``screening_passed`` brings it back here (``pick_list_push_task``).
    """
    from ..services.connections import connection_actor, connection_client

    connection = connection or warehouse_connection()
    if connection is None:
        raise NotFound(details={"connection": "no enabled warehouse (WMS) connection"})
    order = order_find(order_id=order_id)
    if order is None:
        raise NotFound(details={"order": order_id})
    verdict = screening_gate(order_id=order.pk)
    if not verdict.passed:
        return {
            "order": order.pk,
            "order_number": order.number,
            "outcome": "awaiting_audit",
            "reasons": verdict.reasons,
        }
    settings = connection.settings or {}
    pick_list = pick_list_of(
        order,
        courier=courier or str(settings.get("courier") or DEFAULT_COURIER),
        carrier=carrier or str(settings.get("carrier") or DEFAULT_CARRIER),
    )
    answer = connection_client(connection).push_pick_list(pick_list)
    if answer["created"]:
        order_note(
            order_id=order.pk,
            text=f"Pick list {answer['pick_list_id']} sent to the warehouse ({connection.name}): "
            f"{len(pick_list['lines'])} line(s), courier {pick_list['courier_preference']['courier']}",
            actor=connection_actor(connection, source=f"action:{connection.connector}"),
        )
    return {"order": order.pk, "order_number": order.number, **answer}


def pick_list_push_passed(*, order_id: int, **_signal) -> None:
    """``screening_passed`` receiver (after the commit that passed the order): queues its push."""
    from runtime.queue import enqueue

    enqueue("connectors.tasks.pick_list_push_task", order_id)
