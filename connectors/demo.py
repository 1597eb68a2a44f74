"""The living demo: demo orders move by themselves through the sandboxes, each step by its real path.

``living_demo_tick`` runs every minute on a demo install (a WMS sandbox connection with
``settings.demo_stream``) and, gently and boundedly, for recent orders only (``DEMO_WINDOW``):

1. a few ``pending_payment`` orders without a payment attempt get one — at the Alipay sandbox,
   or at the WeChat Pay sandbox for every other order — the simulated buyer pays, and the signed
   notify goes through ``delivery_receive``, verified and double-checked with a signed trade query
   like any notify from the gateway. A WeChat Pay buyer pays as a WeChat user of the demo's service
   account (two customers in three) or of its mini-program (``wechat_payer``), so the verified
   payment gives the customer an openid with that app, as WeChat Pay's ``payer.openid`` does;
2. a few ``paid`` orders get their pick list pushed to the WMS sandbox (``pick_list_push``, the
   client of the real connector, signed both ways); every third goes by SF Express, the others by
   a carrier tracked through Kuaidi100;
3. the WMS sandbox ticks: picked, packed and shipped events, signed, through ``delivery_receive``;
4. each parcel subscribed at the Kuaidi100 sandbox takes its next tracking step every
   ``TRACKING_STEP``, pushed signed through ``delivery_receive``; each SF parcel takes its next
   route step at the SF sandbox and is queried there with a signed route query, as the courier
   poller does — until it is signed for and the order is delivered.

The demo's flows (``orderflow.demo.flows``) then complete delivered orders and text the customer
through the SMS sandbox. Nothing here changes domain state itself: commerce services do, called by
the connectors' verified paths, so each step lands on the order's timeline with its connection as
the source.
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
from .couriers.services import shipment_refresh
from .couriers.sf.sandbox import FINAL as SF_FINAL
from .couriers.sf.sandbox import SfSimulator
from .models import Connection, SandboxRecord
from .payments.wechatpay.sandbox import sandbox_openid
from .sandbox import WebhookCall
from .services.connections import connection_actor, connection_credentials, connector_of
from .services.deliveries import delivery_receive
from .warehouse.fulfilment import pick_list_push
from .warehouse.wms.sandbox import PICK_LIST, WmsSimulator

logger = logging.getLogger(__name__)

DEMO_WINDOW = timedelta(hours=24)  # only orders this recent move
PAYMENTS_PER_TICK = 2
PICK_LISTS_PER_TICK = 3
TRACKING_STEP = timedelta(minutes=2)
PARCELS_PER_TICK = 20
SF_EVERY = 3  # every third pick list asks for SF Express


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


# The demo mini-program's appid (its orders come through the own store's connection); the service
# account's is its sandbox connection's.
DEMO_MINI_PROGRAM_APPID = "wx5f3c9a1b2d4e6f70"


def wechat_payer(*, customer_id: int, phone: str) -> dict[str, str]:
    """Who a demo customer is when they pay with WeChat Pay: inside the service account's pages (two in
    three, with the wechat_mp sandbox's appid) or in the mini-program — a stable openid per app."""
    service = _sandbox("wechat_mp")
    appid = DEMO_MINI_PROGRAM_APPID
    if service is not None and customer_id % 3:
        appid = str(connection_credentials(service).get("appid") or DEMO_MINI_PROGRAM_APPID)
    return {"appid": appid, "openid": sandbox_openid(appid, phone), "trade_type": "JSAPI"}


def _pay(gateways: list[Connection], since: datetime) -> int:
    due = (
        Order.objects.filter(
            status=order_statuses.PENDING_PAYMENT, on_hold=False, created_at__gte=since, payments__isnull=True
        )
        .select_related("customer")
        .order_by("created_at", "pk")[:PAYMENTS_PER_TICK]
    )
    paid = 0
    for order in due:
        gateway = gateways[order.pk % len(gateways)]
        payment = payment_attempt_create(
            order_id=order.pk,
            gateway=gateway.connector,
            actor=connection_actor(gateway, source=f"sandbox:{gateway.connector}"),
            connection_id=gateway.pk,
        )
        simulator = connector_of(gateway).sandbox(gateway)  # type: ignore[misc]
        if gateway.connector == "wechatpay":
            payer = wechat_payer(customer_id=order.customer_id, phone=order.customer.phone)
            call = simulator.pay(payment.out_trade_no, payment.amount, **payer)
        else:
            call = simulator.pay(payment.out_trade_no, payment.amount)
        paid += call is not None and _deliver(gateway, call)
    return paid


def _push(wms: Connection, since: datetime) -> int:
    held = SandboxRecord.objects.filter(connection=wms, kind=PICK_LIST).values_list("key", flat=True)
    due = (
        Order.objects.filter(status=order_statuses.PAID, on_hold=False, created_at__gte=since)
        .exclude(number__in=held)
        .order_by("created_at", "pk")[:PICK_LISTS_PER_TICK]
    )
    by_sf = _sandbox("sf") is not None
    pushed = 0
    for order_id in due.values_list("pk", flat=True):
        if by_sf and order_id % SF_EVERY == 0:
            pick_list_push(order_id=order_id, connection=wms, courier="sf", carrier="sf")
        else:
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


def _track_sf(sf: Connection, since: datetime, now: datetime) -> int:
    simulator = SfSimulator(sf, clock=now.timestamp)
    parcels = Shipment.objects.filter(
        courier=sf.connector, status__in=shipment_statuses.ACTIVE, order__created_at__gte=since
    ).order_by("pk")[:PARCELS_PER_TICK]
    queried = 0
    for shipment_id, number in parcels.values_list("pk", "tracking_no"):
        routes = simulator.routes(number)
        if routes:
            if routes[-1]["opCode"] in SF_FINAL:
                continue
            last = datetime.strptime(routes[-1]["acceptTime"], TIME_FORMAT).replace(tzinfo=BEIJING)
            if now - last < TRACKING_STEP:
                continue
        simulator.advance(number, at=now)
        shipment_refresh(shipment_id=shipment_id, source="poll")
        queried += 1
    return queried


def living_demo_tick(*, now: datetime | None = None) -> dict[str, int]:
    """One minute of the living demo (see the module's docstring); returns how many of each step it
    made. A step that fails (a sandbox "down", a refused transition) is logged and left for the
    next tick; the others go on."""
    wms = _sandbox("wms", settings__demo_stream=True)
    if wms is None:
        return {}
    now = now or timezone.now()
    since = now - DEMO_WINDOW
    done = {"paid": 0, "pick_lists": 0, "warehouse_events": 0, "tracking_pushes": 0, "route_queries": 0}
    gateways = [c for c in (_sandbox("alipay"), _sandbox("wechatpay")) if c is not None]
    steps = (
        ("paid", gateways[0] if gateways else None, lambda connection: _pay(gateways, since)),
        ("pick_lists", wms, lambda connection: _push(wms, since)),
        ("warehouse_events", wms, lambda connection: _warehouse(wms, now)),
        ("tracking_pushes", _sandbox("kuaidi100"), lambda connection: _track(connection, since, now)),
        ("route_queries", _sandbox("sf"), lambda connection: _track_sf(connection, since, now)),
    )
    for name, connection, step in steps:
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
