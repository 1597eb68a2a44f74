"""Alipay's open-platform gateway for one merchant app: trade query, refund, refund query.

Every call is a form POST to the gateway (``gateway_url``, ``https://openapi.alipay.com/gateway.do``
by default) with the common parameters (PROTOCOLS.md 2.2) signed RSA2 with the app private key,
and the explicit ``connectors.http.TIMEOUT``. The answer's signature is verified with the Alipay
public key over the raw text of ``<method>_response`` before anything in it is believed.

Errors become ``ProviderError``: timeouts, connection errors, HTTP 5xx and Alipay's ``20000``
(service unavailable) are retryable; a refused signature, bad parameters (``40002``), business
failures (``40004``, with Alipay's ``sub_code``) and forbidden calls (``40006``) are not.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from ..gateway import (
    CLOSED,
    NOT_FOUND,
    PAID,
    REFUND_FAILED,
    REFUND_SUCCEEDED,
    WAITING,
    GatewayRefund,
    GatewayTrade,
)
from . import bill as alipay_bill
from . import signing

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_GATEWAY = "https://openapi.alipay.com/gateway.do"
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
SUCCESS = "10000"
UNAVAILABLE = "20000"
TRADE_STATUSES = {
    "TRADE_SUCCESS": PAID,
    "TRADE_FINISHED": PAID,
    "WAIT_BUYER_PAY": WAITING,
    "TRADE_CLOSED": CLOSED,
}
QUERY = "alipay.trade.query"
REFUND = "alipay.trade.refund"
REFUND_QUERY = "alipay.trade.fastpay.refund.query"
BILL_URL_QUERY = "alipay.data.dataservice.bill.downloadurl.query"


def china_time(value: str) -> datetime | None:
    """``2024-05-01 10:00:05`` (Beijing time, as Alipay writes it) → an aware datetime."""
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except (TypeError, ValueError):
        return None


def yuan(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def alipay_credentials(connection: Connection) -> dict[str, Any]:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


class AlipayClient:
    """One Alipay app's gateway through ``session`` (a sandbox connection's session reaches its simulator)."""

    def __init__(self, connection: Connection, session: requests.Session):
        credentials = alipay_credentials(connection)
        self.connection_id = connection.pk
        self.session = session
        self.app_id = str(credentials["app_id"])
        self.gateway_url = str(credentials.get("gateway_url") or DEFAULT_GATEWAY)
        self.notify_url = str(credentials.get("notify_url") or "")
        try:
            self.app_key = signing.private_key(str(credentials["app_private_key"]))
            self.alipay_key = signing.public_key(str(credentials["alipay_public_key"]))
        except signing.BadKey as exc:
            raise ProviderError(
                f"The Alipay keys of this connection cannot be read ({exc}): paste the app private key and "
                "Alipay's public key again (PEM, or the single base64 line the Alipay console shows).",
                retryable=False,
                code="bad_key",
            ) from None

    def __repr__(self) -> str:  # never the key
        return f"AlipayClient({self.app_id!r})"

    # -- the calls ---------------------------------------------------------------------------

    def trade(self, out_trade_no: str) -> GatewayTrade:
        """``alipay.trade.query``: the trade as Alipay holds it (``not_found`` when it has none)."""
        answer = self.call(QUERY, {"out_trade_no": out_trade_no}, allow={"ACQ.TRADE_NOT_EXIST"})
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return GatewayTrade(out_trade_no, NOT_FOUND, "TRADE_NOT_EXIST", raw=answer)
        gateway_status = str(answer.get("trade_status", ""))
        return GatewayTrade(
            out_trade_no=str(answer.get("out_trade_no") or out_trade_no),
            status=TRADE_STATUSES.get(gateway_status, WAITING),
            gateway_status=gateway_status,
            trade_no=str(answer.get("trade_no", "")),
            amount=yuan(answer.get("total_amount")),
            paid_at=china_time(str(answer.get("send_pay_date", ""))),
            raw=answer,
        )

    def refund(
        self, *, out_trade_no: str, out_request_no: str, amount: Decimal, total: Decimal, reason: str
    ) -> GatewayRefund:
        """``alipay.trade.refund`` under ``out_request_no``: the same number again refunds nothing more
        (Alipay answers ``fund_change: N``)."""
        answer = self.call(
            REFUND,
            {
                "out_trade_no": out_trade_no,
                "refund_amount": f"{amount:.2f}",
                "out_request_no": out_request_no,
                "refund_reason": reason[:256],
            },
        )
        return GatewayRefund(
            out_request_no=out_request_no,
            status=REFUND_SUCCEEDED,
            refund_id=str(answer.get("trade_no", "")),
            amount=yuan(answer.get("refund_fee")),
            money_moved=answer.get("fund_change") == "Y",
            raw=answer,
        )

    def refund_status(self, *, out_trade_no: str, out_request_no: str) -> GatewayRefund:
        """``alipay.trade.fastpay.refund.query``: ``REFUND_SUCCESS``, or no status (not made / failed)."""
        answer = self.call(REFUND_QUERY, {"out_trade_no": out_trade_no, "out_request_no": out_request_no})
        done = answer.get("refund_status") == "REFUND_SUCCESS"
        return GatewayRefund(
            out_request_no=out_request_no,
            status=REFUND_SUCCEEDED if done else REFUND_FAILED,
            refund_id=str(answer.get("trade_no", "")),
            amount=yuan(answer.get("refund_amount")),
            money_moved=False,
            raw=answer,
        )

    def bill(self, day: date) -> tuple[list[alipay_bill.AlipayBillRow], dict]:
        """The trade bill (业务明细) of ``day``: ``alipay.data.dataservice.bill.downloadurl.query``
        (signed both ways) names a short-lived download URL; the ZIP there is read and its lines
        checked against its own totals (``bill.bill_parse``). The download itself is not signed:
        it is believed because its URL came in a verified answer and expires within seconds."""
        answer = self.call(BILL_URL_QUERY, {"bill_type": "trade", "bill_date": day.isoformat()})
        url = str(answer.get("bill_download_url") or "")
        if not url.startswith(("https://", "http://")):
            raise ProviderError("Alipay named no bill download URL.", retryable=True, code="bad_answer")
        try:
            response = self.session.get(url, timeout=TIMEOUT)
        except requests.Timeout:
            raise ProviderError(
                "Alipay's bill download did not answer in time.", retryable=True, code="timeout"
            ) from None
        except requests.ConnectionError as exc:
            raise ProviderError(
                f"Alipay's bill cannot be downloaded: {exc}", retryable=True, code="unreachable"
            ) from None
        if response.status_code != 200:
            raise ProviderError(
                f"Alipay's bill download answered {response.status_code}.", retryable=True, code="bill_download_failed"
            )
        try:
            return alipay_bill.bill_parse(response.content)
        except alipay_bill.BillMalformed as exc:
            raise ProviderError(f"Alipay's bill cannot be read: {exc}", retryable=False, code="bad_bill") from None

    # -- the transport -----------------------------------------------------------------------

    def signed_params(self, method: str, biz: dict, *, now: datetime | None = None) -> dict[str, str]:
        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": (now or datetime.now(CHINA)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        if self.notify_url:
            params["notify_url"] = self.notify_url
        params["sign"] = signing.request_sign(params, self.app_key)
        return params

    def call(self, method: str, biz: dict, *, allow: frozenset[str] | set[str] = frozenset()) -> dict:
        """One gateway call; answers the verified ``<method>_response`` object of a success (or of a
        business failure whose ``sub_code`` is in ``allow``), raises ``ProviderError`` otherwise."""
        body = urlencode(self.signed_params(method, biz))
        headers = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8", "Accept": "application/json"}
        try:
            response = self.session.post(self.gateway_url, data=body.encode(), headers=headers, timeout=TIMEOUT)
        except requests.Timeout:
            raise ProviderError(f"Alipay did not answer {method} in time.", retryable=True, code="timeout") from None
        except requests.ConnectionError as exc:
            raise ProviderError(f"Alipay cannot be reached: {exc}", retryable=True, code="unreachable") from None
        if response.status_code >= 500:
            raise ProviderError(
                f"Alipay had a server error ({response.status_code}).", retryable=True, code="provider_unavailable"
            )
        text = response.content.decode("utf-8", errors="replace")
        try:
            payload = json.loads(text)
        except ValueError:
            raise ProviderError(
                f"Alipay answered {method} with something that is not JSON.", retryable=True, code="bad_answer"
            ) from None
        if not isinstance(payload, dict):
            raise ProviderError(f"Alipay's answer to {method} is not an object.", retryable=True, code="bad_answer")
        field = signing.response_field(method)
        inner = payload.get(field)
        if not isinstance(inner, dict):
            error = payload.get("error_response") if isinstance(payload.get("error_response"), dict) else {}
            raise self.error(method, error or {"msg": "no answer"})
        if not signing.response_verify(text, method, self.alipay_key):
            raise ProviderError(
                f"Alipay's answer to {method} does not carry a valid signature: check that the connection holds "
                "Alipay's public key (not the app's own).",
                retryable=False,
                code="bad_response_signature",
            )
        if str(inner.get("code")) != SUCCESS and inner.get("sub_code") not in allow:
            raise self.error(method, inner)
        return inner

    def error(self, method: str, inner: dict) -> ProviderError:
        code = str(inner.get("code", ""))
        said = " ".join(str(inner.get(k, "")) for k in ("msg", "sub_code", "sub_msg") if inner.get(k))
        if code == UNAVAILABLE:
            return ProviderError(f"Alipay is busy ({said}).", retryable=True, code="provider_unavailable")
        sub_code = str(inner.get("sub_code") or code or "rejected")
        return ProviderError(f"Alipay refused {method}: {said}", retryable=False, code=sub_code)


def check(client: AlipayClient) -> None:
    """Test connection: a query for a trade that does not exist still proves the keys work."""
    client.trade("ORDERFLOW-CONNECTION-TEST")
