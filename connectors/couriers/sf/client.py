"""SF 丰桥's std/service API for one partner: the route query (``EXP_RECE_SEARCH_ROUTES``), the
shipping order that gives an e-waybill (``EXP_RECE_CREATE_ORDER``) and its cancel (``EXP_RECE_UPDATE_ORDER``).

Every request is a form POST to ``/std/service`` with ``partnerID``, ``requestID`` (a UUID),
``serviceCode``, ``timestamp`` (ms), ``msgData`` (JSON) and ``msgDigest`` (``signing``), with the
explicit ``connectors.http.TIMEOUT``. The answer is ``{"apiResultCode": "A1000", "apiResultData":
"<JSON text>"}`` [secondary]; ``A1000`` is success, anything else a ``ProviderError`` (retryable
for timeouts, 5xx and SF's "system busy" codes).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from .signing import msg_digest

if TYPE_CHECKING:
    from ...models import Connection

BASE_URL = "https://sfapi.sf-express.com"
SERVICE_PATH = "/std/service"
ROUTES = "EXP_RECE_SEARCH_ROUTES"
CREATE_ORDER = "EXP_RECE_CREATE_ORDER"  # 下订单（含筛选）: the e-waybill number and the routing label
SEARCH_ORDER = "EXP_RECE_SEARCH_ORDER_RESP"  # 订单结果查询: the waybill of an order already placed
UPDATE_ORDER = "EXP_RECE_UPDATE_ORDER"  # 订单确认/取消: dealType 2 cancels an order not picked up yet
DUPLICATE_ORDER = "8016"  # [secondary] 重复下单: this orderId was placed before
CANCEL = 2  # dealType: 1 confirm, 2 cancel
# [unverified] the codes SF answers a cancel of an order already cancelled, and of one already picked up
ALREADY_CANCELLED = "8037"
PICKED_UP = "8252"
OK = "A1000"
RETRYABLE_CODES = frozenset({"A1002", "A1099"})  # [unverified] busy / system error


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SfClient:
    def __init__(self, connection: Connection, session: requests.Session, *, clock=time.time):
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.session = session
        self.partner_id = str(credentials["partner_id"])
        self.check_word = str(credentials["check_word"])
        self.clock = clock

    def call(self, service_code: str, msg_data: dict) -> dict[str, Any]:
        text = _dumps(msg_data)
        timestamp = str(int(self.clock() * 1000))
        form = {
            "partnerID": self.partner_id,
            "requestID": str(uuid.uuid4()),
            "serviceCode": service_code,
            "timestamp": timestamp,
            "msgDigest": msg_digest(text, timestamp, self.check_word),
            "msgData": text,
        }
        try:
            response = self.session.post(BASE_URL + SERVICE_PATH, data=form, timeout=TIMEOUT)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise ProviderError(f"SF could not be reached: {exc}", retryable=True, code="unreachable") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(
                f"SF answered HTTP {response.status_code}", retryable=True, code=f"http_{response.status_code}"
            )
        try:
            answer = response.json()
            code = str(answer.get("apiResultCode", ""))
        except (ValueError, AttributeError):
            raise ProviderError("SF answered without JSON", retryable=False, code="bad_answer") from None
        if code != OK:
            raise ProviderError(
                f"SF refused {service_code}: {answer.get('apiErrorMsg', '')} ({code})",
                retryable=code in RETRYABLE_CODES,
                code=f"sf_{code or 'error'}",
            )
        try:
            data = json.loads(answer.get("apiResultData") or "{}")
        except ValueError:
            raise ProviderError("SF's apiResultData is not JSON", retryable=False, code="bad_answer") from None
        if not data.get("success", False):
            raise ProviderError(
                f"SF refused {service_code}: {data.get('errorMsg', '')} ({data.get('errorCode', '')})",
                retryable=False,
                code=f"sf_{data.get('errorCode') or 'error'}",
            )
        return data.get("msgData") or {}

    def routes(self, *, mail_nos: list[str], phone_last4: str = "") -> dict[str, list[dict]]:
        """Each waybill's route nodes, oldest first: ``{mailNo: [{acceptTime, acceptAddress, remark, opCode}]}``."""
        msg = {"language": "zh-CN", "trackingType": "1", "trackingNumber": mail_nos, "methodType": "1"}
        if phone_last4:
            msg["checkPhoneNo"] = phone_last4
        answer = self.call(ROUTES, msg)
        return {str(item.get("mailNo")): list(item.get("routes") or []) for item in answer.get("routeResps") or []}

    def create_order(self, *, order_id: str, sender: dict, receiver: dict, cargo: list[dict], monthly_card: str = ""):
        """Places the shipping order (``EXP_RECE_CREATE_ORDER``) and answers ``{waybill_no, origin_code,
        dest_code, route_label}``. SF keeps one order per ``orderId``: placing it again is refused as
        a duplicate (8016), and the waybill it was given is read with ``EXP_RECE_SEARCH_ORDER_RESP`` —
        so a retry after a lost answer gets the same number, never a second one."""
        msg = {
            "language": "zh-CN",
            "orderId": order_id,
            "cargoDetails": cargo,
            "contactInfoList": [{"contactType": 1, **sender}, {"contactType": 2, **receiver}],
            "expressTypeId": 1,
            "payMethod": 1,
            "isReturnRoutelabel": 1,
            **({"monthlyCard": monthly_card} if monthly_card else {}),
        }
        try:
            data = self.call(CREATE_ORDER, msg)
        except ProviderError as exc:
            if exc.code != f"sf_{DUPLICATE_ORDER}":
                raise
            data = self.call(SEARCH_ORDER, {"orderId": order_id, "searchType": "1", "language": "zh-CN"})
        numbers = [str(w.get("waybillNo")) for w in data.get("waybillNoInfoList") or [] if w.get("waybillNo")]
        if not numbers:
            raise ProviderError("SF's answer names no waybill number", retryable=False, code="bad_answer")
        labels = data.get("routeLabelInfo") or [{}]
        route = (labels[0] or {}).get("routeLabelData") or {}
        return {
            "waybill_no": numbers[0],
            "origin_code": str(data.get("originCode") or ""),
            "dest_code": str(data.get("destCode") or ""),
            "route_label": str(route.get("destRouteLabel") or ""),
            "two_dimension_code": str(route.get("twoDimensionCode") or ""),
        }

    def cancel_order(self, *, order_id: str) -> dict:
        """Cancels the shipping order ``order_id`` (``EXP_RECE_UPDATE_ORDER``, ``dealType`` 2), which
        voids its waybill; answers ``{cancelled, already}``. An order SF reports cancelled already
        counts as cancelled (a retry after a lost answer); one picked up is a ``ProviderError``
        with code ``sf_<PICKED_UP>`` that the caller turns into a refusal. SF never reuses a
        cancelled ``orderId``: the next waybill of the parcel is placed under a new one."""
        try:
            data = self.call(UPDATE_ORDER, {"orderId": order_id, "dealType": CANCEL, "language": "zh-CN"})
        except ProviderError as exc:
            if exc.code == f"sf_{ALREADY_CANCELLED}":
                return {"cancelled": True, "already": True}
            raise
        return {"cancelled": str(data.get("resStatus", "2")) == "2", "already": False}


def check(client: SfClient) -> None:
    """Test connection: a signed route query of a sample waybill."""
    client.routes(mail_nos=["SF0000000000000"])
