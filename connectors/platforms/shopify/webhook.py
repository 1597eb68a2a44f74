"""Shopify webhooks: ``X-Shopify-Hmac-Sha256`` over the raw body, dedup on the event id.

Verification is base64(HMAC-SHA256(app client secret, raw body)) compared in constant time
(PROTOCOLS.md 1.1; shopify-app-js ``validateHmacString``). There is no timestamp window on this
path: a replay is caught by the dedup key — ``X-Shopify-Event-Id`` (the same event delivered
again, or to two subscriptions), else ``X-Shopify-Webhook-Id`` — under the topic.
The answer Shopify wants is any 2xx within 5 seconds; it retries 8 times over 4 hours otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from core.api.parsers import InvalidJson, json_loads

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from .mapping import channel_refund, inbound_order

ORDER_TOPICS = ("orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled")
REFUND_TOPICS = ("refunds/create",)
REQUIRED_HEADERS = ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id")


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class ShopifyInbound:
    topics: tuple[str, ...] = ORDER_TOPICS + REFUND_TOPICS

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        offered = request.headers.get("X-Shopify-Hmac-Sha256", "")
        if not offered:
            raise Rejected(
                401, "bad_signature", "X-Shopify-Hmac-Sha256 is missing.", {"header": "X-Shopify-Hmac-Sha256"}
            )
        expected = signature(credentials["client_secret"], request.body)
        if not hmac.compare_digest(expected.encode(), offered.encode()):
            raise Rejected(
                401,
                "bad_signature",
                "X-Shopify-Hmac-Sha256 does not match the body.",
                {"header": "X-Shopify-Hmac-Sha256"},
            )
        missing = [name for name in REQUIRED_HEADERS if not request.headers.get(name)]
        if missing:
            raise Rejected(400, "missing_headers", "Shopify's webhook headers are missing.", {"headers": missing})
        shop = request.headers.get("X-Shopify-Shop-Domain", "").lower()
        if shop != str(credentials["shop_domain"]).lower():
            raise Rejected(403, "wrong_shop", "The delivery is for another shop.", {"shop": shop})

    def topic(self, request: InboundRequest) -> str:
        return request.headers.get("X-Shopify-Topic", "")

    def dedup_key(self, request: InboundRequest) -> str:
        event = request.headers.get("X-Shopify-Event-Id")
        if event:
            return f"{self.topic(request)}:{event}"
        return f"webhook:{request.headers.get('X-Shopify-Webhook-Id', '')}"

    def parse(self, request: InboundRequest, connection) -> Parsed:
        topic = self.topic(request)
        try:
            payload = json_loads(request.body)
        except InvalidJson as exc:
            raise Rejected(400, exc.code, str(exc.message), exc.details) from None
        except ValueError as exc:
            raise Rejected(400, "malformed_json", "The body is not valid JSON.", {"body": str(exc)}) from None
        if topic in ORDER_TOPICS:
            return Parsed(topic=topic, orders=(inbound_order(payload),))
        if not isinstance(payload, dict):
            raise Rejected(400, "malformed_payload", "a JSON object is expected", {})
        if topic in REFUND_TOPICS:
            return Parsed(topic=topic, effects=(channel_refund(payload),))
        return Parsed(topic=topic, handled=False)

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, b"", "text/plain; charset=utf-8")
