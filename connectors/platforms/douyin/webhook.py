"""Douyin shop (抖店) message push (消息推送): the refunds the platform made, as refund requests.

The platform POSTs a JSON array of messages ``[{"tag": "206", "msg_id": "…", "data": "<JSON text>"}]``
to the app's callback URL, with the header ``event-sign`` = MD5 (lowercase hex) of ``app_key + raw
body + app_secret`` and ``app-id`` = the app key; it wants ``{"code": 0, "msg": "success"}`` back
and pushes again otherwise. The signature is checked over the raw bytes in constant time before
anything is parsed; a delivery is deduplicated on its messages' ``msg_id``s.

One after-sales case (售后单) is one refund request, keyed ``douyin:<aftersale_id>`` through its
whole life, so the same case pushed twice, or in two deliveries, or under two tags, is one request:

* tag ``200`` (买家发起售后申请消息, the buyer asked) files the request (``requested``; the approval
  policy decides, as for any request);
* tag ``206`` (退款成功消息, the money went back to the buyer) settles that request as refunded by
  the channel — or, when the application was never seen, records one ``refunded`` with the
  ``channel`` method;
* tag ``207`` (售后关闭消息, the case was closed: withdrawn, refused, timed out) cancels the request
  while it still waits for a decision.

Their ``data`` carries ``p_id`` (the order, as the order search names it: the order's external id),
``aftersale_id``, ``reason_code`` and ``refund_amount`` in fen (shipping included). A refund of an
order not yet polled fails the delivery, kept for replay. Other tags are acknowledged without
acting (orders arrive by the order search, ``poller``).

Sources (not in PROTOCOLS.md): the message envelope, the header and the signature from
zsmhub/doudian-sdk ``message/doudian_message.go`` and ``message/doudian_sign.go``; tag 206 and
its fields from the same SDK's ``message/退款成功消息.go`` (platform doc message-docs/31/121) and
bububa/jinritemai-go ``message/refund/refundSuccess.go`` (which agrees on the fields); tags 200 and
207 and their fields (``apply_time``, ``close_time`` instead of ``success_time``, the rest alike)
from ``message/买家发起售后申请消息.go`` (message-docs/31/115) and ``message/售后关闭消息.go``
(message-docs/31/122). [unverified] what ``reason_code`` numbers mean: the reason is ``other``,
the code kept in the note.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ...services.refunds import CLOSED, OPEN, SUCCEEDED, ChannelRefund
from ..marketplace import fen_to_yuan

AFTERSALE_REQUESTED = "200"  # 买家发起售后申请消息
REFUND_SUCCESS = "206"  # 退款成功消息
AFTERSALE_CLOSED = "207"  # 售后关闭消息
TOPIC_REFUND = "refund_success"
TOPIC_REQUESTED = "aftersale_requested"
TOPIC_CLOSED = "aftersale_closed"
# Each handled tag, its topic and what it says of the refund; a delivery's topic is its first here.
HANDLED = (
    (REFUND_SUCCESS, TOPIC_REFUND, SUCCEEDED),
    (AFTERSALE_CLOSED, TOPIC_CLOSED, CLOSED),
    (AFTERSALE_REQUESTED, TOPIC_REQUESTED, OPEN),
)
STATE_OF_TAG = {tag: state for tag, _topic, state in HANDLED}
NOTE_OF_STATE = {SUCCEEDED: "抖店退款成功", CLOSED: "抖店售后关闭", OPEN: "抖店买家发起售后"}
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
    """A 200, 206 or 207 message: the after-sales case of its ``p_id`` order, asked for, refunded by
    Douyin (``already_refunded``) or closed."""
    state = STATE_OF_TAG.get(str(message.get("tag")))
    if state is None:
        raise Rejected(400, "malformed_payload", f"{where}.tag is not an after-sales tag", {f"{where}.tag": "tag"})
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
    if amount is None or (amount <= 0 and state != CLOSED):
        field = f"{where}.refund_amount"
        raise Rejected(400, "malformed_payload", f"{field} is not an amount in fen", {field: "fen, more than 0"})
    code = data.get("reason_code")
    note = NOTE_OF_STATE[state]
    if isinstance(code, int) and not isinstance(code, bool):
        note += f"（reason_code={code}）"
    return ChannelRefund(
        refund_id=aftersale_id,
        order_external_id=order_id,
        amount=amount,
        already_refunded=state == SUCCEEDED,
        closed=state == CLOSED,
        note=note,
    )


class DouyinInbound:
    topics: tuple[str, ...] = tuple(topic for _tag, topic, _state in HANDLED)

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
        handled = [topic for tag, topic, _state in HANDLED if tag in tags]
        return handled[0] if handled else ",".join(str(t) for t in tags)[:100]

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
            if message["tag"] in STATE_OF_TAG
        )
        topic = self.topic(request)
        return Parsed(topic=topic, effects=effects) if effects else Parsed(topic=topic, handled=False)

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, b'{"code":0,"msg":"success"}', "application/json")
