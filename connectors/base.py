"""What a connector is: its manifest, and the pieces it may offer (inbound webhooks, polling, stock push).

A connector is one folder (``connectors/<kind>/<name>/``) whose ``manifest.py`` builds one
``Connector``; ``connectors/registry.py`` lists them. The framework (``services/``, ``webhooks.py``)
does everything that is the same for every provider — keeping deliveries, deduplication, the order
centre's ingest, cursors, health, coalescing stock pushes — and asks the connector only for what is
the provider's own: how a request is signed, what its payloads mean, how its API pages.

The contracts, in the order a delivery meets them:

``Inbound.verify(request, credentials)``
    Checks the signature over the **raw bytes** before anything is parsed, and any timestamp
    window. Raises ``Rejected`` (with the HTTP status the provider should see) on failure.
``Inbound.dedup_key(request)``
    The provider's id of the event (Shopify's ``X-Shopify-Event-Id``, a notify id…), unique per
    connection: a second delivery with the same key is acknowledged and ignored.
``Inbound.parse(request, connection)``
    Turns the verified body into ``InboundOrder``s (or nothing, for an event type it acknowledges
    but does not act on). Raises ``Rejected`` (400) on a malformed body.
``Inbound.acknowledge()``
    The exact answer the provider expects on success (``success``, ``{"code":"SUCCESS"}``, 200…).

``Poller.poll(client, cursor, now)``
    One page of orders changed since ``cursor``; returns them with the cursor to store *after*
    they are ingested, so a crash between the two repeats a page (ingest is idempotent) and never
    skips one.

``ItemPoller`` (a platform's refund list: ``Connector.refund_poller``)
    Pages like a ``Poller`` but hands back the platform's raw items (``PollPage.items``), each
    turned into an ``Effect`` by ``item_effect`` — separately, so an item that fails (its order
    not here yet, a malformed amount) is kept with its raw payload as a failed inbound item
    (``services.polled_items``), replayable like a failed webhook delivery, while the cursor
    moves on. ``item_key`` names one version of an item (its id and status): the failed item's
    dedup key.

``StockPusher.push(client, sku, quantity)``
    Sets one SKU's sellable quantity on the platform; idempotent (it sets, never adds).

Errors from a provider's API are ``ProviderError`` (``retryable`` or not, with ``retry_after``
seconds when the provider said so); the framework turns them into retries and health.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import requests

    from .models import Connection

PLATFORM = "platform"
PAYMENT = "payment"
WAREHOUSE = "warehouse"
COURIER = "courier"
NOTIFY = "notify"
KINDS = (PLATFORM, PAYMENT, WAREHOUSE, COURIER, NOTIFY)


# The settings every sales-channel connection has: which channel its orders land on, how often it is
# polled, and the share of stock it is offered (``services.stock.sellable``).
PLATFORM_SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "channel": {
            "type": "string",
            "title": "Sales channel (code)",
            "x-title-zh": "销售渠道（代码）",
            "pattern": r"^[a-z0-9_-]{1,32}$",
        },
        "poll_interval_seconds": {
            "type": "integer",
            "title": "Poll every (seconds)",
            "x-title-zh": "拉取间隔（秒）",
            "minimum": 30,
            "maximum": 86400,
            "default": 300,
        },
        "stock_share_percent": {
            "type": "integer",
            "title": "Share of available stock offered (%)",
            "x-title-zh": "可售库存分配比例（%）",
            "minimum": 0,
            "maximum": 100,
            "default": 100,
        },
        "stock_cap": {
            "type": ["integer", "null"],
            "title": "At most this many per SKU",
            "x-title-zh": "每个 SKU 最多同步数量",
            "minimum": 0,
            "maximum": 10_000_000,
        },
        "stock_safety": {
            "type": "integer",
            "title": "Safety stock withheld per SKU",
            "x-title-zh": "每个 SKU 保留的安全库存",
            "minimum": 0,
            "maximum": 10_000_000,
            "default": 0,
        },
        "demo_stream": {
            "type": "boolean",
            "title": "Sandbox: send a demo order every minute",
            "x-title-zh": "沙箱：每分钟推送一笔演示订单",
            "default": False,
        },
    },
}


def platform_settings_schema(channel: str, **extra: dict) -> dict:
    """``PLATFORM_SETTINGS_SCHEMA`` with ``channel`` as the default channel, plus a connector's own settings."""
    properties = {name: dict(spec) for name, spec in PLATFORM_SETTINGS_SCHEMA["properties"].items()}
    properties["channel"]["default"] = channel
    return {**PLATFORM_SETTINGS_SCHEMA, "properties": {**properties, **extra}}


