"""WeChat Pay API v3 for one merchant: transaction query, domestic refunds, refund query.

Every request carries the merchant's ``Authorization: WECHATPAY2-SHA256-RSA2048 …`` signature and
the explicit ``connectors.http.TIMEOUT``; every answer's ``Wechatpay-Signature`` is verified with
the platform public key before anything in it is believed (PROTOCOLS.md 3.2, 3.3). Amounts are
fen on the wire, yuan here.

Errors become ``ProviderError``: timeouts, connection errors, 429 and 5xx are retryable; an
unverifiable answer and other 4xx (WeChat Pay's ``code`` kept) are not.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from ..gateway import (
    CLOSED,
    NOT_FOUND,
    PAID,
    REFUND_FAILED,
    REFUND_PROCESSING,
    REFUND_SUCCEEDED,
    WAITING,
    GatewayRefund,
    GatewayTrade,
)
from . import signing

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
TRADE_STATES = {
    "SUCCESS": PAID,
    "REFUND": PAID,  # paid, then (partly) refunded
    "NOTPAY": WAITING,
    "USERPAYING": WAITING,
    "CLOSED": CLOSED,
    "REVOKED": CLOSED,
    "PAYERROR": CLOSED,
}
REFUND_STATES = {"SUCCESS": REFUND_SUCCEEDED, "PROCESSING": REFUND_PROCESSING}


def fen_to_yuan(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def yuan_to_fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def rfc3339(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def wechatpay_credentials(connection: Connection) -> dict[str, Any]:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


class WechatPayClient:
    def __init__(self, connection: Connection, session: requests.Session):
        credentials = wechatpay_credentials(connection)
        self.connection_id = connection.pk
        self.session = session
        self.mchid = str(credentials["mchid"])
        self.serial_no = str(credentials["merchant_serial_no"])
        self.base_url = str(credentials.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
        try:
            self.merchant_key = signing.private_key(str(credentials["merchant_private_key"]))
            self.platform_key = signing.public_key(str(credentials["platform_public_key"]))
        except signing.BadKey as exc:
            raise ProviderError(
                f"The WeChat Pay keys of this connection cannot be read ({exc}): paste the merchant API private key "
                "(apiclient_key.pem) and the WeChat Pay public key or platform certificate again.",
                retryable=False,
                code="bad_key",
            ) from None

    def __repr__(self) -> str:
        return f"WechatPayClient({self.mchid!r})"

    def trade(self, out_trade_no: str) -> GatewayTrade:
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}?mchid={quote(self.mchid)}"
        try:
            answer = self.request("GET", path)
        except ProviderError as exc:
            if exc.code in ("ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"):
                return GatewayTrade(out_trade_no, NOT_FOUND, exc.code)
            raise
        state = str(answer.get("trade_state", ""))
        amount = answer["amount"] if isinstance(answer.get("amount"), dict) else {}
        return GatewayTrade(
            out_trade_no=str(answer.get("out_trade_no") or out_trade_no),
            status=TRADE_STATES.get(state, WAITING),
            gateway_status=state,
            trade_no=str(answer.get("transaction_id", "")),
            amount=fen_to_yuan(amount.get("total")),
            paid_at=rfc3339(answer.get("success_time")) if answer.get("success_time") else None,
            raw=answer,
        )

    def refund(
        self, *, out_trade_no: str, out_request_no: str, amount: Decimal, total: Decimal, reason: str
    ) -> GatewayRefund:
        body = {
            "out_trade_no": out_trade_no,
            "out_refund_no": out_request_no,
            "reason": reason[:80],
            "amount": {"refund": yuan_to_fen(amount), "total": yuan_to_fen(total), "currency": "CNY"},
        }
        return self._refund(self.request("POST", "/v3/refund/domestic/refunds", body), out_request_no)

    def refund_status(self, *, out_trade_no: str, out_request_no: str) -> GatewayRefund:
        answer = self.request("GET", f"/v3/refund/domestic/refunds/{quote(out_request_no, safe='')}")
        return self._refund(answer, out_request_no)

    def _refund(self, answer: dict, out_request_no: str) -> GatewayRefund:
        amount = answer["amount"] if isinstance(answer.get("amount"), dict) else {}
        return GatewayRefund(
            out_request_no=str(answer.get("out_refund_no") or out_request_no),
            status=REFUND_STATES.get(str(answer.get("status", "")), REFUND_FAILED),
            refund_id=str(answer.get("refund_id", "")),
            amount=fen_to_yuan(amount.get("refund")),
            raw=answer,
        )

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Authorization": signing.authorization(
                mchid=self.mchid,
                serial_no=self.serial_no,
                key=self.merchant_key,
                method=method,
                path=path,
                timestamp=str(int(time.time())),
                body=data,
            ),
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method, self.base_url + path, data=data or None, headers=headers, timeout=TIMEOUT
            )
        except requests.Timeout:
            raise ProviderError("WeChat Pay did not answer in time.", retryable=True, code="timeout") from None
        except requests.ConnectionError as exc:
            raise ProviderError(f"WeChat Pay cannot be reached: {exc}", retryable=True, code="unreachable") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise ProviderError(
                f"WeChat Pay is busy ({response.status_code}).", retryable=True, code="provider_unavailable"
            )
        try:
            payload = response.json() if response.content else {}
        except ValueError:
            raise ProviderError(
                "WeChat Pay answered with something that is not JSON.", retryable=True, code="bad_answer"
            ) from None
        if response.status_code >= 400:
            code = str(payload.get("code", "rejected")) if isinstance(payload, dict) else "rejected"
            said = str(payload.get("message", "")) if isinstance(payload, dict) else ""
            raise ProviderError(
                f"WeChat Pay refused {method} {path.split('?')[0]}: {code} {said}", retryable=False, code=code
            )
        ok = signing.verify(
            self.platform_key,
            signing.message(
                response.headers.get("Wechatpay-Timestamp", ""),
                response.headers.get("Wechatpay-Nonce", ""),
                response.content,
            ),
            response.headers.get("Wechatpay-Signature", ""),
        )
        if not ok:
            raise ProviderError(
                "WeChat Pay's answer does not carry a valid signature: "
                "check the WeChat Pay public key of the connection.",
                retryable=False,
                code="bad_response_signature",
            )
        if not isinstance(payload, dict):
            raise ProviderError("WeChat Pay's answer is not an object.", retryable=True, code="bad_answer")
        return payload


def check(client: WechatPayClient) -> None:
    client.trade("ORDERFLOW-CONNECTION-TEST")
