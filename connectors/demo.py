"""The living demo: demo orders move by themselves through the sandboxes, each step by its real path.

``living_demo_tick`` runs every minute on a demo install (a WMS sandbox connection with
``settings.demo_stream``) and, gently and boundedly, for recent orders only (``DEMO_WINDOW``):

1. a few ``pending_payment`` orders without a payment attempt get one at the Alipay sandbox, the
   simulated buyer pays, and the signed notify goes through ``delivery_receive`` — verified and
   double-checked with a signed trade query like any notify from Alipay;
2. a few ``paid`` orders get their pick list pushed to the WMS sandbox (``pick_list_push``, the
   client of the real connector, signed both ways);
3. the WMS sandbox ticks: picked, packed and shipped events, signed, through ``delivery_receive``;
4. each parcel subscribed at the Kuaidi100 sandbox takes its next tracking step every
   ``TRACKING_STEP``, pushed signed through ``delivery_receive``, until it is signed for and the
   order is delivered.

Nothing here changes domain state itself: commerce services do, called by the connectors'
verified paths, so each step lands on the order's timeline with its connection as the source.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from commerce.orders import statuses as order_statuses
from commerce.orders.models import Order
from commerce.payments.services import payment_attempt_create
from commerce.shipments import statuses as shipment_statuses
from commerce.shipments.models import Shipment
from core.errors import DomainError

from .base import InboundRequest, ProviderError, Rejected
from .couriers.kuaidi100.mapping import BEIJING, TIME_FORMAT
from .couriers.kuaidi100.sandbox import FINAL_STATES, Kuaidi100Simulator
from .models import Connection, SandboxRecord
from .sandbox import WebhookCall
from .services.connections import connection_actor, connector_of
from .services.deliveries import delivery_receive
from .warehouse.fulfilment import pick_list_push
from .warehouse.wms.sandbox import PICK_LIST, WmsSimulator

logger = logging.getLogger(__name__)

DEMO_WINDOW = timedelta(hours=24)  # only orders this recent move
PAYMENTS_PER_TICK = 2
PICK_LISTS_PER_TICK = 3
TRACKING_STEP = timedelta(minutes=2)
PARCELS_PER_TICK = 20


def _sandbox(connector: str, **extra) -> Connection | None:
    return Connection.objects.filter(connector=connector, sandbox=True, enabled=True, **extra).order_by("pk").first()


def _deliver(connection: Connection, call: WebhookCall) -> bool:
    answer = delivery_receive(
        connection=connection, request=InboundRequest(body=call.body, headers=call.headers, query={})
    )
    if isinstance(answer, Rejected):
        logger.warning("living demo: connection %s refused a delivery: %s", connection.pk, answer.message)
        return False
    return True


def _pay(alipay: Connection, since: datetime) -> int:
    simulator = connector_of(alipay).sandbox(alipay)  # type: ignore[misc]
    due = Order.objects.filter(
        status=order_statuses.PENDING_PAYMENT, on_hold=False, created_at__gte=since, payments__isnull=True
    ).order_by("created_at", "pk")[:PAYMENTS_PER_TICK]
    paid = 0
    for order in due:
        payment = payment_attempt_create(
            order_id=order.pk,
            gateway=alipay.connector,
            actor=connection_actor(alipay, source=f"sandbox:{alipay.connector}"),
            connection_id=alipay.pk,
        )
        call = simulator.pay(payment.out_trade_no, payment.amount)
        paid += call is not None and _deliver(alipay, call)
    return paid


def _push(wms: Connection, since: datetime) -> int:
    held = SandboxRecord.objects.filter(connection=wms, kind=PICK_LIST).values_list("key", flat=True)
    due = (
        Order.objects.filter(status=order_statuses.PAID, on_hold=False, created_at__gte=since)
        .exclude(number__in=held)
        .order_by("created_at", "pk")[:PICK_LISTS_PER_TICK]
    )
    pushed = 0
    for order_id in due.values_list("pk", flat=True):
        pick_list_push(order_id=order_id, connection=wms)
        pushed += 1
    return pushed


def _track(kuaidi100: Connection, since: datetime, now: datetime) -> int:
    simulator = Kuaidi100Simulator(kuaidi100, clock=now.timestamp)
    parcels = Shipment.objects.filter(
        courier=kuaidi100.connector,
        status__in=shipment_statuses.ACTIVE,
        subscribed_at__isnull=False,
        order__created_at__gte=since,
    ).order_by("pk")[:PARCELS_PER_TICK]
    pushed = 0
    for number in parcels.values_list("tracking_no", flat=True):
        parcel = simulator.parcel(number)
        if parcel is None or not parcel.get("subscribed"):
            continue
        nodes = parcel.get("nodes") or []
        if nodes:
            if nodes[-1]["state"] in FINAL_STATES:
                continue
            last = datetime.strptime(nodes[-1]["time"], TIME_FORMAT).replace(tzinfo=BEIJING)
            if now - last < TRACKING_STEP:
                continue
        simulator.advance(number, at=now)
        pushed += _deliver(kuaidi100, simulator.push(number))
    return pushed


def living_demo_tick(*, now: datetime | None = None) -> dict[str, int]:
    """One minute of the living demo (see the module's docstring); returns how many of each step it
    made. A step that fails (a sandbox "down", a refused transition) is logged and left for the
    next tick; the others go on."""
    wms = _sandbox("wms", settings__demo_stream=True)
    if wms is None:
        return {}
    now = now or timezone.now()
    since = now - DEMO_WINDOW
    done = {"paid": 0, "pick_lists": 0, "warehouse_events": 0, "tracking_pushes": 0}
    steps = (
        ("paid", "alipay", lambda connection: _pay(connection, since)),
        ("pick_lists", None, lambda connection: _push(wms, since)),
        ("warehouse_events", None, lambda connection: _warehouse(wms, now)),
        ("tracking_pushes", "kuaidi100", lambda connection: _track(connection, since, now)),
    )
    for name, connector, step in steps:
        connection = _sandbox(connector) if connector else wms
        if connection is None:
            continue
        try:
            done[name] = step(connection)
        except (DomainError, ProviderError, Rejected) as exc:
            logger.warning("living demo: %s: %s", name, exc)
    return done


def _warehouse(wms: Connection, now: datetime) -> int:
    simulator = WmsSimulator(wms)
    return sum(_deliver(wms, call) for call in simulator.tick(now))
