"""Alipay's asynchronous notify (``notify_url``): a signed form, answered with the 7 bytes ``success``.

Verification comes first (PROTOCOLS.md 2.1): the form-decoded parameters, ``sign`` and
``sign_type`` removed, sorted and joined, RSA2-verified with the connection's Alipay public key;
then the notify must be for the connection's app (``app_id``). Dedup is on ``notify_id``, which
Alipay keeps across its retries of one notification.

The only event type acted on is ``trade_status_sync``; a notify is never believed alone: its
effect (``gateway.PaymentNotified``) asks ``alipay.trade.query`` and confirms what the verified
answer says. Anything but ``success`` makes Alipay retry (8 times over ~25 hours).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from core.api.parsers import is_storable_text, printable_name

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ..gateway import PaymentNotified, RefundNotified
from . import signing
from .client import yuan

TRADE_STATUS_SYNC = signing.TRADE_STATUS_SYNC
REQUIRED = ("notify_id", "out_trade_no", "trade_status")


def form_params(body: bytes) -> dict[str, str]:
    """The form's parameters, each once; ``Rejected`` (400) for a body that is not a UTF-8 form."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "malformed_form", "The notify is not UTF-8 form data.", {}) from None
    if not text.strip():
        raise Rejected(400, "malformed_form", "The notify is empty.", {})
    try:
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise Rejected(400, "malformed_form", "The notify is not x-www-form-urlencoded.", {}) from None
    unstorable = sorted(
        printable_name(name)
        for name, values in parsed.items()
        if not is_storable_text(name) or not all(is_storable_text(value) for value in values)
    )
    if unstorable:
        raise Rejected(
            400, "invalid_text", "A form field holds a NUL character, which cannot be stored.", {"params": unstorable}
        )
    repeated = sorted(name for name, values in parsed.items() if len(values) != 1)
    if repeated:
        raise Rejected(400, "malformed_form", "A notify parameter is repeated.", {"params": repeated})
    return {name: values[0] for name, values in parsed.items()}


class AlipayInbound:
    topics: tuple[str, ...] = (TRADE_STATUS_SYNC,)

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        params = form_params(request.body)
        if not params.get("sign"):
            raise Rejected(401, "bad_signature", "The notify carries no sign.", {"param": "sign"})
        if params.get("sign_type", "RSA2") != "RSA2":
            raise Rejected(401, "bad_signature", "Only RSA2 signatures are accepted.", {"param": "sign_type"})
        try:
            key = signing.public_key(str(credentials["alipay_public_key"]))
        except signing.BadKey:
            raise Rejected(
                503, "bad_key", "This connection's Alipay public key cannot be read; enter it again."
            ) from None
        if not signing.notify_verify(params, key):
            raise Rejected(401, "bad_signature", "The notify's sign does not match its parameters.", {"param": "sign"})
        if params.get("app_id") != str(credentials["app_id"]):
            raise Rejected(403, "wrong_app", "The notify is for another Alipay app.", {"app_id": params.get("app_id")})

    def topic(self, request: InboundRequest) -> str:
        return form_params(request.body).get("notify_type", "")

    def dedup_key(self, request: InboundRequest) -> str:
        return form_params(request.body).get("notify_id", "")

    def parse(self, request: InboundRequest, connection) -> Parsed:
        params = form_params(request.body)
        topic = params.get("notify_type", "")
        if topic != TRADE_STATUS_SYNC:
            return Parsed(topic=topic, handled=False)
        missing = [name for name in REQUIRED if not params.get(name)]
        if missing:
            raise Rejected(400, "malformed_notify", "The notify lacks parameters.", {"params": missing})
        amount = yuan(params["total_amount"]) if params.get("total_amount") else None
        if params.get("total_amount") and amount is None:
            raise Rejected(400, "malformed_notify", "total_amount is not an amount.", {"param": "total_amount"})
        notified = {k: v for k, v in params.items() if k != "sign"}
        if params.get("out_biz_no") and params.get("refund_fee"):
            # A refund's notify (partial: TRADE_SUCCESS; full: TRADE_CLOSED): out_biz_no is the
            # refund's out_request_no, double-checked with alipay.trade.fastpay.refund.query.
            refunded = RefundNotified(
                out_trade_no=params["out_trade_no"], out_request_no=params["out_biz_no"], notification=notified
            )
            return Parsed(topic=topic, effects=(refunded,))
        return Parsed(
            topic=topic,
            effects=(
                PaymentNotified(out_trade_no=params["out_trade_no"], notified_amount=amount, notification=notified),
            ),
        )

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, b"success", "text/plain")
