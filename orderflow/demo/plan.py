"""What the demo holds, worked out in memory before anything touches the database.

Every product and every order draws from its own ``Random``, seeded with a fixed string and its
index: product 17 and order 1234 come out the same on every run, whatever sizes are asked for,
so a run finds what an earlier run stored by its stable key (SKU; channel + external id).
Only an order's timeline depends on the clock: how far it got follows from how long ago it was
placed, so older orders are further along.
"""

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate, product
from zoneinfo import ZoneInfo

from commerce.channels.models import Channel
from commerce.orders import statuses

from . import data

SEED = "orderflow-demo-v1"
DAYS = 30
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Orders by hour of the day, Beijing time: a late-morning hump and the evening peak.
HOURLY_WEIGHTS = [3, 2, 1, 0.6, 0.5, 0.6, 1, 2, 3, 4.5, 5.5, 5.5, 5, 4.5, 4.5, 4.5, 4.5, 4, 4.5, 5.5, 7, 8, 7, 5]
PROMO_DAY = 12  # days ago: a store-anniversary sale, two and a half times a normal day

SOLD_OUT = "sold_out"
LOW = "low"
NORMAL = "normal"

# What becomes of an order.
NEVER_PAID = "never_paid"
CANCELLED_UNPAID = "cancelled_unpaid"
CANCELLED_PAID = "cancelled_paid"
HELD = "held"
FULFILLED = "fulfilled"


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


# --- products ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockPlan:
    warehouse: str
    opening: int  # units on hand at the start of the month, before any order
    safety_stock: int


@dataclass(frozen=True)
class ProductPlan:
    sku: str
    title: str
    price: Decimal
    weight_grams: int
    perishable: bool
    profile: str  # NORMAL, LOW (on hand near or under safety stock) or SOLD_OUT (never ordered)
    popularity: float  # relative chance of appearing in an order line
    stock: tuple[StockPlan, ...]


def _shelf_price(amount: float) -> Decimal:
    """A price as shops write it: 19.90, 39.90, 199.00."""
    if amount < 100:
        return Decimal(max(math.ceil(amount), 2)) - Decimal("0.10")
    return Decimal(max(round(amount / 10), 1) * 10 - 1)


@cache
def _combos(category: int) -> list[tuple[tuple, tuple]]:
    _prefix, bases, specs = data.CATEGORIES[category]
    combos = list(product(bases, specs))
    _rng("combos", category).shuffle(combos)
    return combos


def product_plan(index: int) -> ProductPlan:
    """Product ``index``: categories take turns, so SKUs run TEA-0001, SNK-0001, …, TEA-0002, …"""
    category, number = index % len(data.CATEGORIES), index // len(data.CATEGORIES)
    prefix = data.CATEGORIES[category][0]
    combos = _combos(category)
    (base_title, base_price, grams, perishable), (spec, price_factor, weight_factor) = combos[number % len(combos)]
    generation = number // len(combos)
    title = f"{base_title} {spec}" + (f" 第{generation + 1}代" if generation else "")

    rng = _rng("product", index)
    price = _shelf_price(base_price * price_factor * rng.uniform(0.92, 1.08))
    roll = rng.random()
    profile = SOLD_OUT if roll < 0.03 else LOW if roll < 0.12 else NORMAL
    others = [code for code, *_rest in data.WAREHOUSES[1:]]
    extra = rng.sample(others, rng.choices([0, 1, 2], weights=[45, 35, 20])[0])
    stock = []
    for warehouse in [data.CENTRAL_WAREHOUSE, *extra]:
        if profile == NORMAL:
            opening, safety = int(rng.triangular(40, 800, 180)), rng.choice([5, 10, 10, 20, 20, 30, 50])
        elif profile == LOW:
            opening, safety = rng.randint(0, 12), rng.randint(20, 60)
        else:
            opening, safety = rng.randint(20, 60), rng.randint(10, 30)
        stock.append(StockPlan(warehouse, opening, safety))
    return ProductPlan(
        sku=f"{prefix}-{number + 1:04d}",
        title=title,
        price=price,
        weight_grams=max(int(grams * weight_factor), 10),
        perishable=perishable,
        profile=profile,
        popularity=0.0 if profile == SOLD_OUT else rng.lognormvariate(0, 1.0),
        stock=tuple(stock),
    )


def gift_plan() -> ProductPlan:
    return ProductPlan(
        sku=data.GIFT_SKU,
        title=data.GIFT_TITLE,
        price=Decimal("0.00"),
        weight_grams=data.GIFT_GRAMS,
        perishable=False,
        profile=NORMAL,
        popularity=0.0,  # goes into orders only as a gift line
        stock=(StockPlan(data.CENTRAL_WAREHOUSE, data.GIFT_OPENING_STOCK, data.GIFT_SAFETY_STOCK),),
    )


