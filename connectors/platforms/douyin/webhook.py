"""Douyin shop (抖店) message push (消息推送): the refunds the platform made, as refund requests.

The platform POSTs a JSON array of messages ``[{"tag": "206", "msg_id": "…", "data": "<JSON text>"}]``
to the app's callback URL, with the header ``event-sign`` = MD5 (lowercase hex) of ``app_key + raw
body + app_secret`` and ``app-id`` = the app key; it wants ``{"code": 0, "msg": "success"}`` back
and pushes again otherwise. The signature is checked over the raw bytes in constant time before
anything is parsed; a delivery is deduplicated on its messages' ``msg_id``s.

Tag ``206`` (退款成功消息, the money went back to the buyer) becomes a refund request recorded
``refunded`` with the ``channel`` method, keyed ``douyin:<aftersale_id>`` — so the same refund pushed
twice, or in two deliveries, makes one request. Its ``data`` carries ``p_id`` (the order, as the
order search names it: the order's external id), ``aftersale_id`` and ``refund_amount`` in fen
(shipping included). A refund of an order not yet polled fails the delivery, kept for replay.
Other tags are acknowledged without acting (orders arrive by the order search, ``poller``).

Sources (not in PROTOCOLS.md): the message envelope, the header and the signature from
zsmhub/doudian-sdk ``message/doudian_message.go`` and ``message/doudian_sign.go``; tag 206 and
its fields from the same SDK's ``message/退款成功消息.go`` (platform doc message-docs/31/121) and
bububa/jinritemai-go ``message/refund/refundSuccess.go`` (which agrees on the fields).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ...services.refunds import ChannelRefund
from ..marketplace import fen_to_yuan

REFUND_SUCCESS = "206"  # 退款成功消息
TOPIC_REFUND = "refund_success"
MAX_MESSAGES = 100


def message_sign(*, app_key: str, app_secret: str, body: bytes) -> str:
    return hashlib.md5(app_key.encode() + body + app_secret.encode()).hexdigest()  # noqa: S324 - the platform's


def _messages(body: bytes) -> list[dict[str, Any]]:
    try:
        messages = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Rejected(400, "malformed_json", "The body is not valid JSON.", {}) from None
    if not isinstance(messages, list) or not messages or len(messages) > MAX_MESSAGES:
        raise Rejected(400, "malformed_payload", f"a JSON array of 1 to {MAX_MESSAGES} messages is expected", {})
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("tag"), str):
            raise Rejected(400, "malformed_payload", "each message has a tag", {f"[{index}]": "tag"})
        if not isinstance(message.get("msg_id"), str) or not message["msg_id"]:
            raise Rejected(400, "malformed_payload", "each message has a msg_id", {f"[{index}]": "msg_id"})
    return messages


def _positive_id(data: Mapping[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdigit() or int(text) <= 0 or len(text) > 32:
        raise Rejected(400, "malformed_payload", f"{where}.{name} is not an id", {f"{where}.{name}": "an id"})
    return text


def channel_refund(message: Mapping[str, Any], where: str = "[0]") -> ChannelRefund:
    """A 206 message: the refund Douyin made (``already_refunded``), of its ``p_id`` order."""
    try:
        data = json.loads(message.get("data") or "")
    except (TypeError, ValueError):
        raise Rejected(400, "malformed_payload", f"{where}.data is not JSON text", {f"{where}.data": "JSON"}) from None
    if not isinstance(data, dict):
        raise Rejected(400, "malformed_payload", f"{where}.data is not an object", {f"{where}.data": "object"})
    aftersale_id = _positive_id(data, "aftersale_id", where)
    order_id = _positive_id(data, "p_id", where)
    try:
        amount = fen_to_yuan(data.get("refund_amount"))
    except ValueError:
        amount = None
    if amount is None or amount <= 0:
        field = f"{where}.refund_amount"
        raise Rejected(400, "malformed_payload", f"{field} is not an amount in fen", {field: "fen, more than 0"})
    return ChannelRefund(
        refund_id=aftersale_id, order_external_id=order_id, amount=amount, already_refunded=True, note="抖店退款成功"
    )


class DouyinInbound:
    topics: tuple[str, ...] = (TOPIC_REFUND,)

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        offered = request.headers.get("event-sign", "")
        if not offered:
            raise Rejected(401, "bad_signature", "event-sign is missing.", {"header": "event-sign"})
        expected = message_sign(
            app_key=str(credentials["app_key"]), app_secret=str(credentials["app_secret"]), body=request.body
        )
        if not hmac.compare_digest(expected.encode(), offered.strip().lower().encode()):
            raise Rejected(401, "bad_signature", "event-sign does not match the body.", {"header": "event-sign"})
        app_id = request.headers.get("app-id", "")
        if app_id and app_id != str(credentials["app_key"]):
            raise Rejected(403, "wrong_app", "The push is for another app.", {"app-id": app_id})

    def topic(self, request: InboundRequest) -> str:
        try:
            tags = sorted({str(m.get("tag")) for m in json.loads(request.body) if isinstance(m, dict) and m.get("tag")})
        except (ValueError, TypeError, UnicodeDecodeError):
            return ""
        return TOPIC_REFUND if REFUND_SUCCESS in tags else ",".join(str(t) for t in tags)[:100]

    def dedup_key(self, request: InboundRequest) -> str:
        try:
            ids = sorted(str(m.get("msg_id")) for m in json.loads(request.body) if isinstance(m, dict))
        except (ValueError, TypeError, UnicodeDecodeError):
            ids = []
        joined = ",".join(ids)
        return f"msg:{joined}" if len(joined) <= 180 else f"msgs:{hashlib.sha256(joined.encode()).hexdigest()}"

    def parse(self, request: InboundRequest, connection) -> Parsed:
        messages = _messages(request.body)
        effects = tuple(
            channel_refund(message, f"[{index}]")
            for index, message in enumerate(messages)
            if message["tag"] == REFUND_SUCCESS
        )
        topic = self.topic(request)
        return Parsed(topic=topic, effects=effects) if effects else Parsed(topic=topic, handled=False)

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, b'{"code":0,"msg":"success"}', "application/json")
