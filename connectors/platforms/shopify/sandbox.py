"""A local Shopify shop: the Admin REST API a sandbox connection's client calls, and the webhooks it sends.

HTTP (``handle``, reached through ``connectors.sandbox.SandboxAdapter`` at ``https://{shop_domain}``):

* ``GET /admin/api/<v>/shop.json``, ``orders.json``, ``orders/<id>.json``, ``products.json``,
  ``locations.json``, ``orders/<id>/fulfillment_orders.json``; ``POST inventory_levels/set.json``,
  ``fulfillments.json`` (the tracking-number write-back: one fulfillment order per order).
* ``X-Shopify-Access-Token`` must be the simulated shop's token (``SANDBOX_CREDENTIALS``, what a
  sandbox connection is created with), else 401 with Shopify's own body: a connection whose token
  was changed fails as it would against Shopify.
* A leaky bucket per shop (40 calls, leaking 2 a second): every answer carries
  ``X-Shopify-Shop-Api-Call-Limit: used/40``; a call into a full bucket gets 429, ``Retry-After: 2.0``.
* ``orders.json`` filters by ``status`` (``open`` by default, ``closed``, ``cancelled``, ``any``),
  ``updated_at_min/max``, ``created_at_min/max``, ``financial_status``, ``since_id``, sorts by
  ``order`` (``id``, ``created_at`` or ``updated_at``, ``asc``/``desc``; ``id asc`` by default),
  ``limit`` 1–250 (50 by default). Pages are linked by opaque base64 ``page_info`` cursors in a
  ``Link`` header (``rel="previous"``, ``rel="next"``); the filters live in the cursor, so a request
  with ``page_info`` may carry only ``limit`` and ``fields`` (400 otherwise, as Shopify answers).
  Where Shopify's exact answer to bad input is not documented (a ``limit`` out of range, a date that
  does not parse) this simulator answers 400 with ``{"errors": {"<param>": "Invalid value."}}``.

State lives in ``SandboxRecord`` rows of the connection, so the web server, the worker and
``manage.py sandbox`` see one shop: kind ``order`` (key: the order id, data: the order JSON),
``inventory`` (key: the SKU; its product, variant, inventory item and available quantity), and
``state`` (the id sequences and the call bucket).

Demo data: ``orders_create`` makes orders shaped like Shopify's own fixture order (Chinese buyers
and addresses, SKUs from the order centre's catalog), ``orders_update`` changes one (paid,
fulfilled, cancelled) and moves its ``updated_at`` on, ``webhook`` builds a signed delivery with
every ``X-Shopify-*`` header — the same event id again for a duplicate, a body that no longer
matches its signature for a forgery.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from django.db import transaction

from commerce.catalog.selectors import products_by_sku
from commerce.inventory.selectors import skus_in_stock

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from .client import DEFAULT_API_VERSION, MAX_LIMIT, shop_credentials
from .webhook import signature

ORDER = "order"
INVENTORY = "inventory"
STATE = "state"

BUCKET_SIZE = 40
LEAK_PER_SECOND = 2.0
RETRY_AFTER = "2.0"
THROTTLED = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
DEFAULT_LIMIT = 50
# What a new sandbox connection holds (the manifest's ``sandbox_credentials``), and the only access
# token and location the simulated shop knows. Webhooks are signed with the connection's own secret.
SANDBOX_CREDENTIALS = {
    "shop_domain": "orderflow-demo.myshopify.com",
    "access_token": "shpat_sandbox_token",
    "client_secret": "sandbox-shopify-client-secret",
    "api_version": DEFAULT_API_VERSION,
    "location_id": "1",
}
SHOP_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

# Shopify ids are 64-bit integers well past 2**32; the sandbox's start in the same range.
ORDER_ID_BASE = 5_500_000_000_000
LINE_ID_BASE = 13_600_000_000_000
PRODUCT_ID_BASE = 8_100_000_000_000
VARIANT_ID_BASE = 44_800_000_000_000
INVENTORY_ITEM_ID_BASE = 46_900_000_000_000
CUSTOMER_ID_BASE = 7_200_000_000_000
FULFILLMENT_ORDER_ID_BASE = 6_300_000_000_000
FULFILLMENT_LINE_ID_BASE = 14_100_000_000_000
FULFILLMENT_ID_BASE = 5_900_000_000_000
FULFILLMENT_ORDERS = re.compile(r"orders/\d+/fulfillment_orders")
FIRST_ORDER_NUMBER = 1001

# Shopify retries a delivery that did not get a 2xx 8 times over 4 hours with exponential backoff
# (PROTOCOLS.md 1.1). The exact spacing is Shopify's own; this is 8 doublings that add up to 4 hours.
RETRY_DELAYS = tuple(14400 / 255 * 2**n for n in range(8))

PATH = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2})/(?P<resource>[a-z_/0-9]+)\.json$")
SORTS = {"id", "created_at", "updated_at"}
PAGE_INFO_COMPANIONS = {"limit", "fields", "page_info"}

FAMILY_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋"
GIVEN_NAMES = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀兰", "霞", "平", "刚", "桂英", "子涵", "一诺", "欣怡", "梓轩", "浩然", "雨桐", "宇航",
)  # fmt: skip
# (province, Shopify's province code, city, postcode, districts, streets)
ADDRESSES = (
    ("上海市", "SH", "上海市", "200120", ("浦东新区", "徐汇区", "静安区"), ("世纪大道", "漕溪北路", "南京西路")),
    ("北京市", "BJ", "北京市", "100020", ("朝阳区", "海淀区", "东城区"), ("建国路", "中关村大街", "东直门内大街")),
    ("浙江省", "ZJ", "杭州市", "310012", ("西湖区", "滨江区", "余杭区"), ("文三路", "江南大道", "文一西路")),
    ("广东省", "GD", "深圳市", "518057", ("南山区", "福田区", "宝安区"), ("科技园南路", "深南大道", "新安六路")),
    ("广东省", "GD", "广州市", "510623", ("天河区", "越秀区", "海珠区"), ("天河路", "中山五路", "新港中路")),
    ("江苏省", "JS", "南京市", "210005", ("玄武区", "鼓楼区", "建邺区"), ("中山路", "北京西路", "江东中路")),
    ("四川省", "SC", "成都市", "610041", ("武侯区", "锦江区", "高新区"), ("人民南路", "春熙路", "天府大道")),
    ("湖北省", "HB", "武汉市", "430071", ("武昌区", "江汉区", "洪山区"), ("中南路", "解放大道", "珞喻路")),
)  # fmt: skip
SHIPPING = (
    {"code": "standard", "title": "标准快递", "price": "0.00"},
    {"code": "sf", "title": "顺丰速运", "price": "12.00"},
)


def shop_time(moment: datetime) -> str:
    """A time as Shopify writes it: seconds, the shop's offset (``2024-07-01T12:00:00+08:00``)."""
    return moment.astimezone(SHOP_TZ).replace(microsecond=0).isoformat()


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SHOP_TZ)