def product_plans(count: int) -> list[ProductPlan]:
    """``count`` catalogue products and the gift tote."""
    return [product_plan(i) for i in range(count)] + [gift_plan()]


# --- customers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    province: str
    city: str
    district: str
    line: str
    postcode: str


@dataclass(frozen=True)
class CustomerPlan:
    name: str
    phone: str
    address: Address
    vip: bool
    risky: bool


_SURNAME_CUM = list(accumulate(1 / (rank + 4) for rank in range(len(data.SURNAMES))))
_PROVINCE_CUM = list(accumulate(population for _name, population, _cities in data.PROVINCES))


def _pick(rng: random.Random, items: list, cum_weights: list[float]):
    return items[bisect(cum_weights, rng.random() * cum_weights[-1])]


def _person_name(rng: random.Random) -> str:
    return _pick(rng, data.SURNAMES, _SURNAME_CUM) + rng.choice(data.GIVEN_NAMES)


def _address(rng: random.Random) -> Address:
    province, _population, cities = _pick(rng, data.PROVINCES, _PROVINCE_CUM)
    city, postcode, districts = rng.choice(cities)
    street = f"{rng.choice(data.STREETS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.2:
        line = f"{street}{rng.choice(data.OFFICE_TOWERS)}{rng.randint(2, 42)}层"
    else:
        line = (
            f"{street}{rng.choice(data.COMMUNITIES)}{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
    return Address(province=province, city=city, district=rng.choice(districts), line=line, postcode=postcode)


def customer_plan(index: int, pool: int) -> CustomerPlan:
    """Customer ``index`` of ``pool``. Low indexes order most often; the first 3% are VIPs."""
    rng = _rng("customer", index)
    # Multiplying by a number prime to 10**8 maps distinct indexes to distinct 8-digit endings.
    phone = f"{rng.choice(data.PHONE_PREFIXES)}{(index * 48271 + 1234567) % 10**8:08d}"
    return CustomerPlan(
        name=_person_name(rng),
        phone=phone,
        address=_address(rng),
        vip=index < max(1, pool * 3 // 100),
        risky=rng.random() < 0.02,
    )


# --- orders -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderPlan:
    index: int
    channel: str
    external_id: str
    customer: CustomerPlan
    ship_to: Address
    lines: tuple[tuple[str, int], ...]  # (sku, quantity)
    shipping_amount: Decimal
    discount_amount: Decimal
    tags: tuple[str, ...]
    fate: str
    # When it was placed: ``burst_minutes`` ago (a live-stream sale going on right now), or on day
    # ``day`` before today at ``second_of_day``, Beijing time.
    burst_minutes: float | None
    day: int
    second_of_day: int
    # Delays between steps, drawn up front so that the same order always has the same story.
    pay_minutes: float
    cancel_unpaid_minutes: float
    processing_minutes: float
    ship_hours: float
    deliver_hours: float
    complete_days: float
    cancel_paid_minutes: float
    cancel_reason: str
    hold_minutes: float
    hold_reason: str
    close_hours: float


@dataclass
class Timeline:
    placed_at: datetime
    steps: list[tuple[str, datetime, str]] = field(default_factory=list)  # (status, when, reason)
    hold: tuple[datetime, str] | None = None

    @property
    def status(self) -> str:
        return self.steps[-1][0] if self.steps else statuses.PENDING_PAYMENT

    @property
    def status_changed_at(self) -> datetime:
        return self.steps[-1][1] if self.steps else self.placed_at

    @property
    def paid_at(self) -> datetime | None:
        return next((at for status, at, _reason in self.steps if status == statuses.PAID), None)

    @property
    def shipped_at(self) -> datetime | None:
        return next((at for status, at, _reason in self.steps if status == statuses.SHIPPED), None)

    def replayed_steps(self) -> list[tuple[str, datetime, str]]:
        """The moves to replay through ``order_transition``: those that bring the order to where it stands.

        ``processing`` and ``delivered`` are passed by on the way to a later status (paid → shipped
        and shipped → completed are allowed moves), as a channel sync of an older order does
        (``order_ingest``). Replaying them would add audit entries and events but no history:
        audit entries carry the time of the seed, and the order keeps only its latest change.
        """
        final = self.status
        passed_by = {statuses.PROCESSING, statuses.DELIVERED} - {final}
        return [step for step in self.steps if step[0] not in passed_by]

    @property
    def last_change_at(self) -> datetime:
        return max(self.status_changed_at, self.hold[0]) if self.hold else self.status_changed_at


_CHANNEL_CODES = [code for code, *_rest in data.CHANNELS]
_CHANNEL_CUM = list(accumulate(weight for _c, _n, _k, weight, _p, _x in data.CHANNELS))
_CHANNEL_PREFIX = {code: prefix for code, _n, _k, _w, prefix, _x in data.CHANNELS}
_MARKETPLACES = frozenset(code for code, _n, kind, _w, _p, _x in data.CHANNELS if kind == Channel.MARKETPLACE)
_DAY_NUMBERS = list(range(DAYS))
_DAY_CUM = list(accumulate((2.5 if day == PROMO_DAY else 1.0) * (1.3 - 0.01 * day) for day in range(DAYS)))
_HOURS = list(range(24))
_HOUR_CUM = list(accumulate(HOURLY_WEIGHTS))


class OrderPlanner:
    """Plans orders over a catalogue. Built once per run: it holds the popularity table."""

    def __init__(self, products: list[ProductPlan], order_count: int):
        self.products = {p.sku: p for p in products}
        sellable = [p for p in products if p.popularity > 0]
        self.sellable_skus = [p.sku for p in sellable]
        self.popularity_cum = list(accumulate(p.popularity for p in sellable))
        self.customer_pool = max(20, order_count * 55 // 100)

    def order(self, index: int) -> OrderPlan:
        rng = _rng("order", index)
        burst = rng.random() < 0.025
        channel = "douyin" if burst and rng.random() < 0.6 else _pick(rng, _CHANNEL_CODES, _CHANNEL_CUM)
        customer = customer_plan(int(self.customer_pool * rng.random() ** 1.5), self.customer_pool)
        ship_to = customer.address if rng.random() < 0.88 else _address(rng)

        lines: dict[str, int] = {}
        wanted = rng.choices([1, 2, 3, 4], weights=[60, 25, 10, 5])[0]
        for _attempt in range(wanted * 3):
            if len(lines) == wanted or not self.sellable_skus:
                break
            sku = _pick(rng, self.sellable_skus, self.popularity_cum)
            lines.setdefault(sku, rng.choices([1, 2, 3, 4, 5], weights=[74, 17, 5, 2, 2])[0])
        goods = sum((self.products[sku].price * qty for sku, qty in lines.items()), Decimal("0"))

        tags = set()
        if goods >= 299 and rng.random() < 0.15:
            lines[data.GIFT_SKU] = 1  # 满赠: a tote with bigger orders
            tags.add("gift")
        if any(self.products[sku].perishable for sku in lines):
            tags.add("fresh")
        if customer.vip:
            tags.add("vip")

        fate = _fate(rng.random(), vip=customer.vip)
        if fate == HELD or (customer.risky and rng.random() < 0.5):
            tags.add("risk")

        manual = channel == "manual"
        return OrderPlan(
            index=index,
            channel=channel,
            external_id=f"DEMO-{_CHANNEL_PREFIX[channel]}-{index + 1:06d}",
            customer=customer,
            ship_to=ship_to,
            lines=tuple(lines.items()),
            shipping_amount=_shipping(channel, goods),
            discount_amount=_coupon(rng, goods),
            tags=tuple(sorted(tags)),
            fate=fate,
            burst_minutes=rng.uniform(0, 30) if burst else None,
            day=_pick(rng, _DAY_NUMBERS, _DAY_CUM),
            second_of_day=_pick(rng, _HOURS, _HOUR_CUM) * 3600 + rng.randrange(3600),
            pay_minutes=rng.uniform(30, 900)
            if manual
            else (rng.uniform(0.2, 3) if rng.random() < 0.7 else rng.uniform(3, 13)),
            cancel_unpaid_minutes=rng.uniform(20, 600) if manual else rng.uniform(1, 12),
            processing_minutes=min(rng.lognormvariate(math.log(90), 0.9), 24 * 60),
            ship_hours=rng.lognormvariate(math.log(14), 0.6) + (rng.uniform(72, 144) if rng.random() < 0.04 else 0),
            deliver_hours=rng.uniform(20, 70) + (48 if ship_to.province in data.REMOTE_PROVINCES else 0),
            complete_days=rng.uniform(0.5, 5) if rng.random() < 0.6 else rng.uniform(7, 10),
            cancel_paid_minutes=rng.uniform(5, 600),
            cancel_reason=rng.choice(data.PAID_CANCEL_REASONS),
            hold_minutes=rng.uniform(1, 20),
            hold_reason=rng.choice(data.HOLD_REASONS),
            close_hours=rng.uniform(2, 30),
        )


def _fate(roll: float, *, vip: bool) -> str:
    """6% never paid, 2% cancelled unpaid, 2.5% cancelled after payment, 1.2% held for review (never a VIP's)."""
    if roll < 0.06:
        return NEVER_PAID
    if roll < 0.08:
        return CANCELLED_UNPAID
    if roll < 0.105:
        return CANCELLED_PAID
    if roll < 0.117 and not vip:
        return HELD
    return FULFILLED


def _shipping(channel: str, goods: Decimal) -> Decimal:
    if channel in ("pdd", "manual"):
        return Decimal("0.00")  # 拼多多 ships everything free; manual orders agree freight separately
    if channel == "shopify":
        return Decimal("0.00") if goods >= 500 else Decimal("30.00")
    return Decimal("0.00") if goods >= 49 else Decimal("6.00")


def _coupon(rng: random.Random, goods: Decimal) -> Decimal:
    roll = rng.random()
    if goods >= 299 and roll < 0.5:
        return Decimal("30.00")
    if goods >= 199 and roll < 0.4:
        return Decimal("20.00")
    if goods >= 99 and roll < 0.3:
        return Decimal("10.00")
    return Decimal("0.00")


def order_timeline(plan: OrderPlan, *, now: datetime, payment_timeout_minutes: int) -> Timeline:
    """How far ``plan`` has got by ``now``: each step that has happened, with when and why."""
    placed = _placed_at(plan, now)
    timeline = Timeline(placed_at=placed)
    steps = timeline.steps

    def step(status: str, at: datetime, reason: str) -> bool:
        if at > now:
            return False
        steps.append((status, at, reason))
        return True

    def cancel(at: datetime, reason: str) -> None:
        # A marketplace closes the trade some hours after a cancellation; own stores leave it cancelled.
        if step(statuses.CANCELLED, at, reason) and plan.channel in _MARKETPLACES:
            step(statuses.CLOSED, at + timedelta(hours=plan.close_hours), "trade closed by channel")

    if plan.fate == NEVER_PAID:
        # What the payment-timeout sweep (``commerce.orders.expiry``) does to an unpaid order.
        cancel(placed + timedelta(minutes=payment_timeout_minutes), "payment_timeout")
        return timeline
    if plan.fate == CANCELLED_UNPAID:
        cancel(placed + timedelta(minutes=plan.cancel_unpaid_minutes), "buyer_cancelled")
        return timeline
    paid = placed + timedelta(minutes=plan.pay_minutes)
    if not step(statuses.PAID, paid, "payment received"):
        return timeline
    if plan.fate == HELD:
        hold_at = paid + timedelta(minutes=plan.hold_minutes)
        if hold_at <= now:
            timeline.hold = (hold_at, plan.hold_reason)
        return timeline
    processing = paid + timedelta(minutes=plan.processing_minutes)
    if plan.fate == CANCELLED_PAID:
        cancelled = paid + timedelta(minutes=plan.cancel_paid_minutes)
        if processing < cancelled:
            step(statuses.PROCESSING, processing, "order approved")
        cancel(cancelled, plan.cancel_reason)
        return timeline
    if not step(statuses.PROCESSING, processing, "order approved"):
        return timeline
    shipped = processing + timedelta(hours=plan.ship_hours)
    if not step(statuses.SHIPPED, shipped, "handed to courier"):
        return timeline
    delivered = shipped + timedelta(hours=plan.deliver_hours)
    if not step(statuses.DELIVERED, delivered, "signed for"):
        return timeline
    auto = plan.complete_days >= 7
    step(
        statuses.COMPLETED,
        delivered + timedelta(days=plan.complete_days),
        "receipt auto-confirmed" if auto else "receipt confirmed by buyer",
    )
    return timeline


def _placed_at(plan: OrderPlan, now: datetime) -> datetime:
    if plan.burst_minutes is not None:
        return now - timedelta(minutes=plan.burst_minutes)
    midnight = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    placed = midnight - timedelta(days=plan.day) + timedelta(seconds=plan.second_of_day)
    if placed > now:  # later today than it is now: it happened yesterday
        placed -= timedelta(days=1)
    return placed.astimezone(now.tzinfo)


def stock_demand(orders: list[OrderPlan]) -> dict[str, int]:
    """Units each SKU's orders ask for, whatever becomes of them: the most stock they can hold at once."""
    demand: dict[str, int] = {}
    for order in orders:
        for sku, qty in order.lines:
            demand[sku] = demand.get(sku, 0) + qty
    return demand
