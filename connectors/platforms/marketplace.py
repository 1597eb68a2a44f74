"""What the Chinese marketplace connectors (Taobao/Tmall TOP, Pinduoduo, JD, Douyin) share, written once.

Each of the four folders keeps what is its platform's own — how a request is signed, what its
envelopes and error bodies look like, what its order fields mean — and takes from here:

* **time and money**: the platforms speak Beijing time (GMT+8, no daylight saving) and either
  yuan (TOP, JD and Pinduoduo's order amounts) or fen (Douyin);
* **signing primitives**: the ``k1v1k2v2…`` concatenation over ASCII-sorted keys, and the digests;
* **the HTTP call**: explicit timeouts (``connectors.http.TIMEOUT``), transport failures, HTTP 429
  and 5xx as retryable ``ProviderError``s, bodies parsed by the one JSON rule of the API;
* **the windowed poller** (``WindowPoller``): an order list filtered by a modification-time window
  and paged by page number, read from its last page back — see the class;
* **the gateway simulator skeleton** (``GatewaySimulator``): state in ``SandboxRecord`` rows,
  injected faults, a frequency limit, and realistic orders made from the order centre's catalogue.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import random
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from django.db import transaction
from django.utils import timezone as django_timezone

from commerce.catalog.selectors import products_by_sku
from commerce.inventory.selectors import stock_list
from core.api.parsers import InvalidJson, json_loads

from ..base import InboundOrder, PollPage, ProviderError
from ..http import TIMEOUT, retry_after_seconds
from ..models import SandboxRecord
from ..sandbox import SimRequest, SimResponse

if TYPE_CHECKING:
    from ..models import Connection

# --- time ------------------------------------------------------------------------------------------

CHINA = timezone(timedelta(hours=8), "CST")  # Beijing time: the platforms' clocks, no daylight saving
CHINA_FORMAT = "%Y-%m-%d %H:%M:%S"


def china_text(moment: datetime) -> str:
    """``moment`` as the platforms write a time: ``yyyy-MM-dd HH:mm:ss`` in Beijing time."""
    return moment.astimezone(CHINA).strftime(CHINA_FORMAT)


def china_time(text: str) -> datetime:
    """A platform's ``yyyy-MM-dd HH:mm:ss`` (Beijing time) as an aware datetime; ``ValueError`` if not one."""
    return datetime.strptime(text.strip(), CHINA_FORMAT).replace(tzinfo=CHINA)


def unix_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=CHINA)


def iso(moment: datetime) -> str:
    """How a cursor stores a moment: ISO 8601 in UTC (JSON has no datetime)."""
    return moment.astimezone(UTC).isoformat()


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- money -----------------------------------------------------------------------------------------

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")  # the order centre's columns hold 12 digits, 2 of them decimals