class Rejected(Exception):
    """A delivery that is refused: forged, stale, malformed. Nothing it carries is applied."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class ProviderError(Exception):
    """A provider's API answered with an error, or could not be reached.

    ``retryable``: worth trying again later (timeouts, 5xx, rate limits); not: the request itself
    is wrong (bad credentials, unknown method) and will fail the same way again.
    """

    def __init__(self, message: str, *, retryable: bool, code: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code
        self.retry_after = retry_after

    # The codes that say nothing sent through this connection can succeed now: the provider cannot be
    # reached, is failing or limiting us, or refuses the connection's own credentials or settings.
    # (A provider's own error codes — JD's, Pinduoduo's — stay about the one request.)
    CONNECTION_CODES = frozenset(
        {
            "timeout",
            "unreachable",
            "provider_unavailable",
            "rate_limited",
            "unauthorized",
            "forbidden",
            "auth_failed",
            "no_location",
            "no_connection",
            "disconnected",
        }
    )

    @property
    def concerns_connection(self) -> bool:
        """Whether the next request through this connection would fail the same way, whatever it
        asks: the error names the connection or the provider, not the request (or the provider
        asked us to wait)."""
        return self.retry_after is not None or self.code in self.CONNECTION_CODES


@dataclass(frozen=True)
class ParcelShipped:
    """One order's share of a parcel that left, as a sales channel's write-back needs it.

    ``lines`` are the (SKU, quantity) of the order this parcel carries — all of them unless the
    order is ``split`` over several parcels; ``first`` says this is the order's first parcel to
    leave (a platform that takes one tracking number per order ships the whole order with it).
    ``courier`` is Orderflow's courier code: the carrier behind an aggregator (``zhongtong``), else
    the courier itself (``sf``). ``parcel`` is the parcel's number (empty for a shipment recorded
    without one); ``key`` is unique per shipment and number (a platform's request id).
    """

    order_external_id: str
    tracking_no: str
    courier: str
    lines: tuple[tuple[str, int], ...]
    split: bool = False
    first: bool = True
    parcel: str = ""
    key: str = ""


@dataclass(frozen=True)
class WriteBackResult:
    """What a platform's ``write_back`` did: the courier's ``company`` code there, the platform's own
    line ids it sent (a split parcel's sub-orders; empty for the whole order), or why it sent nothing."""

    company: str
    sent: tuple[str, ...] = ()
    written: bool = True
    reason: str = ""


class WriteBack(Protocol):
    """``write_back(client, parcel)``: tells the platform the parcel shipped; safe to repeat (the same
    number for the same lines again is confirmed, not a second shipment). Raises ``ProviderError``."""

    def __call__(self, client: Any, parcel: ParcelShipped) -> WriteBackResult: ...


ALREADY_SHIPPED = "already_shipped"
UNKNOWN_COMPANY = "unknown_company"


def refusal_named(error: ProviderError, kinds: Mapping[str, str], order: str) -> ProviderError:
    """A platform's refusal of a write-back under Orderflow's name for it (``already_shipped``: the
    order or lines left with another number; ``unknown_company``: the platform does not take that
    courier), the platform's own words kept; any other error as it is."""
    kind = kinds.get(error.code)
    if kind == ALREADY_SHIPPED:
        said = f"Order {order} was already shipped with another tracking number"
    elif kind == UNKNOWN_COMPANY:
        said = f"The platform does not take this courier for order {order}"
    else:
        return error
    return ProviderError(f"{said} ({error.message}).", retryable=False, code=kind)


def company_code(table: Mapping[str, str], courier: str, platform: str) -> str:
    """The courier's code in a platform's table, or a clear terminal ``ProviderError`` naming it."""
    code = table.get(courier)
    if not code:
        known = ", ".join(sorted(table))
        raise ProviderError(
            f"{platform} has no logistics company code for the courier {courier!r}; "
            f"write-back knows {known}. Ship with one of these couriers or record the number on the platform by hand.",
            retryable=False,
            code="unknown_courier",
        )
    return code


@dataclass(frozen=True)
class InboundRequest:
    """A webhook delivery as it arrived: the raw body bytes (signatures cover exact bytes)."""

    body: bytes
    headers: Mapping[str, str]  # case-insensitive (Django's ``request.headers``)
    query: Mapping[str, str]
    content_type: str = ""


@dataclass(frozen=True)
class InboundLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class InboundOrder:
    """A platform's view of one order, in Orderflow's words (statuses mapped by the connector's table).

    ``updated_at`` orders the platform's views: the order centre ignores (and audits) a view not
    newer than the one it holds.
    """

    external_id: str
    status: str
    updated_at: datetime
    customer_name: str
    customer_phone: str
    province: str
    city: str
    address_line: str
    lines: tuple[InboundLine, ...]
    district: str = ""
    postcode: str = ""
    customer_email: str = ""
    placed_at: datetime | None = None
    paid_at: datetime | None = None
    shipping_amount: Decimal = Decimal("0")
    discount_amount: Decimal = Decimal("0")
    # Where the buyer placed the order and who they are on the platform, when its payload says
    # (the own store's body, Shopify's ``browser_ip``): the risk rules read them.
    client_ip: str | None = None
    device: str = ""
    buyer_account: str = ""
    buyer_remark: str = ""
    # Who the buyer is to the platform's WeChat app (the own store's mini-program), when it says:
    # kept for the customer so WeChat messages of that app can reach them.
    wechat_appid: str = ""
    wechat_openid: str = ""


class Effect(Protocol):
    """What a delivery that is not an order view asks for — a payment notified, a parcel scanned —
    applied through the commerce service that owns it. ``key`` names it in the delivery's result.

    ``apply`` runs outside any transaction of the framework's (it may call the provider first, as a
    payment's double check does, and opens its own transaction for the change); it must be safe to
    repeat, since a replay or the sweep applies a delivery again. It returns what it did, for the
    delivery's result; a ``DomainError``, or a ``ProviderError`` from a call it makes, marks the
    delivery failed (replayable)."""

    @property
    def key(self) -> str: ...

    def apply(self, connection: Connection) -> dict: ...


@dataclass(frozen=True)
class Parsed:
    """What a verified delivery means: the topic it named, the orders it carries (maybe none) and
    the other effects it asks for (maybe none)."""

    topic: str
    orders: tuple[InboundOrder, ...] = ()
    handled: bool = True  # False: an event type this connector acknowledges but does not act on
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Acknowledgement:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


class Inbound(Protocol):
    topics: tuple[str, ...]  # the event types it acts on (each has a fixture)

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None: ...

    def dedup_key(self, request: InboundRequest) -> str: ...

    def topic(self, request: InboundRequest) -> str: ...

    def parse(self, request: InboundRequest, connection: Connection) -> Parsed: ...

    def acknowledge(self) -> Acknowledgement: ...


@dataclass(frozen=True)
class PollPage:
    orders: tuple[InboundOrder, ...]
    cursor: dict  # what to store once these orders are ingested
    more: bool  # another page is ready now (the poll goes on in the same run)
    items: tuple[dict[str, Any], ...] = ()  # an ``ItemPoller``'s raw items, as the platform answered them


class Poller(Protocol):
    def poll(self, client: Any, cursor: dict, now: datetime) -> PollPage: ...


class ItemPoller(Protocol):
    @property
    def topic(self) -> str:  # what its items are ("refund"): the failed items' topic is ``poll:<topic>``
        ...

    def poll(self, client: Any, cursor: dict, now: datetime) -> PollPage: ...

    def item_key(self, item: Mapping[str, Any]) -> str: ...

    def item_effect(self, item: Mapping[str, Any]) -> Effect: ...


class StockPusher(Protocol):
    def push(self, client: Any, sku: str, quantity: int) -> None: ...


@dataclass(frozen=True)
class Connector:
    """A connector's manifest: everything the catalog, the admin's form and the framework need.

    ``credentials_schema`` and ``settings_schema`` are JSON Schema objects; a credential marked
    ``"writeOnly": true`` is a secret: sealed at rest, never answered, never logged.
    ``client`` builds the provider's API client for a connection (its credentials revealed, its
    HTTP session mounted on the sandbox when the connection is one); ``check`` calls the
    provider's cheapest authenticated endpoint with it (test connection).
    ``channel`` is the code of the sales channel its orders arrive on (platforms only).
    ``status_map`` is the one table from the provider's order statuses to Orderflow's.
    """

    key: str
    name_en: str
    name_zh: str
    kind: str
    logo: str  # an inline SVG data URI or a short mark; the Connections page shows it
    description_en: str
    description_zh: str
    credentials_schema: dict
    settings_schema: dict = field(default_factory=lambda: {"type": "object", "properties": {}})
    channel: str = ""
    status_map: Mapping[str, str] = field(default_factory=dict)
    inbound: Inbound | None = None
    poller: Poller | None = None
    refund_poller: ItemPoller | None = None  # the platform's refund list, polled on its own cursor
    stock: StockPusher | None = None
    client: Callable[[Connection, requests.Session], Any] | None = None
    check: Callable[[Any], None] | None = None
    sandbox: Callable[[Connection], Any] | None = None  # the simulator for a sandbox connection
    sandbox_credentials: Mapping[str, str] = field(default_factory=dict)
    doc: str = ""  # the folder's doc.md, read by the Connections page

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"connector {self.key!r}: unknown kind {self.kind!r}")

    @property
    def secret_fields(self) -> tuple[str, ...]:
        properties = self.credentials_schema.get("properties", {})
        return tuple(name for name, spec in properties.items() if spec.get("writeOnly"))

    @property
    def features(self) -> tuple[str, ...]:
        offered = (
            ("webhook", self.inbound),
            ("polling", self.poller),
            ("refund_polling", self.refund_poller),
            ("stock_sync", self.stock),
        )
        return tuple(name for name, part in offered if part is not None)


def letter_logo(letter: str, color: str) -> str:
    """A square logo mark with one letter, as an SVG data URI (no provider's trademark shipped)."""
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
        f"<rect width='32' height='32' rx='6' fill='{color.replace('#', '%23')}'/>"
        "<text x='16' y='22' font-size='16' text-anchor='middle' fill='white' font-family='sans-serif'>"
        f"{letter}</text></svg>"
    )
    return "data:image/svg+xml;utf8," + svg
