"""Loads the demo: roles and users, channels and warehouses, the catalogue with stock, a month of
orders, and a sandbox connection per sales channel whose connector has a simulator (the schedule
``connectors.sandbox_stream`` then brings a new order through each, every minute).

Stock and orders go through the services production uses — ``stock_adjust`` for opening stock,
``stock_set_safety`` for safety stock, ``order_create``, ``order_transition`` and ``order_hold``
for orders — so the ledger, the reservations, the audit trail and the outbox are whole, as if the
month had happened. Those
services stamp "now"; afterwards the seed moves each order's own timestamps back to when its plan
says things happened. Audit entries keep the time of the seed: they are append-only, down to
database triggers, and cannot be moved.

Idempotent: users are found by username, channels and warehouses by code, products by SKU, orders
by channel + external id. What exists is left as it is, so a second run writes nothing. Work is
committed in batches, each all or nothing, so an interrupted run is finished by the next one.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from commerce.catalog.models import Product
from commerce.channels.models import Channel
from commerce.customers.models import Customer
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import ChannelWarehouse, Reservation, StockItem, StockMovement, Warehouse
from commerce.inventory.safety import stock_set_safety
from commerce.inventory.services import stock_adjust
from commerce.orders import statuses
from commerce.orders.errors import UnknownSku
from commerce.orders.models import Order
from commerce.orders.services import (
    AddressInput,
    CustomerInput,
    LineInput,
    OrderInput,
    order_create,
    order_hold,
    order_transition,
)
from commerce.outbox.models import OutboxEvent
from connectors.base import COURIER, NOTIFY, PAYMENT, WAREHOUSE
from connectors.models import Connection
from connectors.registry import CONNECTORS
from connectors.services.connections import ConnectionInput, connection_create
from core.accounts import roles
from core.actors import Actor
from core.trace import bind_trace_id, current_trace_id, new_trace_id, reset_trace_id

from . import data, plan
from .flows import demo_flows_seed

SEED_ACTOR = Actor.system("seed_demo", source="seed")
DEFAULT_PASSWORD = "orderflow-demo"
PASSWORD_ENV = "ORDERFLOW_DEMO_PASSWORD"
PRODUCT_BATCH = 100
ORDER_BATCH = 100
PASSWORD_NOT_SHOWN = "(changed since; not reset)"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    password: str  # the demo password, or PASSWORD_NOT_SHOWN when the stored one differs


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)  # model name → rows created by this run
    orders_skipped: int = 0  # planned orders that could not be created (a SKU retired, stock short)
    statuses: Counter = field(default_factory=Counter)  # status of each order created by this run
    logins: list[Login] = field(default_factory=list)
    seconds: float = 0.0


def demo_seed(
    *,
    orders: int,
    products: int,
    password: str,
    progress: Callable[[str], None] = lambda line: None,
    now: datetime | None = None,
) -> SeedReport:
    """Loads ``products`` catalogue products (plus the gift tote) and ``orders`` orders; see the module doc."""
    started = time.monotonic()
    report = SeedReport()
    now = now or timezone.now()
    # One trace for the run: every audit entry, movement and event it writes can be found by it.
    token = bind_trace_id(new_trace_id())
    try:
        report.logins = _roles_and_users(password, report)
        progress(f"roles and users: {report.created['user']} new")
        channels = _channels(report)
        _warehouses(channels, report)
        progress(f"channels: {report.created['channel']} new, warehouses: {report.created['warehouse']} new")

        product_plans = plan.product_plans(products)
        planner = plan.OrderPlanner(product_plans, orders)
        order_plans = [planner.order(i) for i in range(orders)]
        _catalogue(product_plans, plan.stock_demand(order_plans), report, progress)
        _orders(order_plans, channels, now, report, progress)
        _sandbox_connections(channels, report)
        progress(f"sandbox connections: {report.created['connection']} new")
        report.created["flow"] += demo_flows_seed(actor=SEED_ACTOR)
        progress(f"flows: {report.created['flow']} new, published and switched on")
    finally:
        reset_trace_id(token)
    report.seconds = time.monotonic() - started
    return report


# --- users, channels, warehouses --------------------------------------------------------------


def _roles_and_users(password: str, report: SeedReport) -> list[Login]:
    """One user per role, named after it. An existing user keeps its password and flags.

    Password hashing is slow on purpose, so the five users share one hash (it is one password,
    printed anyway), and each distinct stored hash is checked once.
    """
    User = get_user_model()
    hashed = None
    verdicts: dict[str, bool] = {}
    logins = []
    for role in roles.ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        user = User.objects.filter(username=role).first()
        if user is None:
            hashed = hashed or make_password(password)
            admin = role == roles.ADMIN
            user = User.objects.create(username=role, password=hashed, is_staff=admin, is_superuser=admin)
            report.created["user"] += 1
            shown = password
        else:
            if user.password not in verdicts:
                verdicts[user.password] = check_password(password, user.password)
            shown = password if verdicts[user.password] else PASSWORD_NOT_SHOWN
        user.groups.add(group)
        logins.append(Login(username=role, role=role, password=shown))
    return logins


def _channels(report: SeedReport) -> dict[str, Channel]:
    channels = {}
    for code, name, kind, _weight, _prefix, extra in data.CHANNELS:
        channel, created = Channel.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, **extra})
        channels[code] = channel
        report.created["channel"] += created
    return channels


def _warehouses(channels: dict[str, Channel], report: SeedReport) -> None:
    warehouses = {}
    for code, name, region, priority in data.WAREHOUSES:
        warehouse, created = Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "region": region, "priority": priority}
        )
        warehouses[code] = warehouse
        report.created["warehouse"] += created
    for channel_code, ranked in data.CHANNEL_WAREHOUSE_RANKS.items():
        for rank, code in enumerate(ranked, start=1):
            _row, created = ChannelWarehouse.objects.get_or_create(
                channel=channels[channel_code], warehouse=warehouses[code], defaults={"rank": rank}
            )
            report.created["channel_warehouse"] += created


# --- catalogue and stock ----------------------------------------------------------------------


def _catalogue(
    products: list[plan.ProductPlan], demand: dict[str, int], report: SeedReport, progress: Callable[[str], None]
) -> None:
    """New products with their opening stock. A product that exists is left alone, stock and all.

    The central warehouse receives, on top of the planned opening quantity, every unit the month's
    orders will ask for, so no planned order runs short and the month ends near the planned level.
    """
    existing = set(Product.objects.filter(sku__in=[p.sku for p in products]).values_list("sku", flat=True))
    new = [p for p in products if p.sku not in existing]
    for start in range(0, len(new), PRODUCT_BATCH):
        batch = new[start : start + PRODUCT_BATCH]
        with transaction.atomic():
            Product.objects.bulk_create(
                [Product(sku=p.sku, title=p.title, price=p.price, weight_grams=p.weight_grams) for p in batch]
            )
            for product in batch:
                for stock in product.stock:
                    _opening_stock(product, stock, demand.get(product.sku, 0))
            # Safety stock through its service (audited, low-stock alert on crossing), once
            # ``stock_adjust`` has created the rows; a plan row that received nothing has none.
            safety = {(p.sku, s.warehouse): s.safety_stock for p in batch for s in p.stock}
            rows = list(StockItem.objects.filter(sku__in=[p.sku for p in batch]).values_list("sku", "warehouse__code"))
            for sku, warehouse_code in rows:
                stock_set_safety(
                    sku=sku,
                    warehouse_code=warehouse_code,
                    safety_stock=safety.get((sku, warehouse_code), 0),
                    reason="demo safety stock",
                    actor=SEED_ACTOR,
                )
            report.created["stock_item"] += len(rows)
            _mark_seed_events_dispatched()
        report.created["product"] += len(batch)
        progress(f"products: {start + len(batch)}/{len(new)} new")
    if not new:
        progress(f"products: all {len(products)} present")


def _opening_stock(product: plan.ProductPlan, stock: plan.StockPlan, demand: int) -> None:
    central = stock.warehouse == data.CENTRAL_WAREHOUSE
    if product.profile == plan.SOLD_OUT:
        # Received, then written off at the last count: the row shows zero, and the ledger says why.
        _adjust(product.sku, stock.warehouse, stock.opening, StockMovement.RECEIPT, "receipt: demo opening stock")
        _adjust(
            product.sku,
            stock.warehouse,
            -stock.opening,
            StockMovement.ADJUSTMENT,
            "adjustment: demo stocktake write-off (damaged)",
        )
        return
    quantity = stock.opening + (demand if central else 0)
    if quantity > 0:
        _adjust(product.sku, stock.warehouse, quantity, StockMovement.RECEIPT, "receipt: demo opening stock")


def _adjust(sku: str, warehouse: str, delta: int, kind: str, reason: str) -> None:
    stock_adjust(sku=sku, warehouse_code=warehouse, delta=delta, kind=kind, reason=reason, actor=SEED_ACTOR)


# --- orders -----------------------------------------------------------------------------------


def _orders(
    plans: list[plan.OrderPlan],
    channels: dict[str, Channel],
    now: datetime,
    report: SeedReport,
    progress: Callable[[str], None],
) -> None:
    stored = set(
        Order.objects.filter(channel__in=channels.values(), external_id__startswith="DEMO-").values_list(
            "channel__code", "external_id"
        )
    )
    todo = [p for p in plans if (p.channel, p.external_id) not in stored]
    if not todo:
        progress(f"orders: all {len(plans)} present")
        return
    timelines = {
        p.index: plan.order_timeline(p, now=now, payment_timeout_minutes=channels[p.channel].payment_timeout_minutes)
        for p in todo
    }
    first_order_at: dict[str, datetime] = {}
    for p in todo:
        placed = timelines[p.index].placed_at
        first_order_at[p.customer.phone] = min(placed, first_order_at.get(p.customer.phone, placed))

    started = time.monotonic()
    for start in range(0, len(todo), ORDER_BATCH):
        batch = todo[start : start + ORDER_BATCH]
        with transaction.atomic():
            known_phones = set(
                Customer.objects.filter(phone__in={p.customer.phone for p in batch}).values_list("phone", flat=True)
            )
            created = []
            for order_plan in batch:
                timeline = timelines[order_plan.index]
                order = _order_play(order_plan, channels[order_plan.channel], timeline)
                if order is None:
                    report.orders_skipped += 1
                    continue
                created.append((order, order_plan, timeline))
                report.statuses[timeline.status] += 1
            _backdate(created, channels)
            _new_customers_settle([p for p in batch if p.customer.phone not in known_phones], first_order_at)
            _mark_seed_events_dispatched()
        report.created["order"] += len(created)
        done = start + len(batch)
        if done == len(todo) or (done // ORDER_BATCH) % 5 == 0:
            progress(f"orders: {done}/{len(todo)} new ({time.monotonic() - started:.1f}s)")


def _order_play(order_plan: plan.OrderPlan, channel: Channel, timeline: plan.Timeline) -> Order | None:
    """Creates the order and walks it through its timeline; None if it cannot be created.

    Marketplaces hand an order over once it is paid, so a paid marketplace order is created paid;
    own-store and manual orders are created at checkout and paid afterwards.
    """
    steps = timeline.replayed_steps()
    status = statuses.PENDING_PAYMENT
    if steps and steps[0][0] == statuses.PAID and channel.kind == Channel.MARKETPLACE:
        status, steps = statuses.PAID, steps[1:]
    data_in = OrderInput(
        channel=channel,
        status=status,
        paid_at=timeline.paid_at,
        external_id=order_plan.external_id,
        customer=CustomerInput(name=order_plan.customer.name, phone=order_plan.customer.phone),
        shipping_address=AddressInput(**asdict(order_plan.ship_to)),
        lines=[LineInput(sku=sku, quantity=qty) for sku, qty in order_plan.lines],
        placed_at=timeline.placed_at,
        shipping_amount=order_plan.shipping_amount,
        discount_amount=order_plan.discount_amount,
        tags=order_plan.tags,
    )
    try:
        try:
            order, created = order_create(data=data_in, actor=SEED_ACTOR)
        except InsufficientStock:
            # Only when the catalogue predates this run's orders (an earlier, smaller run):
            # restock the central warehouse, as purchasing would, and try once more.
            for sku, qty in order_plan.lines:
                _adjust(sku, data.CENTRAL_WAREHOUSE, qty + 50, StockMovement.RECEIPT, "receipt: demo restock")
            order, created = order_create(data=data_in, actor=SEED_ACTOR)
    except (InsufficientStock, UnknownSku):
        return None
    if not created:
        return None
    for to, _at, reason in steps:
        order_transition(order_id=order.pk, to=to, actor=SEED_ACTOR, reason=reason)
    if timeline.hold is not None:
        order_hold(order_id=order.pk, reason=timeline.hold[1], actor=SEED_ACTOR)
    return order


def _backdate(created: list[tuple[Order, plan.OrderPlan, plan.Timeline]], channels: dict[str, Channel]) -> None:
    """Moves the orders' timestamps to their timelines; an unpaid order's reservations expire on its clock."""
    for order, order_plan, timeline in created:
        # ``update`` sets ``created_at`` and ``updated_at`` as given: ``auto_now`` applies to ``save`` only.
        # (One small UPDATE per order costs less than ``bulk_update``'s CASE over the batch.)
        Order.objects.filter(pk=order.pk).update(
            created_at=timeline.placed_at,
            placed_at=timeline.placed_at,
            paid_at=timeline.paid_at,
            shipped_at=timeline.shipped_at,
            status_changed_at=timeline.status_changed_at,
            updated_at=timeline.last_change_at,
        )
        if timeline.status == statuses.PENDING_PAYMENT:
            timeout = timedelta(minutes=channels[order_plan.channel].payment_timeout_minutes)
            Reservation.objects.filter(order_id=order.pk, state=Reservation.ACTIVE).update(
                created_at=timeline.placed_at, expires_at=timeline.placed_at + timeout
            )


def _sandbox_connections(channels: dict[str, Channel], report: SeedReport) -> None:
    """A sandbox connection for every connector whose channel the demo has, streaming demo orders."""
    for connector in CONNECTORS:
        if connector.sandbox is None or connector.channel not in channels:
            continue
        if Connection.objects.filter(connector=connector.key, sandbox=True).exists():
            continue
        connection_create(
            data=ConnectionInput(
                connector=connector.key,
                name=f"{connector.name_zh} 演示沙箱",
                credentials={},
                settings={
                    "channel": connector.channel,
                    "demo_stream": True,
                    **({"poll_interval_seconds": 60} if connector.poller else {}),
                },
                sandbox=True,
            )
        )
        report.created["connection"] += 1
    living_demo_connections_seed(report)


# The living demo's sandboxes beside the sales channels': gateways, the warehouse, couriers and the
# notification providers the demo flows send through (``flows``). The WMS connection's
# ``demo_stream`` turns the demo on (``connectors.demo.living_demo_tick``).
LIVING_DEMO_KINDS = (PAYMENT, WAREHOUSE, COURIER, NOTIFY)


def living_demo_connections_seed(report: SeedReport) -> None:
    """A sandbox connection for each gateway, the WMS, each courier and each notification provider
    (idempotent)."""
    for connector in CONNECTORS:
        if connector.sandbox is None or connector.kind not in LIVING_DEMO_KINDS:
            continue
        if Connection.objects.filter(connector=connector.key, sandbox=True).exists():
            continue
        connection_create(
            data=ConnectionInput(
                connector=connector.key,
                name=f"{connector.name_zh} 演示沙箱",
                credentials={},
                settings={"demo_stream": True} if connector.kind == WAREHOUSE else {},
                sandbox=True,
            )
        )
        report.created["connection"] += 1


def _new_customers_settle(plans: list[plan.OrderPlan], first_order_at: dict[str, datetime]) -> None:
    """Customers this batch created: joined with their first order; VIPs and risky buyers marked."""
    for phone, customer in {p.customer.phone: p.customer for p in plans}.items():
        changes: dict = {"created_at": first_order_at[phone]}
        if customer.vip:
            changes.update(tags=["vip"], credit_level=5)
        elif customer.risky:
            changes.update(credit_level=1)
        Customer.objects.filter(phone=phone).update(**changes)


def _mark_seed_events_dispatched() -> None:
    """Stamps this run's outbox events as dispatched, in the transaction that wrote them.

    They describe a month that has already happened: the runtime must not run flows on thousands
    of historical events. Written and stamped in one transaction, they are never seen pending.
    They stay in the outbox, where back-tests of draft flows read them.
    """
    OutboxEvent.objects.filter(trace_id=current_trace_id(), dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