def yuan(value: object) -> Decimal:
    """An amount in yuan as a platform writes it — a string (``"200.07"``) or a JSON number — to cents.

    ``ValueError`` for anything that is not a finite amount between 0 and ``MAX_AMOUNT``.
    """
    if value is None or isinstance(value, bool) or value == "":
        raise ValueError("not an amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValueError("out of range")
    return amount.quantize(CENT)


def fen_to_yuan(value: object) -> Decimal:
    """An amount in fen (integer cents, as Douyin writes money) in yuan: ``1999`` → ``Decimal("19.99")``."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("not an amount in fen")
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError("not an amount in fen")
    return yuan(Decimal(text) / 100)


def yuan_to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def discount_between(goods: Decimal, shipping: Decimal, paid: Decimal) -> Decimal:
    """The discount that makes lines + shipping − discount equal what the buyer paid (never below 0).

    The platforms split their discounts many ways (platform subsidies, shop coupons, price changes);
    the order centre holds one figure, so it is derived from the total the buyer paid.
    """
    return max(goods + shipping - paid, Decimal("0")).quantize(CENT)


# --- reading a platform's payload --------------------------------------------------------------------


def malformed(platform: str, what: str) -> ProviderError:
    """A payload the connector cannot read. Terminal: asking again returns the same bytes."""
    return ProviderError(f"{platform} answered with {what}.", retryable=False, code="malformed_response")


def text(value: object, limit: int) -> str:
    """A payload's text field, stripped and cut to the order centre's column (masked values kept as given)."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()[:limit]


def amount_field(payload: Mapping[str, Any], name: str, platform: str, *, read=yuan, default: str | None = None):
    value = payload.get(name)
    if value in (None, "") and default is not None:
        value = default
    try:
        return read(value)
    except ValueError:
        raise malformed(platform, f"{name}={value!r}, not an amount") from None


def time_field(payload: Mapping[str, Any], name: str, platform: str) -> datetime | None:
    """A Beijing ``yyyy-MM-dd HH:mm:ss`` field; ``None`` when empty."""
    value = payload.get(name)
    if value in (None, ""):
        return None
    try:
        return china_time(str(value))
    except ValueError:
        raise malformed(platform, f"{name}={value!r}, not a time") from None


def unix_field(payload: Mapping[str, Any], name: str, platform: str) -> datetime | None:
    """A unix-seconds field; ``None`` when empty or 0 (the platforms' "not yet")."""
    value = payload.get(name)
    if value in (None, 0, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise malformed(platform, f"{name}={value!r}, not unix seconds")
    return from_unix(value)


def required(moment: datetime | None, name: str, platform: str) -> datetime:
    if moment is None:
        raise malformed(platform, f"an order without {name}")
    return moment


def quantity_field(item: Mapping[str, Any], name: str, platform: str, order_id: str) -> int:
    """A line's quantity: a JSON integer or a string of digits, 1 to 10,000."""
    value = item.get(name)
    quantity = int(value) if isinstance(value, str) and value.isdigit() else value
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= 10_000:
        raise malformed(platform, f"order {order_id} with {name}={value!r}")
    return quantity


def unknown_status(platform: str, order_id: object, status: object) -> ProviderError:
    return ProviderError(
        f"{platform} order {order_id} has a status Orderflow does not know: {status!r}.",
        retryable=False,
        code="unknown_status",
    )


def unmapped_sku(platform: str, order_id: str, listing: str, code_field: str) -> ProviderError:
    """A line whose SKU carries no merchant code: the order centre cannot tell which SKU it is."""
    return ProviderError(
        f"{platform} order {order_id}: {listing} has no merchant code ({code_field}), so Orderflow cannot tell "
        "which SKU it is. Give the SKU its merchant code (商家编码): the Orderflow SKU.",
        retryable=False,
        code="unmapped_sku",
    )


def sku_not_listed(platform: str, sku: str) -> ProviderError:
    """A stock push for a SKU no listing of the shop carries as merchant code. Terminal until someone sets it."""
    return ProviderError(
        f"No {platform} listing has a SKU with the merchant code {sku!r}: make it that SKU's merchant code (商家编码).",
        retryable=False,
        code="sku_not_listed",
    )


# --- signing primitives -----------------------------------------------------------------------------


def sorted_concat(params: Mapping[str, str]) -> str:
    """``k1v1k2v2…`` over the keys in ASCII order, ``sign`` and empty values left out.

    TOP (``TaobaoUtils.signTopRequest``), Pinduoduo and JD all sign this string.
    """
    return "".join(f"{key}{value}" for key, value in sorted(params.items()) if key != "sign" and value != "")


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def secret_wrapped_md5(secret: str, text: str) -> str:
    """``MD5(secret + text + secret)`` in lowercase hex: TOP's ``md5``, Pinduoduo's, JD's and Douyin's MD5."""
    return md5_hex(secret + text + secret)


def hmac_md5(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.md5).hexdigest()


def hmac_sha256(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def signs_match(expected: str, offered: str) -> bool:
    return hmac.compare_digest(expected.encode(), offered.encode())


# --- the HTTP call ----------------------------------------------------------------------------------


def param_text(value: object) -> str:
    """A parameter as a form-encoded gateway wants it: ``true``/``false``, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def http_failure(platform: str, response: requests.Response) -> ProviderError | None:
    """The ``ProviderError`` an HTTP status means, or ``None`` for a 2xx (whose body says the rest)."""
    status = response.status_code
    if status < 400:
        return None
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429:
        return ProviderError(
            f"{platform} is rate limiting this app (HTTP 429).",
            retryable=True,
            code="http_429",
            retry_after=retry_after,
        )
    if status >= 500:
        return ProviderError(
            f"{platform} failed to answer (HTTP {status}).",
            retryable=True,
            code=f"http_{status}",
            retry_after=retry_after,
        )
    return ProviderError(f"{platform} refused the request (HTTP {status}).", retryable=False, code=f"http_{status}")


def gateway_call(platform: str, session: requests.Session, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One HTTP call to a platform's gateway, with ``TIMEOUT``; the JSON object it answered.

    Raises ``ProviderError``: retryable for a timeout, an unreachable gateway, HTTP 429 (with
    ``Retry-After``) and 5xx; terminal for other 4xx and for a body that is not a JSON object.
    """
    try:
        response = session.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.Timeout:
        raise ProviderError(f"{platform} did not answer in time.", retryable=True, code="timeout") from None
    except requests.ConnectionError as exc:
        raise ProviderError(f"{platform} cannot be reached: {exc}", retryable=True, code="unreachable") from None
    failure = http_failure(platform, response)
    if failure is not None:
        raise failure
    try:
        body = json_loads(response.content)
    except (InvalidJson, ValueError):
        raise malformed(platform, "a body that is not JSON the order centre can store") from None
    if not isinstance(body, dict):
        raise malformed(platform, "a JSON body that is not an object")
    return body


def connection_secrets(connection: Connection) -> dict[str, Any]:
    """The connection's revealed credentials, for its client. Never log what this returns."""
    # Imported here: the services import the registry, which imports every manifest, and so this module.
    from ..services.connections import connection_credentials

    return connection_credentials(connection)


def folder_doc(module_file: str) -> str:
    """The ``doc.md`` next to a connector's manifest (the Connections page shows it)."""
    return Path(module_file).with_name("doc.md").read_text(encoding="utf-8")


def credential_field(title_en: str, title_zh: str, *, max_length: int, secret: bool = False, **extra: Any) -> dict:
    """One text field of a credentials schema: required non-empty text, ``writeOnly`` when a secret."""
    field = {"type": "string", "title": title_en, "x-title-zh": title_zh, "minLength": 1, "maxLength": max_length}
    return {**field, **({"writeOnly": True} if secret else {}), **extra}


# --- polling an order list by modification-time windows ---------------------------------------------


@dataclass(frozen=True)
class ListedPage:
    orders: list[dict[str, Any]]
    total: int  # orders in the whole window, as the platform counted them on this call


@dataclass(frozen=True)
class WindowPoller(ABC):
    """Polls an order list that a platform filters by modification time and pages by page number.

    The cursor is ``{"start": <window start>}`` between windows and ``{"start", "end", "page",
    "size"}`` inside one (``size``: the page size the window was counted with, kept even if the
    poller's changes meanwhile). The framework stores it only after the page's orders are
    ingested, so a poll stopped at any point and started again from the stored cursor repeats at
    most one page (ingest is idempotent) and skips none.

    Why the last page first: these lists are sorted by modification time, newest first, and an
    order modified while its window is being read leaves the window. Read front to back, every
    order behind it would move up one place, and the one crossing a page boundary into a page
    already read would be missed. Read back to front, the moves happen only among pages already
    read (an order may be read twice, never skipped), and the order that left is in a later
    window. TOP's and Pinduoduo's documentation require this order for their incremental lists
    ("必须采用倒序的分页方式（从最后一页往回取）才能避免漏单问题"). So a window of several pages
    costs one call more: the first call counts it, then pages ``n … 1`` are read.

    Nothing may *enter* a window while it is read, which is why its end lags ``now`` by
    ``settle``; an order the platform indexes late is caught by the next window, which starts
    ``overlap`` before this one ended.
    """

    max_span: timedelta = timedelta(days=1)
    page_size: int = 100
    overlap: timedelta = timedelta(minutes=3)
    settle: timedelta = timedelta(minutes=1)
    first_lookback: timedelta = timedelta(days=1)

    @abstractmethod
    def list_page(self, client: Any, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        """One page (1-based, ``size`` orders) of the orders modified in ``[start, end]``, newest first."""
        ...

    @abstractmethod
    def inbound(self, client: Any, listed: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        """The listed orders in Orderflow's words (fetching details the list lacks)."""
        ...

    def poll(self, client: Any, cursor: dict, now: datetime) -> PollPage:
        horizon = (now - self.settle).replace(microsecond=0)
        start = from_iso(cursor["start"]) if cursor.get("start") else horizon - self.first_lookback
        if cursor.get("end"):
            end, page, size = from_iso(cursor["end"]), int(cursor["page"]), int(cursor.get("size") or self.page_size)
        else:
            end, size = min(start + self.max_span, horizon), self.page_size
            if end <= start:
                return PollPage((), {"start": iso(start)}, more=False)
            counted = self.list_page(client, start, end, 1, size)
            pages = math.ceil(counted.total / size)
            if pages <= 1:
                return self.page_of_listed(client, counted.orders, {"start": iso(end - self.overlap)}, end < horizon)
            return PollPage((), {"start": iso(start), "end": iso(end), "page": pages, "size": size}, more=True)
        listed = self.list_page(client, start, end, page, size).orders
        if page > 1:
            cursor = {"start": iso(start), "end": iso(end), "page": page - 1, "size": size}
            return self.page_of_listed(client, listed, cursor, True)
        return self.page_of_listed(client, listed, {"start": iso(end - self.overlap)}, end < horizon)

    def page_of_listed(self, client: Any, listed: list[dict[str, Any]], cursor: dict, more: bool) -> PollPage:
        """The page a poll answers with the listed entries: orders in Orderflow's words here; a
        list of other things (refunds, ``RefundWindowPoller``) hands back the raw items."""
        return PollPage(self.inbound(client, listed), cursor, more)


@dataclass(frozen=True)
class RefundWindowPoller(WindowPoller):
    """A platform's refund list polled by the same windows as its orders (``WindowPoller``), with
    the raw refunds handed back as ``PollPage.items`` — each applied, and kept when it fails, by
    ``services.polled_items`` — and read into a ``ChannelRefund`` by ``item_effect``."""

    topic: str = "refund"

    def inbound(self, client: Any, listed: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        return ()

    def page_of_listed(self, client: Any, listed: list[dict[str, Any]], cursor: dict, more: bool) -> PollPage:
        return PollPage((), cursor, more, items=tuple(listed))

    @abstractmethod
    def item_key(self, item: Mapping[str, Any]) -> str: ...

    @abstractmethod
    def item_effect(self, item: Mapping[str, Any]) -> Any: ...


def refund_id_field(item: Mapping[str, Any], name: str, platform: str) -> str:
    """A refund's (or order's) id: a positive integer, as a JSON number or a string of digits."""
    value = item.get(name)
    found = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(found, str) or not found.strip().isdigit() or len(found.strip()) > 32 or int(found) <= 0:
        raise malformed(platform, f"a refund whose {name}={value!r} is not an id")
    return found.strip()


# --- the gateway simulator skeleton -----------------------------------------------------------------


class Refusal(Exception):
    """Raised inside a simulator to answer with the platform's error body."""

    def __init__(self, response: SimResponse):
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class SimLine:
    sku: str
    title: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Buyer:
    name: str
    phone: str
    province: str
    city: str
    district: str
    town: str
    street: str
    postcode: str

    @property
    def masked_name(self) -> str:
        return self.name[:1] + "*" * (len(self.name) - 1)

    @property
    def masked_phone(self) -> str:
        return self.phone[:3] + "****" + self.phone[-4:]


BUYER_NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐婷", "孙浩")
ADDRESSES = (
    ("浙江省", "杭州市", "西湖区", "文新街道", "文三路 90 号", "310012"),
    ("上海市", "上海市", "浦东新区", "张江镇", "碧波路 690 号", "201203"),
    ("北京市", "北京市", "朝阳区", "望京街道", "阜通东大街 6 号", "100102"),
    ("广东省", "深圳市", "南山区", "粤海街道", "科技园南区 18 号", "518057"),
    ("四川省", "成都市", "武侯区", "桂溪街道", "天府大道中段 1268 号", "610041"),
    ("江苏省", "南京市", "鼓楼区", "湖南路街道", "中山北路 30 号", "210008"),
    ("湖北省", "武汉市", "洪山区", "关山街道", "珞喻路 1037 号", "430074"),
    ("山东省", "青岛市", "市南区", "八大关街道", "香港中路 76 号", "266071"),
)
DEFAULT_PRICE = Decimal("99.00")


def catalog_skus() -> list[str]:
    """The SKUs a simulated shop sells: the order centre's active products that have stock rows."""
    stocked = sorted(set(stock_list().values_list("sku", flat=True)))
    return sorted(products_by_sku(stocked))


class GatewaySimulator(ABC):
    """The part of a marketplace simulator that is the same on every platform.

    A subclass sets ``base_url`` and ``app`` (the sandbox app the simulated platform knows: its
    key, secret and token — the manifest's ``sandbox_credentials``; a connection holding anything
    else is refused like the platform would refuse it) and writes ``answer`` (the gateway) and the
    order shape (``order_new``, ``order_id``, ``order_touch``).

    State lives in ``SandboxRecord`` rows of the connection — kind ``"order"`` (the shop's orders
    in the platform's shape), ``"stock"`` (quantities pushed), ``"message"`` (queued messages),
    ``"config"``, ``"fault"``, ``"rate"`` and ``"counter"`` — so every process sees one shop. It is
    a rehearsal shop, not a concurrency reference: only its counters take a row lock.
    """

    base_url: str = ""
    platform: str = ""
    app: Mapping[str, str] = {}
    item_base = 600_000_000_000  # the platform's item (product, goods, ware) ids of the listed SKUs start here
    sku_base = 4_000_000_000_000  # and its SKU ids here

    def __init__(self, connection: Connection):
        self.connection = connection

    # --- state
    def record(self, kind: str, key: str) -> dict[str, Any] | None:
        found = SandboxRecord.objects.filter(connection=self.connection, kind=kind, key=key).first()
        return None if found is None else found.data

    def record_save(self, kind: str, key: str, data: dict[str, Any]) -> None:
        SandboxRecord.objects.update_or_create(connection=self.connection, kind=kind, key=key, defaults={"data": data})

    def records(self, kind: str) -> list[dict[str, Any]]:
        return list(
            SandboxRecord.objects.filter(connection=self.connection, kind=kind)
            .order_by("seq")
            .values_list("data", flat=True)
        )

    def next_number(self, name: str, first: int) -> int:
        with transaction.atomic():
            counter, _ = SandboxRecord.objects.select_for_update().get_or_create(
                connection=self.connection, kind="counter", key=name, defaults={"data": {"next": first}}
            )
            number = int(counter.data["next"])
            counter.data = {"next": number + 1}
            counter.save(update_fields=["data", "updated_at"])
        return number

    # --- how the simulated platform behaves
    def configure(self, **options: Any) -> None:
        """Sets behaviour for tests and rehearsals: ``rate_limit={"calls", "seconds", "ban_seconds"}``, …"""
        self.record_save("config", "simulator", {**self.config(), **options})

    def config(self) -> dict[str, Any]:
        return self.record("config", "simulator") or {}

    def fault_next(self, status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> None:
        """The next request gets this answer instead (a 503, a 429 with ``Retry-After`` …), once."""
        faults = self.record("fault", "queue") or {"answers": []}
        faults["answers"].append({"status": status, "headers": dict(headers or {}), "body": body.decode()})
        self.record_save("fault", "queue", faults)

    def fault_take(self) -> SimResponse | None:
        faults = self.record("fault", "queue")
        if not faults or not faults["answers"]:
            return None
        answer = faults["answers"].pop(0)
        self.record_save("fault", "queue", faults)
        return SimResponse(answer["status"], answer["body"].encode(), answer["headers"])

    def throttled(self) -> int | None:
        """Counts this call against ``config()["rate_limit"]``; the seconds the app stays banned, or ``None``.

        A sliding window of ``calls`` per ``seconds``; the call that exceeds it starts a ban of
        ``ban_seconds`` during which every call is refused (TOP's "This ban will last for N more
        seconds").
        """
        limit = self.config().get("rate_limit")
        if not limit:
            return None
        now = time.time()
        state = self.record("rate", "calls") or {"at": [], "banned_until": 0}
        if state["banned_until"] > now:
            return math.ceil(state["banned_until"] - now)
        recent = [at for at in state["at"] if at > now - limit["seconds"]]
        if len(recent) >= limit["calls"]:
            ban = int(limit.get("ban_seconds", limit["seconds"]))
            self.record_save("rate", "calls", {"at": recent, "banned_until": now + ban})
            return ban
        self.record_save("rate", "calls", {"at": [*recent, now], "banned_until": 0})
        return None

    # --- the shop's listings and their stock
    def listing_ids(self, sku: str) -> tuple[int, int]:
        """The platform's (item id, SKU id) of the listing that sells ``sku``."""
        return stable_number(sku, self.item_base), stable_number(sku, self.sku_base)

    def listing(self, sku: str) -> dict[str, Any] | None:
        """The listing of ``sku`` (an item with one SKU whose merchant code is ``sku``) and the stock last
        set on it, or ``None`` when the shop does not sell it. The shop sells the order centre's catalogue."""
        stored = self.record("stock", sku)
        if stored is not None:
            return stored
        if sku not in catalog_skus():
            return None
        item_id, sku_id = self.listing_ids(sku)
        return {"sku": sku, "item_id": item_id, "sku_id": sku_id, "quantity": 0, "updates": 0}

    def listing_find(
        self, item_id: int | None = None, *, sku_id: int | None = None, sku: str = ""
    ) -> dict[str, Any] | None:
        """The listing (of item ``item_id`` if given) whose SKU is ``sku_id`` or has the merchant code ``sku``."""
        candidates = [sku] if sku else sorted({*catalog_skus(), *(listed["sku"] for listed in self.records("stock"))})
        for candidate in candidates:
            listed = self.listing(candidate)
            if listed and item_id in (None, listed["item_id"]) and sku_id in (None, listed["sku_id"]):
                return listed
        return None

    def stock_set(self, listing: Mapping[str, Any], quantity: int) -> dict[str, Any]:
        stored = {**listing, "quantity": quantity, "updates": listing["updates"] + 1}
        self.record_save("stock", stored["sku"], stored)
        return stored

    # --- the gateway
    def handle(self, request: SimRequest) -> SimResponse:
        fault = self.fault_take()
        if fault is not None:
            return fault
        try:
            return self.answer(request)
        except Refusal as refusal:
            return refusal.response

    @abstractmethod
    def answer(self, request: SimRequest) -> SimResponse: ...

    # --- the shop's orders
    def orders_create(self, count: int, skus: Sequence[str] | None = None, *, at: datetime | None = None) -> list[dict]:
        """``count`` new orders in the platform's shape, paid and waiting to ship, modified at ``at``
        (now by default), with 1–2 lines of ``skus`` (the order centre's catalogue by default)."""
        choices = list(skus) if skus else catalog_skus()
        if not choices:
            raise ValueError("no SKUs to order: pass skus, or load products with stock into the order centre")
        products = products_by_sku(choices)
        moment = at or django_timezone.now()
        created = []
        for _ in range(count):
            number = self.next_number("order", 1)
            rng = random.Random(f"{self.platform}:{self.connection.pk}:{number}")
            lines = [
                SimLine(
                    sku=sku,
                    title=products[sku].title if sku in products else sku,
                    quantity=rng.randint(1, 3),
                    price=products[sku].price if sku in products else DEFAULT_PRICE,
                )
                for sku in rng.sample(choices, k=min(len(choices), rng.randint(1, 2)))
            ]
            province, city, district, town, street, postcode = rng.choice(ADDRESSES)
            buyer = Buyer(
                name=rng.choice(BUYER_NAMES),
                phone="1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9)),
                province=province,
                city=city,
                district=district,
                town=town,
                street=street,
                postcode=postcode,
            )
            order = self.order_new(number, lines, buyer, moment)
            self.record_save("order", self.order_id(order), order)
            self.order_created(order)
            created.append(order)
        return created

    def orders_update(self, order_id: str, *, at: datetime | None = None, **changes: Any) -> dict:
        """Changes an order's fields (in the platform's names) and stamps it modified ``at`` (now by default)."""
        order = self.record("order", str(order_id))
        if order is None:
            raise KeyError(f"no order {order_id!r} in this sandbox shop")
        order.update(changes)
        self.order_touch(order, at or django_timezone.now())
        self.record_save("order", str(order_id), order)
        self.order_changed(order, changes)
        return order

    def orders(self) -> list[dict]:
        return self.records("order")

    @abstractmethod
    def order_new(self, number: int, lines: list[SimLine], buyer: Buyer, at: datetime) -> dict: ...

    @abstractmethod
    def order_id(self, order: Mapping[str, Any]) -> str: ...

    @abstractmethod
    def order_touch(self, order: dict, at: datetime) -> None: ...

    def order_created(self, order: dict) -> None:  # noqa: B027 - an optional hook, empty unless the platform reacts
        """Hook: what the platform does when an order appears (TOP queues a TMC message)."""

    def order_changed(self, order: dict, changes: Mapping[str, Any]) -> None:  # noqa: B027 - an optional hook
        """Hook: what the platform does when an order changes."""

    # --- helpers for the subclasses' answers
    @staticmethod
    def json_answer(payload: Any, status: int = 200) -> SimResponse:
        return SimResponse.json(status, payload)

    @staticmethod
    def request_params(request: SimRequest) -> dict[str, str]:
        """Query-string and form parameters together (the gateways accept either)."""
        params = {key: values[0] for key, values in request.query.items()}
        content_type = request.headers.get("Content-Type", "")
        if request.body and "application/x-www-form-urlencoded" in content_type:
            params.update(request.form())
        elif request.body and "json" in content_type:
            body = json.loads(request.body)
            if isinstance(body, dict):
                params.update(
                    {key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()}
                )
        return params


def stable_number(text: str, base: int) -> int:
    """A platform id a simulator derives from a SKU (its item id, its SKU id): the same on every call."""
    return base + zlib.crc32(text.encode()) % 1_000_000_000


def window_filter(
    orders: list[dict], modified_of: Callable[[dict], datetime], start: datetime, end: datetime
) -> list[dict]:
    """The orders modified in ``[start, end]``, newest first — the order the platforms' incremental
    lists answer in (ties keep the order of creation, newest first)."""
    inside = [order for order in orders if start <= modified_of(order) <= end]
    return [
        order for _, order in sorted(enumerate(inside), key=lambda pair: (modified_of(pair[1]), pair[0]), reverse=True)
    ]


def page_of(items: list, page: int, size: int) -> list:
    return items[(page - 1) * size : page * size]
