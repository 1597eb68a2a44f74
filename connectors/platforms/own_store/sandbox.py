"""The own store's simulator: a fake shop that places orders and signs its webhooks as the real store must.

The own store offers Orderflow no API (it only sends webhooks), so ``handle`` answers 404 to any
call. What the simulator does is make deliveries: ``webhook(topic, order)`` signs one body with the
connection's secret and the current time exactly as doc.md describes, and ``orders_create(count)``
places new paid orders in the fake shop (kept as ``SandboxRecord`` rows, so every process sees
the same shop) and returns them, each ready for ``webhook(created_topic, order)``.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from commerce.catalog.selectors import products_by_sku
from commerce.inventory.selectors import skus_in_stock
from commerce.orders import statuses

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from ...services.connections import connection_credentials
from ...signing import signature
from .webhook import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

STORE_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_PRICE = Decimal("99.00")
MAX_ORDERS_AT_ONCE = 1_000
CATALOG_SAMPLE = 20  # orders_create picks from the first products of the catalog when no SKUs are named

NAMES = ("王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛")
ADDRESSES = (
    ("浙江省", "杭州市", "西湖区", "文三路 90 号 3 幢 501", "310012"),
    ("上海市", "上海市", "徐汇区", "漕溪北路 88 号 1203 室", "200030"),
    ("广东省", "深圳市", "南山区", "科技园南区 12 栋 8 楼", "518057"),
    ("四川省", "成都市", "武侯区", "天府大道北段 1700 号", "610041"),
    ("北京市", "北京市", "海淀区", "中关村大街 27 号 6 层", "100080"),
)


class OwnStoreSimulator:
    base_url = "https://own-store.sandbox.invalid"
    created_topic = "order.created"

    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        self.connection = connection
        self.secret = str(connection_credentials(connection)["signing_secret"])
        self.clock = clock

    def handle(self, request: SimRequest) -> SimResponse:
        return SimResponse.json(
            404, {"code": "not_found", "message": "the own store offers no API; it sends webhooks to Orderflow"}
        )

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
