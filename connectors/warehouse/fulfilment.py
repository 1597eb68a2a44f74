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
from commerce.shipments.models import Parcel
from commerce.shipments.parcels import (
    parcel_find_by_number,
    parcel_ship,
    parcel_waybill_record,
    parcels_of_order,
)
from commerce.shipments.services import shipment_create, shipment_lines_check, shipped_lines_differences
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
PLANNED, WAYBILLED = Parcel.PLANNED, Parcel.WAYBILLED


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
        actor = connection_actor(connection, source=self.source)
        key = f"{connection.connector}:{connection.pk}:{self.event_id}"
        if order is None:
            parcel = parcel_find_by_number(number=self.order_number)
            if parcel is None:
                raise NotFound(details={"order_number": f"no order or parcel has the number {self.order_number}"})
            return self._parcel_event(parcel, connection, actor, key)
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

    def _parcel_event(self, parcel: Parcel, connection: Connection, actor, key: str) -> dict:
        """An event of a merged or split parcel's pick list: ``picked``/``packed`` move each of its
        orders to processing; ``shipped`` records the waybill the warehouse shipped under (when the
        parcel had none) and hands the parcel over (``parcel_ship``) — unless the shipped lines
        differ from the parcel's, which is written on each order's timeline and ships nothing."""
        from commerce.shipments.parcels import parcel_representation

        shown = parcel_representation(parcel)
        order_ids = [o["id"] for o in shown["orders"]]
        result: dict = {"parcel": parcel.number, "event": self.event, "orders": order_ids}
        if self.parcel is None:
            outcomes = [
                order_transition(
                    order_id=order_id,
                    to=order_statuses.PROCESSING,
                    actor=actor,
                    reason=f"{self.event} in the warehouse ({connection.name}), parcel {parcel.number}",
                    idempotency_key=f"{key}:{order_id}",
                ).outcome
                for order_id in order_ids
            ]
            return {**result, "outcome": outcomes[0] if len(set(outcomes)) == 1 else outcomes}
        boxed: dict[str, int] = {}
        for line in shown["lines"]:
            boxed[line["sku"]] = boxed.get(line["sku"], 0) + line["quantity"]
        differences = shipped_lines_differences(ordered=boxed, shipped=self.parcel.quantities())
        if differences:
            summary = ", ".join(f"{d['sku']} {d['shipped']}/{d['ordered']}" for d in differences)
            for order_id in order_ids:
                order_note(
                    order_id=order_id,
                    text=f"Parcel {parcel.number}: the warehouse shipped other lines than boxed ({summary}); "
                    "not marked shipped",
                    actor=actor,
                )
            return {**result, "outcome": "lines_differ", "differences": list(differences)}
        if parcel.status == Parcel.PLANNED:
            parcel_waybill_record(
                parcel_id=parcel.pk,
                courier=self.parcel.courier,
                carrier=self.parcel.carrier,
                tracking_no=self.parcel.tracking_no,
                waybill={"source": "warehouse"},
                idempotency_key=f"{key}:waybill",
                actor=actor,
            )
        shipped = parcel_ship(parcel_id=parcel.pk, actor=actor)
        return {**result, "outcome": "applied", "tracking_no": shipped.tracking_no}

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


def pick_list_of_parcel(parcel, *, courier: str, carrier: str) -> dict:
    """A planned parcel's pick list (合单 / 拆单), keyed by the parcel number: its lines from every
    order it carries (each naming its order), the address, and — once it has its e-waybill — the
    courier and tracking number printed on its label, which the warehouse ships under."""
    from commerce.shipments.parcels import parcel_representation

    shown = parcel_representation(parcel)
    first = order_find_by_number(number=shown["orders"][0]["number"])
    assert first is not None
    address = pick_list_of(first)["address"]
    return {
        "order_number": parcel.number,
        "orders": [o["number"] for o in shown["orders"]],
        "lines": [
            {"sku": line["sku"], "title": line["title"], "quantity": line["quantity"], "order": line["order_number"]}
            for line in shown["lines"]
        ],
        "address": address,
        "courier_preference": {"courier": parcel.courier or courier, "carrier": parcel.carrier or carrier},
        **({"tracking_no": parcel.tracking_no} if parcel.tracking_no else {}),
    }


def warehouse_connection() -> Connection | None:
    """The enabled warehouse connection orders are sent to: the oldest enabled one."""
    from ..registry import CONNECTORS

    keys = [c.key for c in CONNECTORS if c.kind == WAREHOUSE]
    return Connection.objects.filter(connector__in=keys, enabled=True).order_by("pk").first()


def _parcel_push(parcel, connection: Connection, *, courier: str, carrier: str) -> dict:
    from ..services.connections import connection_actor, connection_client

    pick_list = pick_list_of_parcel(parcel, courier=courier, carrier=carrier)
    answer = connection_client(connection).push_pick_list(pick_list)
    if answer["created"]:
        actor = connection_actor(connection, source=f"action:{connection.connector}")
        for number in pick_list["orders"]:
            found = order_find_by_number(number=number)
            if found is not None:
                order_note(
                    order_id=found.pk,
                    text=f"Pick list {answer['pick_list_id']} of parcel {parcel.number} sent to the warehouse "
                    f"({connection.name}): {len(pick_list['lines'])} line(s) of {len(pick_list['orders'])} order(s)",
                    actor=actor,
                )
    return {"parcel": parcel.number, **answer}


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
    planned = [p for p in parcels_of_order(order_id=order.pk) if p.status in (PLANNED, WAYBILLED)]
    if planned:
        # Merged or split: the warehouse gets one list per box, keyed by the parcel number.
        return {
            "order": order.pk,
            "order_number": order.number,
            "parcels": [
                _parcel_push(
                    parcel,
                    connection,
                    courier=courier or str(settings.get("courier") or DEFAULT_COURIER),
                    carrier=carrier or str(settings.get("carrier") or DEFAULT_CARRIER),
                )
                for parcel in planned
            ],
        }
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
