"""Kuaidi100's API for one account: subscribe a parcel for pushes (``/poll``), query it now (``/poll/query.do``).

Both are form POSTs to ``https://poll.kuaidi100.com`` with the explicit ``connectors.http.TIMEOUT``.
Errors become ``ProviderError``: timeouts, connection errors and 5xx are retryable; an answer
with ``result: false`` is not, except Kuaidi100's "busy" codes. A repeated subscription
(``returnCode`` 501) counts as subscribed.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import requests

from ...base import ProviderError
from ...http import TIMEOUT, retry_after_seconds
from .signing import label_sign, query_sign

if TYPE_CHECKING:
    from ...models import Connection

BASE_URL = "https://poll.kuaidi100.com"
SUBSCRIBE_PATH = "/poll"
QUERY_PATH = "/poll/query.do"
ALREADY_SUBSCRIBED = "501"
# returnCode values worth trying again later [unverified: Kuaidi100's error list differs between doc versions]
RETRYABLE_CODES = frozenset({"500", "503", "601"})
NO_RECORD = "查询无结果"
LABEL_BASE_URL = "https://api.kuaidi100.com"
LABEL_PATH = (
    "/label/order"  # 电子面单 v2: method=order places it, answers kuaidinum and the label; method=cancel voids it
)
# [unverified] the codes Kuaidi100 answers a cancel of a waybill cancelled already, and of one picked up
LABEL_ALREADY_CANCELLED = "30003"
LABEL_PICKED_UP = "30002"


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Kuaidi100Client:
    def __init__(self, connection: Connection, session: requests.Session):
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.session = session
        self.customer = str(credentials["customer"])
        self.key = str(credentials["key"])
        self.salt = str(credentials["salt"])
        self.secret = str(credentials.get("secret") or "")
        self.partner_id = str(credentials.get("partner_id") or "")
        self.clock = time.time

    def _post(self, path: str, form: dict[str, str], *, base_url: str = BASE_URL) -> dict[str, Any]:
        try:
            response = self.session.post(base_url + path, data=form, timeout=TIMEOUT)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise ProviderError(f"Kuaidi100 could not be reached: {exc}", retryable=True, code="unreachable") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(
                f"Kuaidi100 answered HTTP {response.status_code}",
                retryable=True,
                code=f"http_{response.status_code}",
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        try:
            answer = response.json()
        except ValueError:
            raise ProviderError(
                f"Kuaidi100 answered HTTP {response.status_code} without JSON", retryable=False, code="bad_answer"
            ) from None
        if response.status_code >= 400 or not isinstance(answer, dict):
            raise ProviderError(f"Kuaidi100 answered HTTP {response.status_code}", retryable=False, code="bad_answer")
        return answer

    def subscribe(self, *, company: str, number: str, callback_url: str, phone: str = "") -> dict[str, Any]:
        """Asks Kuaidi100 to push the parcel's tracking to ``callback_url``, signed with this account's salt."""
        param = {
            "company": company,
            "number": number,
            "key": self.key,
            "parameters": {"callbackurl": callback_url, "salt": self.salt, "resultv2": "1", "phone": phone},
        }
        answer = self._post(SUBSCRIBE_PATH, {"schema": "json", "param": _dumps(param)})
        code = str(answer.get("returnCode", ""))
        if answer.get("result") is True or code == ALREADY_SUBSCRIBED:
            return {"subscribed": True, "return_code": code, "message": str(answer.get("message", ""))}
        raise ProviderError(
            f"Kuaidi100 refused the subscription: {answer.get('message', '')} ({code})",
            retryable=code in RETRYABLE_CODES,
            code=f"kuaidi100_{code or 'error'}",
        )

    def query(self, *, company: str, number: str, phone: str = "") -> dict[str, Any]:
        """The parcel's tracking now (``lastResult``'s shape: ``nu``, ``state``, ``data`` newest first)."""
        param = _dumps(
            {
                "com": company,
                "num": number,
                "phone": phone,
                "from": "",
                "to": "",
                "resultv2": "1",
                "show": "0",
                "order": "desc",
            }
        )
        answer = self._post(
            QUERY_PATH, {"customer": self.customer, "param": param, "sign": query_sign(param, self.key, self.customer)}
        )
        if answer.get("result") is False:
            code = str(answer.get("returnCode", ""))
            if str(answer.get("message", "")).startswith(NO_RECORD):
                return {"nu": number, "state": "", "data": []}
            raise ProviderError(
                f"Kuaidi100 refused the query: {answer.get('message', '')} ({code})",
                retryable=code in RETRYABLE_CODES,
                code=f"kuaidi100_{code or 'error'}",
            )
        return answer

    def _label_post(self, method: str, param: str) -> dict[str, Any]:
        """A ``label/order`` call (``method`` order or cancel), signed ``UPPER(MD5(param + t + key + secret))``."""
        if not self.secret:
            raise ProviderError(
                "This Kuaidi100 account has no waybill secret: add it to the connection",
                retryable=False,
                code="kuaidi100_no_secret",
            )
        t = str(int(self.clock() * 1000))
        form = {
            "method": method,
            "key": self.key,
            "t": t,
            "sign": label_sign(param, t, self.key, self.secret),
            "param": param,
        }
        return self._post(f"{LABEL_PATH}?method={method}", form, base_url=LABEL_BASE_URL)

    def label_order(
        self, *, company: str, order_id: str, sender: dict, receiver: dict, cargo: str, count: int
    ) -> dict[str, Any]:
        """Places an electronic waybill (``label/order``, ``method=order``), signed
        ``UPPER(MD5(param + t + key + secret))``; answers ``{waybill_no, label_url, task_id,
        bulkpen}``. ``order_id`` is sent as the waybill's ``orderId`` for the courier's records;
        Orderflow's own idempotency key is what keeps one waybill per parcel."""
        param = _dumps(
            {
                "partnerId": self.partner_id,
                "kuaidicom": company,
                "orderId": order_id,
                "recMan": receiver,
                "sendMan": sender,
                "cargo": cargo,
                "count": str(count),
                "payType": "SHIPPER",
                "expType": "标准快递",
                "printType": "IMAGE",
                "needTemplate": "1",
            }
        )
        answer = self._label_post("order", param)
        code = str(answer.get("code", ""))
        found = answer.get("data")
        data: dict[str, Any] = found if isinstance(found, dict) else {}
        if code != "200" or not data.get("kuaidinum"):
            raise ProviderError(
                f"Kuaidi100 refused the waybill: {answer.get('message', '')} ({code})",
                retryable=code in RETRYABLE_CODES,
                code=f"kuaidi100_{code or 'error'}",
            )
        return {
            "waybill_no": str(data["kuaidinum"]),
            "kd_com_order_num": str(data.get("kdComOrderNum") or ""),
            "label_url": str(data.get("label") or ""),
            "task_id": str(data.get("taskId") or ""),
            "bulkpen": str(data.get("bulkpen") or ""),
        }

    def label_cancel(self, *, company: str, number: str, order_id: str = "", reason: str = "") -> dict[str, Any]:
        """Voids an electronic waybill (``label/order``, ``method=cancel``), signed like ``label_order``;
        ``order_id`` is the courier's order number (``kdComOrderNum``) when the order answer gave
        one. Answers ``{cancelled, already}``: a waybill cancelled already counts as cancelled; one
        picked up is a ``ProviderError`` with code ``kuaidi100_<LABEL_PICKED_UP>``."""
        param = _dumps(
            {
                "partnerId": self.partner_id,
                "kuaidicom": company,
                "kuaidinum": number,
                **({"orderId": order_id} if order_id else {}),
                "reason": reason[:100],
            }
        )
        answer = self._label_post("cancel", param)
        code = str(answer.get("code", answer.get("returnCode", "")))
        if code == "200" or answer.get("result") is True:
            return {"cancelled": True, "already": False}
        if code == LABEL_ALREADY_CANCELLED:
            return {"cancelled": True, "already": True}
        raise ProviderError(
            f"Kuaidi100 refused to cancel the waybill: {answer.get('message', '')} ({code})",
            retryable=code in RETRYABLE_CODES,
            code=f"kuaidi100_{code or 'error'}",
        )


def check(client: Kuaidi100Client) -> None:
    """Test connection: a signed realtime query of a sample number (a "no result" answer is fine)."""
    client.query(company="yuantong", number="YT0000000000000")
