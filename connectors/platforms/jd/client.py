"""The JD (JOS) client: every call signed and form-encoded to ``https://api.jd.com/routerjson``.

Common parameters (PROTOCOLS.md 5.3): ``method, app_key, access_token, timestamp`` (Beijing time;
JD allows 6 minutes of difference [secondary: JD's error-code table as quoted by 点三 ERP]),
``v=2.0``, ``360buy_param_json`` (the business parameters), ``sign``. A success is
``{"<method, dots as underscores>_responce": {"code": "0", …}}`` (JD's spelling); a gateway
failure is ``{"error_response": {"code", "zh_desc", "en_desc"}}``; a business failure is a result
whose ``apiResult.success`` is false.

Retryable: code 2 (App Call Limited) and HTTP 429/5xx; terminal: 8 (invalid timestamp), 12
(invalid signature), 15 (invalid method), 19 (access_token expired or unknown — the seller must
authorise again) and business failures [codes secondary: the same table; 19 also in JD
integrations' code].

The method names beyond ``jingdong.pop.order.search`` are [unverified]: ``jingdong.seller.vender.
info.get`` (the check), ``jingdong.sku.read.searchSkuList`` and ``jingdong.stock.write.updateSkuStock``
(stock).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ...base import ProviderError
from ..marketplace import ListedPage, china_text, connection_secrets, gateway_call, malformed
from .signing import PARAM_JSON, jd_sign, param_json

if TYPE_CHECKING:
    import requests

    from ...models import Connection

BASE_URL = "https://api.jd.com"
GATEWAY = BASE_URL + "/routerjson"
PLATFORM = "JD"

RETRYABLE_CODES = frozenset({"2"})
ORDER_STATES = (
    "WAIT_SELLER_STOCK_OUT,WAIT_SELLER_DELIVERY,WAIT_GOODS_RECEIVE_CONFIRM,PAUSE,POP_ORDER_PAUSE,LOCKED,"
    "FINISHED_L,TRADE_CANCELED"
)
ORDER_FIELDS = (
    "orderId,orderState,orderStateRemark,modified,orderStartTime,paymentConfirmTime,orderTotalPrice,"
    "orderSellerPrice,orderPayment,freightPrice,sellerDiscount,payType,consigneeInfo,itemInfoList,waybill,"
    "orderSource"
)


def response_key(method: str) -> str:
    """``jingdong.pop.order.search`` → ``jingdong_pop_order_search_responce`` (sic)."""
    return method.replace(".", "_") + "_responce"


def jd_error(error: Mapping[str, Any]) -> ProviderError:
    code = str(error.get("code", ""))
    description = error.get("zh_desc") or error.get("en_desc") or ""
    return ProviderError(f"JD error {code}: {description}", retryable=code in RETRYABLE_CODES, code=code)


class JdClient:
    """One JD POP shop (vender) as the app it authorised sees it."""

    def __init__(self, connection: Connection, session: requests.Session):
        credentials = connection_secrets(connection)
        self.app_key = str(credentials["app_key"])
        self.app_secret = str(credentials["app_secret"])
        self.access_token = str(credentials["access_token"])
        self.http = session
        self.clock: Callable[[], datetime] = timezone.now

    def signed_form(self, method: str, business: Mapping[str, Any]) -> dict[str, str]:
        form = {
            "method": method,
            "app_key": self.app_key,
            "access_token": self.access_token,
            "timestamp": china_text(self.clock()),
            "v": "2.0",
            PARAM_JSON: param_json(business),
        }
        form["sign"] = jd_sign(form, self.app_secret)
        return form

    def call(self, method: str, business: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = gateway_call(PLATFORM, self.http, "POST", GATEWAY, data=self.signed_form(method, business or {}))
        error = body.get("error_response")
        if isinstance(error, dict):
            raise jd_error(error)
        answer = body.get(response_key(method))
        if not isinstance(answer, dict):
            raise malformed(PLATFORM, f"no {response_key(method)!r} object")
        return answer

    def vender(self) -> dict[str, Any]:
        """``jingdong.seller.vender.info.get``: the shop — the cheapest call that proves the token."""
        result = self.call("jingdong.seller.vender.info.get").get("vender_info_result")
        if not isinstance(result, dict):
            raise malformed(PLATFORM, "no vender_info_result")
        return result

    def orders_modified(self, *, start: datetime, end: datetime, page: int, page_size: int) -> ListedPage:
        """``jingdong.pop.order.search`` by modification time (``dateType=0`` [unverified]), newest first."""
        answer = self.call(
            "jingdong.pop.order.search",
            {
                "start_date": china_text(start),
                "end_date": china_text(end),
                "order_state": ORDER_STATES,
                "optional_fields": ORDER_FIELDS,
                "dateType": "0",
                "sortType": "1",
                "page": str(page),
                "page_size": str(page_size),
            },
        )
        result = answer.get("searchorderinfo_result")
        if not isinstance(result, dict):
            raise malformed(PLATFORM, "no searchorderinfo_result")
        verdict = result.get("apiResult") or {}
        if verdict.get("success") is not True:
            raise ProviderError(
                f"JD refused the order search: {verdict.get('chineseErrCode') or verdict.get('englishErrCode')}",
                retryable=False,
                code=str(verdict.get("code", "")),
            )
        orders = result.get("orderInfoList") or []
        if not isinstance(orders, list) or not all(isinstance(order, dict) for order in orders):
            raise malformed(PLATFORM, "an orderInfoList that is not a list of objects")
        return ListedPage(orders=orders, total=int(result.get("orderTotal") or 0))

    def skus_by_outer_id(self, outer_id: str) -> list[dict[str, Any]]:
        """``jingdong.sku.read.searchSkuList`` by the SKU's merchant code (``outerId``)."""
        page = self.call(
            "jingdong.sku.read.searchSkuList", {"outerId": outer_id, "field": "skuId,outerId,wareId,stockNum"}
        ).get("page")
        found = page.get("data") if isinstance(page, dict) else None
        if not isinstance(found, list):
            raise malformed(PLATFORM, "no page.data in jingdong.sku.read.searchSkuList")
        return found

    def sku_stock_set(self, *, sku_id: int, quantity: int) -> None:
        """``jingdong.stock.write.updateSkuStock``: sets (never adds) a SKU's stock."""
        answer = self.call("jingdong.stock.write.updateSkuStock", {"skuId": sku_id, "stockNum": quantity})
        if answer.get("success") is not True:
            raise ProviderError("JD did not accept the stock update.", retryable=True, code="not_updated")


