"""WeChat Pay API v3 for one merchant: transaction query, domestic refunds, refund query.

Every request carries the merchant's ``Authorization: WECHATPAY2-SHA256-RSA2048 …`` signature and
the explicit ``connectors.http.TIMEOUT``; every answer's ``Wechatpay-Signature`` is verified with
the platform public key before anything in it is believed (PROTOCOLS.md 3.2, 3.3). Amounts are
fen on the wire, yuan here.

Errors become ``ProviderError``: timeouts, connection errors, 429 and 5xx are retryable; an
unverifiable answer and other 4xx (WeChat Pay's ``code`` kept) are not.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date, datetime
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
from . import bill as wechat_bill
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
        payer = answer["payer"] if isinstance(answer.get("payer"), dict) else {}
        return GatewayTrade(
            out_trade_no=str(answer.get("out_trade_no") or out_trade_no),
            status=TRADE_STATES.get(state, WAITING),
            gateway_status=state,
            trade_no=str(answer.get("transaction_id", "")),
            amount=fen_to_yuan(amount.get("total")),
            paid_at=rfc3339(answer.get("success_time")) if answer.get("success_time") else None,
            raw=answer,
            payer_appid=str(answer.get("appid") or ""),
            payer_openid=str(payer.get("openid") or ""),
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

    def bill(self, day: date) -> tuple[list[wechat_bill.WechatBillRow], dict]:
        """The trade bill of ``day`` (``bill_type=ALL``): the application's signed answer names the
        file and its SHA1; the file (downloaded with the merchant's signature, answered unsigned as
        WeChat Pay does) must hash to it, then its lines must add up to its summary line."""
        answer = self.request("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL")
        url = str(answer.get("download_url") or "")
        if not url.startswith(self.base_url + "/"):
            raise ProviderError("WeChat Pay named no bill download URL of its own.", retryable=True, code="bad_answer")
        if str(answer.get("hash_type", "")).upper() != "SHA1":
            raise ProviderError("WeChat Pay's bill carries no SHA1 hash.", retryable=False, code="bad_answer")
        response = self.send("GET", url[len(self.base_url) :])
        if hashlib.sha1(response.content).hexdigest() != str(answer.get("hash_value", "")).lower():
            raise ProviderError(
                "WeChat Pay's bill does not match the hash its application answered.",
                retryable=True,
                code="bill_hash_mismatch",
            )
        try:
            return wechat_bill.bill_parse(response.content)
        except wechat_bill.BillMalformed as exc:
            raise ProviderError(f"WeChat Pay's bill cannot be read: {exc}", retryable=False, code="bad_bill") from None

    def send(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        """One signed request; answers the response of a success (not yet verified), raises
        ``ProviderError`` for transport failures and refusals."""
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
        if response.status_code >= 400:
            try:
                payload = response.json() if response.content else {}
            except ValueError:
                raise ProviderError(
                    "WeChat Pay answered with something that is not JSON.", retryable=True, code="bad_answer"
                ) from None
            code = str(payload.get("code", "rejected")) if isinstance(payload, dict) else "rejected"
            said = str(payload.get("message", "")) if isinstance(payload, dict) else ""
            raise ProviderError(
                f"WeChat Pay refused {method} {path.split('?')[0]}: {code} {said}", retryable=False, code=code
            )
        return response

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        response = self.send(method, path, body)
        try:
            payload = response.json() if response.content else {}
        except ValueError:
            raise ProviderError(
                "WeChat Pay answered with something that is not JSON.", retryable=True, code="bad_answer"
            ) from None
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