def _encode_cursor(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str) -> dict | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _is_sort_key(value: object) -> bool:
    """A cursor's position: ``[sort value, id]``, both numbers."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(part, int | float) and not isinstance(part, bool) for part in value)
    )


def _invalid(name: str) -> SimResponse:
    return SimResponse.json(400, {"errors": {name: "Invalid value."}})


NOT_FOUND = {"errors": "Not Found"}


class ShopifySimulator:
    """The shop of one sandbox connection. ``clock`` (seconds since the epoch) drives the call bucket
    and the orders' times; ``seed`` makes the demo orders repeatable."""

    created_topic = "orders/create"
    retry_delays = RETRY_DELAYS

    def __init__(self, connection: Connection, *, seed: int | None = None, clock: Callable[[], float] = time.time):
        credentials = shop_credentials(connection)
        self.connection = connection
        self.shop_domain = str(credentials["shop_domain"])
        self.access_token = SANDBOX_CREDENTIALS["access_token"]
        self.client_secret = str(credentials["client_secret"])
        self.api_version = str(credentials.get("api_version") or DEFAULT_API_VERSION)
        self.location_id = SANDBOX_CREDENTIALS["location_id"]
        self.base_url = f"https://{self.shop_domain}"
        self.random = random.Random(seed)
        self.clock = clock

    # -- HTTP ---------------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        match = PATH.match(request.path)
        if match is None:
            return SimResponse.json(404, NOT_FOUND)
        if request.headers.get("X-Shopify-Access-Token") != self.access_token:
            return SimResponse.json(401, {"errors": INVALID_TOKEN})
        used = self.bucket_take()
        if used is None:
            return SimResponse.json(
                429,
                {"errors": THROTTLED},
                {"Retry-After": RETRY_AFTER, "X-Shopify-Shop-Api-Call-Limit": f"{BUCKET_SIZE}/{BUCKET_SIZE}"},
            )
        answer = self.route(request, match["resource"], match["version"])
        return SimResponse(
            answer.status,
            answer.body,
            {**answer.headers, "X-Shopify-Shop-Api-Call-Limit": f"{used}/{BUCKET_SIZE}"},
        )

    def route(self, request: SimRequest, resource: str, version: str) -> SimResponse:
        method = request.method.upper()
        if method == "GET" and resource == "shop":
            return SimResponse.json(200, {"shop": self.shop_json()})
        if method == "GET" and resource == "orders":
            return self.orders_list(request, version)
        if method == "GET" and resource.startswith("orders/") and resource[7:].isdigit():
            order = self.order(int(resource[7:]))
            return SimResponse.json(200, {"order": order}) if order else SimResponse.json(404, NOT_FOUND)
        if method == "GET" and resource == "products":
            return self.products_list(request, version)
        if method == "GET" and resource == "locations":
            return SimResponse.json(200, {"locations": [self.location_json()]})
        if method == "POST" and resource == "inventory_levels/set":
            return self.inventory_set(request)
        if method == "GET" and FULFILLMENT_ORDERS.fullmatch(resource):
            order = self.order(resource.split("/")[1])
            return (
                SimResponse.json(200, {"fulfillment_orders": [self.fulfillment_order_json(order)]})
                if order
                else SimResponse.json(404, NOT_FOUND)
            )
        if method == "POST" and resource == "fulfillments":
            return self.fulfillment_create(request)
        return SimResponse.json(404, NOT_FOUND)

    def bucket_take(self) -> int | None:
        """One call into the shop's leaky bucket: the calls now in it, or ``None`` when it is full."""
        now = self.clock()
        with transaction.atomic():
            record = self.state_record("call_bucket")
            level = max(
                0.0, float(record.data.get("level", 0)) - (now - float(record.data.get("at", now))) * LEAK_PER_SECOND
            )
            if level + 1 > BUCKET_SIZE:
                record.data = {"level": level, "at": now}
                record.save(update_fields=["data", "updated_at"])
                return None
            level += 1
            record.data = {"level": level, "at": now}
            record.save(update_fields=["data", "updated_at"])
        return min(BUCKET_SIZE, math.ceil(level))

    def state_record(self, key: str) -> SandboxRecord:
        """The locked ``state`` row ``key`` (call inside a transaction)."""
        SandboxRecord.objects.get_or_create(connection=self.connection, kind=STATE, key=key)
        return SandboxRecord.objects.select_for_update().get(connection=self.connection, kind=STATE, key=key)

    # -- resources ----------------------------------------------------------------------------

    def shop_json(self) -> dict:
        name = self.shop_domain.split(".", 1)[0]
        return {
            "id": 90_000_000_000 + self.connection.pk,
            "name": name,
            "email": f"owner@{name}.example",
            "domain": self.shop_domain,
            "myshopify_domain": self.shop_domain,
            "country_code": "CN",
            "currency": "CNY",
            "iana_timezone": "Asia/Shanghai",
            "timezone": "(GMT+08:00) Asia/Shanghai",
            "plan_name": "partner_test",
            "primary_location_id": int(self.location_id),
        }

    def location_json(self) -> dict:
        return {"id": int(self.location_id), "name": "上海主仓", "active": True, "country_code": "CN"}

    def orders_list(self, request: SimRequest, version: str) -> SimResponse:
        orders = [record.data for record in SandboxRecord.objects.filter(connection=self.connection, kind=ORDER)]
        return self.paged(request, version, "orders", orders, self.order_filters, self.order_matches)

    def order_filters(self, request: SimRequest) -> dict | SimResponse:
        filters: dict[str, Any] = {}
        status = request.param("status", "open")
        if status not in ("open", "closed", "cancelled", "any"):
            return _invalid("status")
        filters["status"] = status
        for name in ("updated_at_min", "updated_at_max", "created_at_min", "created_at_max"):
            value = request.param(name)
            if value:
                moment = _parse_time(value)
                if moment is None:
                    return _invalid(name)
                filters[name] = moment.timestamp()
        financial = request.param("financial_status", "any")
        filters["financial_status"] = financial
        since = request.param("since_id")
        if since:
            if not since.isdigit():
                return _invalid("since_id")
            filters["since_id"] = int(since)
        return filters

    @staticmethod
    def order_matches(order: dict, filters: dict) -> bool:
        status = filters.get("status", "any")
        if status == "open" and (order.get("closed_at") or order.get("cancelled_at")):
            return False
        if status == "closed" and not order.get("closed_at"):
            return False
        if status == "cancelled" and not order.get("cancelled_at"):
            return False
        financial = filters.get("financial_status", "any")
        if financial != "any" and order.get("financial_status") != financial:
            return False
        if "since_id" in filters and int(order["id"]) <= filters["since_id"]:
            return False
        for field in ("updated_at", "created_at"):
            moment = datetime.fromisoformat(order[field]).timestamp()
            if f"{field}_min" in filters and moment < filters[f"{field}_min"]:
                return False
            if f"{field}_max" in filters and moment > filters[f"{field}_max"]:
                return False
        return True

    def products_list(self, request: SimRequest, version: str) -> SimResponse:
        products = [self.product_json(record.data) for record in self.inventory_records()]
        return self.paged(request, version, "products", products, lambda request: {}, lambda item, filters: True)

    def product_json(self, item: dict) -> dict:
        return {
            "id": item["product_id"],
            "title": item["title"],
            "handle": item["sku"].lower(),
            "status": "active",
            "vendor": self.shop_domain.split(".", 1)[0],
            "created_at": item["created_at"],
            "updated_at": item["updated_at"],
            "variants": [
                {
                    "id": item["variant_id"],
                    "product_id": item["product_id"],
                    "title": "Default Title",
                    "sku": item["sku"],
                    "price": item["price"],
                    "position": 1,
                    "inventory_item_id": item["inventory_item_id"],
                    "inventory_management": "shopify",
                    "inventory_quantity": item.get("available") or 0,
                }
            ],
        }

    def paged(
        self,
        request: SimRequest,
        version: str,
        resource: str,
        items: list[dict],
        read_filters: Callable[[SimRequest], dict | SimResponse],
        matches: Callable[[dict, dict], bool],
    ) -> SimResponse:
        """One page of ``items`` (ordered, filtered) with its ``Link`` header, the way Shopify pages."""
        limit_text = request.param("limit", str(DEFAULT_LIMIT))
        if not limit_text.isdigit() or not 0 < int(limit_text) <= MAX_LIMIT:
            return _invalid("limit")
        limit = int(limit_text)
        token = request.param("page_info")
        position: dict | None = None
        if token:
            extra = sorted(set(request.query) - PAGE_INFO_COMPANIONS)
            if extra:
                return SimResponse.json(
                    400,
                    {
                        "errors": f"{extra[0]} cannot be passed when page_info is present. "
                        "See https://shopify.dev/api/usage/pagination-rest for more information."
                    },
                )
            position = _decode_cursor(token)
            if (
                position is None
                or position.get("resource") != resource
                or position.get("direction") not in ("next", "previous")
                or not _is_sort_key(position.get("after"))
                or not isinstance(position.get("order", "id asc"), str)
                or not isinstance(position.get("filters", {}), dict)
            ):
                return SimResponse.json(400, {"errors": {"page_info": "Invalid value."}})
            filters, sort = position.get("filters", {}), position.get("order", "id asc")
        else:
            read = read_filters(request)
            if isinstance(read, SimResponse):
                return read
            filters, sort = read, request.param("order", "id asc")
        field, _, direction = sort.partition(" ")
        if field not in SORTS or direction not in ("asc", "desc"):
            return _invalid("order")

        def key(item: dict) -> list:
            value = item[field] if field == "id" else datetime.fromisoformat(item[field]).timestamp()
            return [value, item["id"]]

        try:
            kept = [item for item in items if matches(item, filters)]
        except (TypeError, ValueError, KeyError):  # filters from a page_info made by hand
            return SimResponse.json(400, {"errors": {"page_info": "Invalid value."}})
        ordered = sorted(kept, key=key, reverse=direction == "desc")
        keys = [key(item) for item in ordered]
        start, stop = 0, min(limit, len(ordered))
        if position is not None and position["direction"] == "next":
            start = next((i for i, k in enumerate(keys) if self.beyond(k, position["after"], direction)), len(keys))
            stop = min(start + limit, len(ordered))
        elif position is not None:
            stop = next((i for i, k in enumerate(keys) if not self.before(k, position["after"], direction)), len(keys))
            start = max(0, stop - limit)
        page = ordered[start:stop]
        fields = [name for name in request.param("fields").split(",") if name]
        body = [{name: item[name] for name in fields if name in item} if fields else item for item in page]

        links = []
        base = f"{self.base_url}/admin/api/{version}/{resource}.json?limit={limit}"
        if fields:
            base += f"&fields={','.join(fields)}"
        shared = {"resource": resource, "filters": filters, "order": sort}
        if page and start > 0:
            cursor = _encode_cursor({**shared, "direction": "previous", "after": key(page[0])})
            links.append(f'<{base}&page_info={cursor}>; rel="previous"')
        if page and stop < len(ordered):
            cursor = _encode_cursor({**shared, "direction": "next", "after": key(page[-1])})
            links.append(f'<{base}&page_info={cursor}>; rel="next"')
        headers = {"Link": ", ".join(links)} if links else {}
        return SimResponse.json(200, {resource: body}, headers)

    @staticmethod
    def beyond(key: list, mark: list, direction: str) -> bool:
        return key > mark if direction == "asc" else key < mark

    @staticmethod
    def before(key: list, mark: list, direction: str) -> bool:
        return key < mark if direction == "asc" else key > mark

    def inventory_set(self, request: SimRequest) -> SimResponse:
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return SimResponse.json(400, {"errors": "Invalid JSON in request body."})
        if not isinstance(payload, dict):
            return SimResponse.json(400, {"errors": "Invalid JSON in request body."})
        for name in ("location_id", "inventory_item_id", "available"):
            value = payload.get(name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                and not (isinstance(value, str) and value.isdigit())
            ):
                return SimResponse.json(400, {"errors": {name: "Required parameter missing or invalid"}})
        if str(payload["location_id"]) != self.location_id:
            return SimResponse.json(404, NOT_FOUND)
        with transaction.atomic():
            record = (
                SandboxRecord.objects.select_for_update()
                .filter(
                    connection=self.connection,
                    kind=INVENTORY,
                    data__inventory_item_id=int(payload["inventory_item_id"]),
                )
                .first()
            )
            if record is None:
                return SimResponse.json(404, NOT_FOUND)
            now = shop_time(self.now())
            record.data = {**record.data, "available": int(payload["available"]), "updated_at": now}
            record.save(update_fields=["data", "updated_at"])
        level = {
            "inventory_item_id": record.data["inventory_item_id"],
            "location_id": int(self.location_id),
            "available": record.data["available"],
            "updated_at": now,
            "admin_graphql_api_id": (
                f"gid://shopify/InventoryLevel/{self.location_id}?inventory_item_id={record.data['inventory_item_id']}"
            ),
        }
        return SimResponse.json(200, {"inventory_level": level})

    # -- fulfillments (the tracking-number write-back) ----------------------------------------

    def fulfillment_order_json(self, order: dict) -> dict:
        """The order's one fulfillment order at the shop's location: a line item per order line with
        what is left to fulfil; ``closed`` once nothing is."""
        items = [
            {
                "id": FULFILLMENT_LINE_ID_BASE + (item["id"] - LINE_ID_BASE),
                "shop_id": 90_000_000_000 + self.connection.pk,
                "fulfillment_order_id": FULFILLMENT_ORDER_ID_BASE + (order["id"] - ORDER_ID_BASE),
                "line_item_id": item["id"],
                "inventory_item_id": None,
                "quantity": item["quantity"],
                "fulfillable_quantity": item["fulfillable_quantity"],
                "variant_id": item["variant_id"],
            }
            for item in order["line_items"]
        ]
        left = any(item["fulfillable_quantity"] > 0 for item in items)
        return {
            "id": FULFILLMENT_ORDER_ID_BASE + (order["id"] - ORDER_ID_BASE),
            "shop_id": 90_000_000_000 + self.connection.pk,
            "order_id": order["id"],
            "assigned_location_id": int(self.location_id),
            "request_status": "unsubmitted",
            "status": "open" if left else "closed",
            "supported_actions": ["create_fulfillment"] if left else [],
            "line_items": items,
            "created_at": order["created_at"],
            "updated_at": order["updated_at"],
        }

    def fulfillment_create(self, request: SimRequest) -> SimResponse:
        """``POST fulfillments.json`` with ``line_items_by_fulfillment_order``: 201 and the fulfillment;
        422 for a closed fulfillment order or a quantity over what is left [Shopify's 422 texts as seen
        in public integrations; unverified]."""
        try:
            payload = json.loads(request.body or b"{}")
            wanted = payload["fulfillment"]["line_items_by_fulfillment_order"]
            tracking = payload["fulfillment"].get("tracking_info") or {}
            if not isinstance(wanted, list) or not wanted or not isinstance(tracking, dict):
                raise TypeError
            plan = [
                (
                    int(group["fulfillment_order_id"]),
                    [(int(i["id"]), int(i["quantity"])) for i in group.get("fulfillment_order_line_items") or []],
                )
                for group in wanted
            ]
        except (ValueError, KeyError, TypeError):
            return SimResponse.json(400, {"errors": {"fulfillment": "Required parameter missing or invalid"}})
        order_id = ORDER_ID_BASE + (plan[0][0] - FULFILLMENT_ORDER_ID_BASE)
        order = self.order(order_id)
        if order is None or any(fo_id != plan[0][0] for fo_id, _ in plan):
            return SimResponse.json(404, NOT_FOUND)
        fulfillment_order = self.fulfillment_order_json(order)
        if fulfillment_order["status"] != "open":
            return SimResponse.json(
                422, {"errors": [f"Fulfillment order {fulfillment_order['id']} has an unfulfillable status= closed."]}
            )
        left = {item["id"]: item for item in fulfillment_order["line_items"]}
        units: dict[int, int] = {}
        for _fo, items in plan:
            for item_id, quantity in items or [
                (item_id, item["fulfillable_quantity"]) for item_id, item in left.items()
            ]:
                if item_id not in left or not 0 < quantity <= left[item_id]["fulfillable_quantity"] - units.get(
                    item_id, 0
                ):
                    return SimResponse.json(
                        422, {"errors": ["Invalid fulfillment order line item quantity requested."]}
                    )
                units[item_id] = units.get(item_id, 0) + quantity
        line_items = []
        for item in order["line_items"]:
            taken = units.get(FULFILLMENT_LINE_ID_BASE + (item["id"] - LINE_ID_BASE), 0)
            if taken:
                item["fulfillable_quantity"] -= taken
                item["fulfillment_status"] = "fulfilled" if item["fulfillable_quantity"] == 0 else "partial"
                line_items.append({**item, "quantity": taken})
        number = str(tracking.get("number") or "")
        fulfillment = {
            "id": FULFILLMENT_ID_BASE + self.sequence_take("fulfillment", 1),
            "order_id": order["id"],
            "status": "success",
            "service": "manual",
            "location_id": int(self.location_id),
            "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
            "created_at": shop_time(self.now()),
            "updated_at": shop_time(self.now()),
            "tracking_company": tracking.get("company"),
            "tracking_number": number or None,
            "tracking_numbers": [number] if number else [],
            "tracking_url": tracking.get("url"),
            "tracking_urls": [tracking["url"]] if tracking.get("url") else [],
            "line_items": line_items,
        }
        done = all(item["fulfillable_quantity"] == 0 for item in order["line_items"])
        self.orders_update(
            order["id"],
            line_items=order["line_items"],
            fulfillments=[*order["fulfillments"], fulfillment],
            fulfillment_status="fulfilled" if done else "partial",
        )
        return SimResponse.json(201, {"fulfillment": fulfillment})

    # -- the shop's state, for demos and tests --------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def order(self, order_id: int | str) -> dict | None:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=ORDER, key=str(order_id)).first()
        return record.data if record else None

    def orders_all(self) -> list[dict]:
        records = SandboxRecord.objects.filter(connection=self.connection, kind=ORDER)
        return sorted((record.data for record in records), key=lambda order: order["id"])

    def inventory(self, sku: str) -> dict | None:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=INVENTORY, key=sku).first()
        return record.data if record else None

    def inventory_records(self) -> list[SandboxRecord]:
        return list(SandboxRecord.objects.filter(connection=self.connection, kind=INVENTORY).order_by("seq"))

    def sequence_take(self, name: str, count: int) -> int:
        """Reserves ``count`` numbers of the sequence ``name`` for this shop; returns the first."""
        with transaction.atomic():
            record = self.state_record("sequences")
            first = int(record.data.get(name, 0)) + 1
            record.data = {**record.data, name: first + count - 1}
            record.save(update_fields=["data", "updated_at"])
        return first

    def products_ensure(self, skus: Iterable[str]) -> list[dict]:
        """The shop sells ``skus``: one product with one variant each, titled and priced as in the
        order centre's catalog (a SKU it does not know gets its SKU as title and 99.00)."""
        wanted = list(dict.fromkeys(skus))
        known = {record.key: record.data for record in self.inventory_records() if record.key in wanted}
        missing = [sku for sku in wanted if sku not in known]
        if missing:
            catalog = products_by_sku(missing)
            first = self.sequence_take("product", len(missing))
            now = shop_time(self.now())
            created = []
            for offset, sku in enumerate(missing):
                product = catalog.get(sku)
                number = first + offset
                created.append(
                    SandboxRecord(
                        connection=self.connection,
                        kind=INVENTORY,
                        key=sku,
                        data={
                            "sku": sku,
                            "title": product.title if product else sku,
                            "price": str(product.price) if product else "99.00",
                            "grams": product.weight_grams if product else 0,
                            "product_id": PRODUCT_ID_BASE + number,
                            "variant_id": VARIANT_ID_BASE + number,
                            "inventory_item_id": INVENTORY_ITEM_ID_BASE + number,
                            "available": None,
                            "created_at": now,
                            "updated_at": now,
                        },
                    )
                )
            SandboxRecord.objects.bulk_create(created, ignore_conflicts=True)
            known.update({record.key: record.data for record in self.inventory_records() if record.key in missing})
        return [known[sku] for sku in wanted]

    def orders_create(
        self, count: int, skus: Iterable[str] | None = None, *, financial_status: str = "paid"
    ) -> list[dict]:
        """``count`` new orders of 1–3 lines each, stored in the shop and returned as Shopify's JSON.

        SKUs are drawn from ``skus``, or else from the order centre's active products in stock (none
        is an error: there would be nothing to sell).
        """
        if count < 1:
            return []
        if skus is None:
            skus = skus_in_stock(limit=200, at_least=3)
            if not skus:
                raise ValueError("the catalog has no active products in stock: add some, or give the SKUs to sell")
        items = self.products_ensure(skus)
        if not items:
            raise ValueError("no SKUs to sell")
        first = self.sequence_take("order", count)
        first_line = self.sequence_take("line", count * 3)
        now = shop_time(self.now())
        orders = []
        for offset in range(count):
            number = first + offset
            chosen = self.random.sample(items, k=min(len(items), self.random.randint(1, 3)))
            lines = [
                (item, self.random.randint(1, 2), first_line + offset * 3 + index) for index, item in enumerate(chosen)
            ]
            orders.append(self.order_json(number, lines, now, financial_status))
        SandboxRecord.objects.bulk_create(
            [
                SandboxRecord(connection=self.connection, kind=ORDER, key=str(order["id"]), data=order)
                for order in orders
            ]
        )
        return orders

    def order_json(self, number: int, lines: list[tuple[dict, int, int]], now: str, financial_status: str) -> dict:
        """One order as Shopify writes it (the shape of shopify_python_api's ``order.json`` fixture)."""
        rng = self.random
        family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        province, province_code, city, postcode, districts, streets = rng.choice(ADDRESSES)
        district = rng.choice(districts)
        phone = f"+861{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
        email = f"buyer{number}@example.com"
        order_id = ORDER_ID_BASE + number
        address = {
            "first_name": given,
            "last_name": family,
            "name": f"{family}{given}",
            "address1": f"{district}{rng.choice(streets)}{rng.randint(1, 999)}号",
            "address2": f"{rng.randint(1, 30)}栋{rng.randint(1, 30)}0{rng.randint(1, 6)}室",
            "city": city,
            "province": province,
            "province_code": province_code,
            "zip": postcode,
            "country": "China",
            "country_code": "CN",
            "phone": phone,
            "company": None,
            "latitude": None,
            "longitude": None,
        }
        line_items = []
        subtotal = Decimal("0.00")
        grams = 0
        for item, quantity, line_id in lines:
            subtotal += Decimal(item["price"]) * quantity
            grams += int(item.get("grams") or 0) * quantity
            line_items.append(
                {
                    "id": LINE_ID_BASE + line_id,
                    "variant_id": item["variant_id"],
                    "product_id": item["product_id"],
                    "title": item["title"],
                    "variant_title": None,
                    "name": item["title"],
                    "sku": item["sku"],
                    "vendor": None,
                    "quantity": quantity,
                    "fulfillable_quantity": quantity,
                    "price": item["price"],
                    "total_discount": "0.00",
                    "grams": int(item.get("grams") or 0),
                    "requires_shipping": True,
                    "taxable": True,
                    "gift_card": False,
                    "fulfillment_service": "manual",
                    "fulfillment_status": None,
                    "variant_inventory_management": "shopify",
                    "product_exists": True,
                    "properties": [],
                    "tax_lines": [],
                }
            )
        shipping: dict[str, Any] = dict(SHIPPING[0] if subtotal >= 99 else SHIPPING[1])
        shipping.update({"id": LINE_ID_BASE + lines[0][2] + 500_000_000, "source": "shopify", "tax_lines": []})
        total = subtotal + Decimal(shipping["price"])
        return {
            "id": order_id,
            "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
            "name": f"#{FIRST_ORDER_NUMBER - 1 + number}",
            "number": number,
            "order_number": FIRST_ORDER_NUMBER - 1 + number,
            "token": uuid.UUID(int=rng.getrandbits(128)).hex,
            "email": email,
            "phone": phone,
            "created_at": now,
            "updated_at": now,
            "processed_at": now,
            "closed_at": None,
            "cancelled_at": None,
            "cancel_reason": None,
            "confirmed": True,
            "test": True,
            "currency": "CNY",
            "presentment_currency": "CNY",
            "financial_status": financial_status,
            "fulfillment_status": None,
            "gateway": "manual",
            "payment_gateway_names": ["manual"],
            "source_name": "web",
            "source": None,
            "processing_method": "manual",
            "reference": None,
            "user_id": None,
            "location_id": None,
            "cart_token": uuid.UUID(int=rng.getrandbits(128)).hex,
            "checkout_token": None,
            "checkout_id": None,
            "landing_site": "/",
            "landing_site_ref": None,
            "referring_site": "",
            "browser_ip": None,
            "client_details": {
                "accept_language": "zh-CN",
                "browser_ip": None,
                "session_hash": None,
                "user_agent": None,
            },
            "buyer_accepts_marketing": False,
            "taxes_included": True,
            "total_price": f"{total:.2f}",
            "subtotal_price": f"{subtotal:.2f}",
            "total_line_items_price": f"{subtotal:.2f}",
            "total_tax": "0.00",
            "total_discounts": "0.00",
            "total_weight": grams,
            "discount_codes": [],
            "note": None,
            "note_attributes": [],
            "tags": "",
            "tax_lines": [],
            "line_items": line_items,
            "shipping_lines": [shipping],
            "billing_address": dict(address),
            "shipping_address": address,
            "customer": {
                "id": CUSTOMER_ID_BASE + number,
                "email": email,
                "phone": phone,
                "first_name": given,
                "last_name": family,
                "state": "disabled",
                "verified_email": True,
                "created_at": now,
                "updated_at": now,
                "tags": "",
                "currency": "CNY",
            },
            "fulfillments": [],
            "refunds": [],
        }

    def orders_update(self, order_id: int | str, **changes: Any) -> dict:
        """Changes top-level fields of a stored order and moves its ``updated_at`` on (at least one
        second past the last, so the order centre sees a newer view). ``cancelled_at=True`` or
        ``closed_at=True`` stamp the change's time. For example ``financial_status="paid"``,
        ``fulfillment_status="fulfilled"``, ``cancelled_at=True, cancel_reason="customer"``."""
        with transaction.atomic():
            record = (
                SandboxRecord.objects.select_for_update()
                .filter(connection=self.connection, kind=ORDER, key=str(order_id))
                .first()
            )
            if record is None:
                raise KeyError(f"the sandbox shop has no order {order_id}")
            order = dict(record.data)
            unknown = sorted(set(changes) - set(order))
            if unknown:
                raise ValueError(f"an order has no field {unknown[0]!r}")
            previous = datetime.fromisoformat(order["updated_at"])
            moment = shop_time(max(self.now(), previous + timedelta(seconds=1)))
            for name in ("cancelled_at", "closed_at"):
                if changes.get(name) is True:
                    changes[name] = moment
            if changes.get("cancelled_at") and "cancel_reason" not in changes and not order.get("cancel_reason"):
                changes["cancel_reason"] = "customer"
            order.update(changes)
            order["updated_at"] = moment
            record.data = order
            record.save(update_fields=["data", "updated_at"])
        return order

    def order_followup(self, order: dict) -> tuple[str, dict]:
        """A later change to ``order`` and the topic that announces it: a buyer's note (``orders/updated``)."""
        return "orders/updated", self.orders_update(order["id"], note="请尽快发货，谢谢")

    # -- webhooks -------------------------------------------------------------------------------

    def webhook(self, topic: str, order: dict, *, event_id: str | None = None, tamper: bool = False) -> WebhookCall:
        """A delivery of ``topic`` carrying ``order`` (or, for ``refunds/create``, the refund) as Shopify
        sends it: the raw JSON signed with the app's client secret and every ``X-Shopify-*`` header.

        ``event_id``: the event's id — pass an earlier delivery's to make a duplicate of it.
        ``tamper``: the body is changed after signing (its ``total_price``), so the signature no
        longer matches it, as with a forged or corrupted delivery.
        """
        body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
        signed = signature(self.client_secret, body)
        if tamper:
            changed = json.dumps({**order, "total_price": "0.01"}, ensure_ascii=False, separators=(",", ":")).encode()
            body = changed if changed != body else body + b" "
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signed,
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": str(uuid.UUID(int=self.random.getrandbits(128), version=4)),
            "X-Shopify-Event-Id": event_id or str(uuid.UUID(int=self.random.getrandbits(128), version=4)),
            "X-Shopify-Triggered-At": self.now().isoformat().replace("+00:00", "Z"),
        }
        return WebhookCall(headers=headers, body=body)