def check(client: JdClient) -> None:
    """Test connection: ``jingdong.seller.vender.info.get`` needs a valid app key, signature and token."""
    client.vender()


# --- shipping write-back (运单号回传) ------------------------------------------------------------


def order_shipment(client: JdClient, *, order_id: str, logi_copr_id: str, logi_no: str) -> dict[str, Any]:
    """``jingdong.pop.order.shipment`` (SOP 出库): the whole order left with this courier and number.

    Business parameters ``orderId``, ``logiCoprId`` (JD's id of the logistics company), ``logiNo``
    (the tracking number) [doc: the JOS SDK's ``PopOrderShipmentRequest``]; the answer is
    ``sopjosshipment_result`` ``{success, chineseErrCode, englishErrCode, errorCode}`` (an
    ``OperatorResult`` [doc: the SDK's ``PopOrderShipmentResponse``]); ``success`` false is a
    refusal [the error codes are unverified; ``999999`` is read as "try again", as an ERP does].
    """
    answer = client.call(
        "jingdong.pop.order.shipment", {"orderId": order_id, "logiCoprId": logi_copr_id, "logiNo": logi_no}
    )
    result = answer.get("sopjosshipment_result")
    if not isinstance(result, dict):
        raise malformed(PLATFORM, "no sopjosshipment_result in jingdong.pop.order.shipment")
    if str(result.get("success")).lower() not in ("true", "1"):
        code = str(result.get("errorCode") or "refused")
        said = result.get("chineseErrCode") or result.get("englishErrCode") or ""
        raise ProviderError(
            f"JD refused the shipment of order {order_id}: {said}".rstrip(": "),
            retryable=code in SHIPMENT_RETRYABLE,
            code=f"shipment:{code}",
        )
    return result


SHIPMENT_RETRYABLE = frozenset({"999999", "99999999"})
