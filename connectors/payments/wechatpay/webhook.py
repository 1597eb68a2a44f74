"""WeChat Pay v3 notifications: signed JSON with an encrypted resource, answered ``{"code":"SUCCESS"}``.

Verification first (PROTOCOLS.md 3.1): ``Wechatpay-Signature-Type`` must be
``WECHATPAY2-SHA256-RSA2048``; a ``WECHATPAY/SIGNTEST/`` signature is WeChat's probe and is refused
(401, and kept as a rejected delivery like any other); ``Wechatpay-Timestamp`` within 5 minutes of
now; ``Wechatpay-Serial`` the connection's platform serial when one is set; then the signature over
``timestamp\\nnonce\\nbody\\n`` with the platform public key. The resource is then decrypted with
the APIv3 key (AES-GCM). Dedup is on the notification ``id``.

``TRANSACTION.SUCCESS`` is acted on — double-checked with the transaction query before anything is
marked paid (``gateway.PaymentNotified``); other event types (refunds, pay-score…) are kept and
acknowledged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from core.api.parsers import InvalidJson, json_loads

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ..gateway import PaymentNotified, RefundNotified
from . import signing
from .client import fen_to_yuan

TRANSACTION_SUCCESS = "TRANSACTION.SUCCESS"
REFUND_EVENTS = ("REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED")  # each double-checked by a query
WINDOW_SECONDS = 300
HEADERS = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial")


def notification(body: bytes) -> dict:
    try:
        payload = json_loads(body)
    except InvalidJson as exc:
        raise Rejected(400, exc.code, str(exc.message), exc.details) from None
    except (ValueError, UnicodeDecodeError):
        raise Rejected(400, "malformed_json", "The notification is not valid JSON.", {}) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("resource"), dict):
        raise Rejected(400, "malformed_notification", "The notification has no resource object.", {})
    return payload


class WechatPayInbound:
    topics: tuple[str, ...] = (TRANSACTION_SUCCESS,)
    clock: Callable[[], float] = staticmethod(time.time)

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        headers = request.headers
        missing = [name for name in HEADERS if not headers.get(name)]
        if missing:
            raise Rejected(401, "bad_signature", "WeChat Pay's signature headers are missing.", {"headers": missing})
        if headers.get("Wechatpay-Signature-Type", signing.SIGNATURE_TYPE) != signing.SIGNATURE_TYPE:
            raise Rejected(
                401,
                "bad_signature",
                "Only WECHATPAY2-SHA256-RSA2048 is accepted.",
                {"header": "Wechatpay-Signature-Type"},
            )
        if headers["Wechatpay-Signature"].startswith(signing.PROBE_PREFIX):
            raise Rejected(401, "signature_probe", "A WeChat Pay signature probe: refused, as it should be.", {})
        try:
            stamp = int(headers["Wechatpay-Timestamp"])
        except ValueError:
            raise Rejected(401, "bad_timestamp", "Wechatpay-Timestamp is not a number.", {}) from None
        if abs(self.clock() - stamp) >= WINDOW_SECONDS:
            raise Rejected(401, "stale", "The notification is outside the 5-minute window.", {"timestamp": stamp})
        serial = str(credentials.get("platform_serial") or "")
        if serial and headers["Wechatpay-Serial"].upper() != serial.upper():
            raise Rejected(
                401,
                "unknown_serial",
                "The notification is signed with another key.",
                {"serial": headers["Wechatpay-Serial"]},
            )
        try:
            key = signing.public_key(str(credentials["platform_public_key"]))
        except signing.BadKey:
            raise Rejected(
                503, "bad_key", "This connection's WeChat Pay public key cannot be read; enter it again."
            ) from None
        data = signing.message(headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], request.body)
        if not signing.verify(key, data, headers["Wechatpay-Signature"]):
            raise Rejected(401, "bad_signature", "Wechatpay-Signature does not match the body.", {})

    def topic(self, request: InboundRequest) -> str:
        return str(notification(request.body).get("event_type", ""))

    def dedup_key(self, request: InboundRequest) -> str:
        return str(notification(request.body).get("id", ""))

    def resource(self, payload: dict, apiv3_key: str) -> dict:
        resource = payload["resource"]
        try:
            plain = signing.decrypt(
                apiv3_key,
                str(resource.get("nonce", "")),
                str(resource.get("ciphertext", "")),
                str(resource.get("associated_data") or ""),
            )
            decrypted = json_loads(plain)
        except InvalidJson as exc:
            raise Rejected(400, exc.code, str(exc.message), {"resource": exc.details}) from None
        except (signing.Undecryptable, ValueError):
            raise Rejected(
                400, "undecryptable", "The resource does not decrypt with the connection's APIv3 key.", {}
            ) from None
        if not isinstance(decrypted, dict):
            raise Rejected(400, "malformed_notification", "The decrypted resource is not an object.", {})
        return decrypted

    def parse(self, request: InboundRequest, connection) -> Parsed:
        from ...services.connections import connection_credentials

        payload = notification(request.body)
        topic = str(payload.get("event_type", ""))
        if not payload.get("id"):
            raise Rejected(400, "malformed_notification", "The notification has no id.", {})
        decrypted = self.resource(payload, str(connection_credentials(connection)["apiv3_key"]))
        if topic in REFUND_EVENTS:
            if not decrypted.get("out_refund_no") or not decrypted.get("out_trade_no"):
                raise Rejected(400, "malformed_notification", "The refund has no out_refund_no or out_trade_no.", {})
            refunded = RefundNotified(
                out_trade_no=str(decrypted["out_trade_no"]),
                out_request_no=str(decrypted["out_refund_no"]),
                notification={"id": payload["id"], "event_type": topic, "resource": decrypted},
            )
            return Parsed(topic=topic, effects=(refunded,))
        if topic != TRANSACTION_SUCCESS:
            return Parsed(topic=topic, handled=False)
        amount = decrypted["amount"] if isinstance(decrypted.get("amount"), dict) else {}
        if not decrypted.get("out_trade_no"):
            raise Rejected(400, "malformed_notification", "The transaction has no out_trade_no.", {})
        return Parsed(
            topic=topic,
            effects=(
                PaymentNotified(
                    out_trade_no=str(decrypted["out_trade_no"]),
                    notified_amount=fen_to_yuan(amount.get("total")),
                    notification={"id": payload["id"], "event_type": topic, "resource": decrypted},
                ),
            ),
        )

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, '{"code":"SUCCESS","message":"成功"}'.encode(), "application/json")
