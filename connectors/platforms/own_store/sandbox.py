"""The own store's simulator: a fake shop that places orders and signs its webhooks as the real store must.

The own store offers Orderflow no API of its own; ``handle`` serves only the shipment callback
Orderflow defines for the write-back (``POST /orderflow/shipments``, signed like the store's
webhooks: doc.md) and answers 404 to anything else. What the simulator mostly does is make
deliveries: ``webhook(topic, order)`` signs one body with the connection's secret and the current
time exactly as doc.md describes, and ``orders_create(count)`` places new paid orders in the
fake shop (kept as ``SandboxRecord`` rows, so every process sees the same shop) and
returns them, each ready for ``webhook(created_topic, order)``.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from commerce.catalog.selectors import products_by_sku
from commerce.inventory.selectors import skus_in_stock
from commerce.orders import statuses

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from ...services.connections import connection_credentials
from ...signing import (
    SIGNATURE_FORMAT,
    TIMESTAMP_FORMAT,
    TOLERANCE_SECONDS,
    signature,
    signature_matches,
    timestamp_skew,
)
from .client import SANDBOX_CALLBACK_URL, SHIPMENT_EVENT
from .webhook import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

STORE_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_PRICE = Decimal("99.00")
MAX_ORDERS_AT_ONCE = 1_000
SHIPMENTS_PATH = urlsplit(SANDBOX_CALLBACK_URL).path
CATALOG_SAMPLE = 20  # orders_create picks from the first products of the catalog when no SKUs are named

NAMES = ("王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛")
ADDRESSES = (
    ("浙江省", "杭州市", "西湖区", "文三路 90 号 3 幢 501", "310012"),
    ("上海市", "上海市", "徐汇区", "漕溪北路 88 号 1203 室", "200030"),
    ("广东省", "深圳市", "南山区", "科技园南区 12 栋 8 楼", "518057"),
    ("四川省", "成都市", "武侯区", "天府大道北段 1700 号", "610041"),
    ("北京市", "北京市", "海淀区", "中关村大街 27 号 6 层", "100080"),
)


def _refuse(status: int, code: str, message: str) -> SimResponse:
    return SimResponse.json(status, {"code": code, "message": message})


class OwnStoreSimulator:
    base_url = "https://own-store.sandbox.invalid"
    created_topic = "order.created"

    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        self.connection = connection
        self.secret = str(connection_credentials(connection)["signing_secret"])
        self.clock = clock

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method == "POST" and request.path == SHIPMENTS_PATH:
            return self.shipment_callback(request)
        return SimResponse.json(
            404, {"code": "not_found", "message": "the own store takes only Orderflow's shipment callback"}
        )

    # --- the shipment callback (tracking-number write-back), as doc.md asks the store to check it
    def shipment_callback(self, request: SimRequest) -> SimResponse:
        """Checks the signature and timestamp like Orderflow checks the store's webhooks, then marks
        the lines shipped with the number; the order becomes ``shipped`` once every unit left. The
        same number for the same lines again is answered 200; another number for a shipped line 409."""
        sent_at = request.headers.get(TIMESTAMP_HEADER, "")
        offered = request.headers.get(SIGNATURE_HEADER, "")
        if not (TIMESTAMP_FORMAT.fullmatch(sent_at) and SIGNATURE_FORMAT.fullmatch(offered)):
            return _refuse(401, "bad_signature", "signature or timestamp header missing or malformed")
        if not signature_matches(self.secret, sent_at, request.body, offered):
            return _refuse(401, "bad_signature", "the signature does not match the body")
        if abs(timestamp_skew(sent_at, self.clock())) > TOLERANCE_SECONDS:
            return _refuse(401, "stale_timestamp", "the timestamp is more than 300 s off")
        if request.headers.get(EVENT_HEADER) != SHIPMENT_EVENT or not request.headers.get(EVENT_ID_HEADER):
            return _refuse(400, "unknown_event", f"{EVENT_HEADER} must be {SHIPMENT_EVENT} with an event id")
        try:
            shipment = json.loads(request.body)
            number, courier = str(shipment["tracking_no"]), str(shipment["courier"])
            lines = {str(line["sku"]): int(line["quantity"]) for line in shipment["lines"]}
            external_id = str(shipment["external_id"])
        except (ValueError, KeyError, TypeError):
            return _refuse(400, "malformed_payload", "external_id, tracking_no, courier and lines are required")
        if not number or not lines or any(quantity < 1 for quantity in lines.values()):
            return _refuse(400, "malformed_payload", "a tracking number and at least one line are required")
        record = SandboxRecord.objects.filter(connection=self.connection, kind="order", key=external_id).first()
        if record is None:
            return _refuse(404, "unknown_order", f"the store has no order {external_id}")
        order = dict(record.data)
        ordered = {line["sku"]: int(line["quantity"]) for line in order["lines"]}
        shipped: list[dict] = list(order.get("shipments") or [])
        if any(done["tracking_no"] == number and done["lines"] == lines for done in shipped):
            return SimResponse.json(200, {"received": True, "repeat": True})
        for sku, quantity in lines.items():
            already = sum(done["lines"].get(sku, 0) for done in shipped)
            if sku not in ordered or already + quantity > ordered[sku]:
                return _refuse(409, "already_shipped", f"{sku}: more units than the order has left to ship")
        shipped.append({"tracking_no": number, "courier": courier, "lines": lines})
        order["shipments"] = shipped
        left = {sku: ordered[sku] - sum(done["lines"].get(sku, 0) for done in shipped) for sku in ordered}
        if not any(left.values()):
            order["status"] = statuses.SHIPPED
        record.data = order
        record.save(update_fields=["data", "updated_at"])
        return SimResponse.json(200, {"received": True})

    def webhook(
        self, topic: str, order: Mapping, *, event_id: str | None = None, timestamp: int | None = None
    ) -> WebhookCall:
        """One signed delivery of ``order`` (the body's JSON) as event ``topic``, sent now (or at ``timestamp``)."""
        body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
        sent_at = str(int(self.clock()) if timestamp is None else timestamp)
        return WebhookCall(
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature(self.secret, sent_at, body),
                TIMESTAMP_HEADER: sent_at,
                EVENT_ID_HEADER: event_id or f"evt_{uuid.uuid4().hex}",
                EVENT_HEADER: topic,
            },
            body=body,
        )

    def orders_create(self, count: int, skus: Sequence[str] | None = None) -> list[dict]:
        """Places ``count`` paid orders of one to three lines from ``skus`` (default: the catalog's first
        products) in the fake shop; returns them (the body of their ``order.created`` delivery), in order.

        Deterministic for a connection: the n-th order the shop ever placed has the same lines,
        customer and address every time. A SKU that is not in the catalog is priced at 99.00 (to
        rehearse an unknown-SKU delivery).
        """
        if not 1 <= count <= MAX_ORDERS_AT_ONCE:
            raise ValueError(f"count must be from 1 to {MAX_ORDERS_AT_ONCE}")
        choices = list(skus) if skus else self._catalog_sample()
        if not choices:
            raise ValueError("the catalog has no active products: name the SKUs to order")
        prices = {sku: product.price for sku, product in products_by_sku(choices).items()}
        placed = SandboxRecord.objects.filter(connection=self.connection, kind="order").count()
        orders = []
        for number in range(placed + 1, placed + count + 1):
            order = self._order(number, choices, prices)
            SandboxRecord.objects.create(connection=self.connection, kind="order", key=order["external_id"], data=order)
            orders.append(order)
        return orders

    def _catalog_sample(self) -> list[str]:
        return skus_in_stock(limit=CATALOG_SAMPLE, at_least=3)

    def _order(self, number: int, skus: list[str], prices: Mapping[str, Decimal]) -> dict:
        rng = random.Random(f"own_store:{self.connection.pk}:{number}")
        now = datetime.fromtimestamp(int(self.clock()), tz=STORE_ZONE).isoformat()
        province, city, district, line, postcode = rng.choice(ADDRESSES)
        picked = rng.sample(skus, min(len(skus), rng.choice((1, 1, 1, 2, 3))))
        return {
            "external_id": f"SBX{self.connection.pk}-{number:06d}",
            "status": statuses.PAID,
            "updated_at": now,
            "placed_at": now,
            "paid_at": now,
            "customer": {"name": rng.choice(NAMES), "phone": f"138{rng.randrange(10**8):08d}"},
            "shipping_address": {
                "province": province,
                "city": city,
                "district": district,
                "line": line,
                "postcode": postcode,
            },
            "lines": [
                {
                    "sku": sku,
                    "quantity": rng.choice((1, 1, 2, 3)),
                    "unit_price": f"{prices.get(sku, DEFAULT_PRICE):.2f}",
                }
                for sku in picked
            ],
        }
