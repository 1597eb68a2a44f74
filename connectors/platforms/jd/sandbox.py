"""A simulated JD gateway (``https://api.jd.com/routerjson``) with one sandbox POP shop.

It refuses what JOS refuses, with its ``error_response`` (``code``, ``zh_desc``, ``en_desc``): a bad
or missing ``sign`` — or an ``app_key`` it does not know, whose secret it cannot find — (12 无效签名),
a ``timestamp`` more than 6 minutes off (8 非法的时间戳参数), a call over the configured frequency
limit (2 App Call Limited), an unknown ``method`` (15 不存在的方法名), a wrong ``access_token`` (19
token已过期或者不存在). It serves:

* ``jingdong.seller.vender.info.get``;
* ``jingdong.pop.order.search`` — the shop's orders modified in ``[start_date, end_date]`` (a day at
  most), newest first, ``orderTotal`` counting them all;
* ``jingdong.sku.read.searchSkuList`` (by ``outerId``) and ``jingdong.stock.write.updateSkuStock``
  — the shop lists every SKU of the order centre's catalogue, one ware each;
* ``jingdong.pop.afs.soa.refundapply.queryPageList`` — the shop's refund applications
  (``refund_create``, decided by ``refund_update``) applied (``applyTime*``) or decided
  (``checkTime*``) in the window, newest first, ``pageSize`` 1–50, ``totalCount``.
* ``jingdong.pop.order.shipment`` — the tracking-number write-back (SOP 出库).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ...sandbox import SimRequest, SimResponse
from ..marketplace import (
    Buyer,
    GatewaySimulator,
    Refusal,
    SimLine,
    china_text,
    china_time,
    page_of,
    signs_match,
    window_filter,
)
from .client import BASE_URL, response_key
from .signing import PARAM_JSON, jd_sign

SANDBOX_CREDENTIALS = {
    "app_key": "SANDBOXJDAPPKEY00000000000000001",
    "app_secret": "sandbox-jd-app-secret",
    "access_token": "sandbox-jd-access-token",
}
VENDER = {"vender_id": 10000001, "shop_id": 20000001, "shop_name": "Orderflow 沙箱京东店", "col_type": 0}
TIMESTAMP_WINDOW = timedelta(minutes=6)
ORDER_ID_BASE = 280_000_000_000
STATE_REMARKS = {
    "WAIT_SELLER_STOCK_OUT": "等待出库",
    "WAIT_SELLER_DELIVERY": "等待发货",
    "PAUSE": "暂停",
    "POP_ORDER_PAUSE": "暂停",
    "LOCKED": "已锁定",
    "WAIT_GOODS_RECEIVE_CONFIRM": "等待确认收货",
    "FINISHED_L": "完成",
    "TRADE_CANCELED": "取消",
}


def refuse(code: str, zh: str, en: str) -> Refusal:
    return Refusal(SimResponse.json(200, {"error_response": {"code": code, "zh_desc": zh, "en_desc": en}}))


def _modified(order: Mapping[str, Any]) -> datetime:
    return china_time(order["modified"])


def _business(params: Mapping[str, str]) -> dict[str, Any]:
    try:
        business = json.loads(params.get(PARAM_JSON) or "{}")
    except ValueError:
        raise refuse("41", "360buy_param_json 不是合法的JSON", "Invalid 360buy_param_json") from None
    if not isinstance(business, dict):
        raise refuse("41", "360buy_param_json 不是合法的JSON", "Invalid 360buy_param_json")
    return business


def _search_failed(message: str) -> dict[str, Any]:
    api_result = {"success": False, "code": "100", "chineseErrCode": message, "englishErrCode": "invalid parameter"}
    return {"code": "0", "searchorderinfo_result": {"apiResult": api_result, "orderInfoList": [], "orderTotal": 0}}


# The logistics companies (logiCoprId) the sandbox shop may ship with: the ones write-back maps.
LOGISTICS_COMPANIES = frozenset({"463", "465", "467", "470", "1327", "1499", "2087"})


def _shipment_result(success: bool, message: str = "成功", code: str = "") -> dict[str, Any]:
    result = {
        "success": success,
        "chineseErrCode": message,
        "englishErrCode": "success" if success else "failure",
        "errorCode": code,
    }
    return {"code": "0", "sopjosshipment_result": result}


class JdSimulator(GatewaySimulator):
    base_url = BASE_URL
    platform = "jd"
    app = SANDBOX_CREDENTIALS
    item_base = 100_000_000_000  # ware ids
    sku_base = 10_000_000_000_000

    def answer(self, request: SimRequest) -> SimResponse:
        if request.path != "/routerjson":
            return SimResponse(404, b"Not Found")
        params = self.request_params(request)
        offered = params.get("sign", "")
        known = params.get("app_key") == self.app["app_key"]
        if not known or not offered or not signs_match(jd_sign(params, self.app["app_secret"]), offered.upper()):
            raise refuse("12", "无效签名", "Invalid Signature")
        try:
            sent_at = china_time(params.get("timestamp", ""))
        except ValueError:
            raise refuse("8", "非法的时间戳参数", "Invalid Timestamp") from None
        if abs(timezone.now() - sent_at) > TIMESTAMP_WINDOW:
            raise refuse("8", "非法的时间戳参数", "Invalid Timestamp")
        if self.throttled() is not None:
            raise refuse("2", "限制时间内调用失败次数", "App Call Limited")
        method = params.get("method", "")
        serve = self.methods().get(method)
        if serve is None:
            raise refuse("15", "不存在的方法名", "Invalid Method")
        if params.get("access_token") != self.app["access_token"]:
            raise refuse("19", "token已过期或者不存在，请重新授权访问。", "Invalid access_token")
        return self.json_answer({response_key(method): serve(_business(params))})

    def methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "jingdong.seller.vender.info.get": lambda business: {"code": "0", "vender_info_result": dict(VENDER)},
            "jingdong.pop.order.search": self.order_search,
            "jingdong.sku.read.searchSkuList": self.sku_search,
            "jingdong.stock.write.updateSkuStock": self.sku_stock_update,
            "jingdong.pop.afs.soa.refundapply.queryPageList": self.refund_apply_list,
            "jingdong.pop.order.shipment": self.order_shipment,
        }

    def order_search(self, business: dict[str, Any]) -> dict[str, Any]:
        try:
            start, end = china_time(str(business["start_date"])), china_time(str(business["end_date"]))
        except (KeyError, ValueError):
            return _search_failed("start_date、end_date 必填，格式为 yyyy-MM-dd HH:mm:ss")
        if not start < end <= start + timedelta(days=1):
            return _search_failed("查询时间跨度不能超过一天")
        page, page_size = str(business.get("page", "1")), str(business.get("page_size", "20"))
        if not (page.isdigit() and page_size.isdigit()) or int(page) < 1 or not 1 <= int(page_size) <= 100:
            return _search_failed("page 从 1 开始，page_size 取值 1 到 100")
        states = set(str(business.get("order_state") or ",".join(STATE_REMARKS)).split(","))
        orders = [order for order in self.orders() if order["orderState"] in states]
        inside = window_filter(orders, _modified, start, end)
        api_result = {"success": True, "code": "0", "chineseErrCode": "成功", "englishErrCode": "success"}
        return {
            "code": "0",
            "searchorderinfo_result": {
                "apiResult": api_result,
                "orderInfoList": page_of(inside, int(page), int(page_size)),
                "orderTotal": len(inside),
            },
        }

    def sku_search(self, business: dict[str, Any]) -> dict[str, Any]:
        found = self.listing(str(business.get("outerId") or ""))
        data = []
        if found is not None:
            data.append(
                {
                    "skuId": found["sku_id"],
                    "outerId": found["sku"],
                    "wareId": found["item_id"],
                    "stockNum": found["quantity"],
                }
            )
        return {"code": "0", "page": {"data": data, "totalItem": len(data), "pageNo": 1, "pageSize": 20}}

    def sku_stock_update(self, business: dict[str, Any]) -> dict[str, Any]:
        sku_id, quantity = business.get("skuId"), business.get("stockNum")
        if not isinstance(sku_id, int) or not isinstance(quantity, int) or quantity < 0:
            raise refuse("41", "skuId、stockNum 必须为非负整数", "Invalid arguments")
        found = self.listing_find(sku_id=sku_id)
        if found is None:
            raise refuse("41", "SKU不存在", "Invalid arguments")
        self.stock_set(found, quantity)
        return {"code": "0", "success": True}

    # --- shipping write-back (SOP 出库)
    def order_shipment(self, business: dict[str, Any]) -> dict[str, Any]:
        """Ships a ``WAIT_SELLER_STOCK_OUT`` order with the number: ``WAIT_GOODS_RECEIVE_CONFIRM``,
        ``waybill`` and ``logisticsId`` set. The same number again is confirmed again; another number,
        an order in another state, an unknown company or order is ``success: false`` [the simulator's
        wording and codes: JD's are unverified]."""
        order_id, company, number = (str(business.get(name) or "") for name in ("orderId", "logiCoprId", "logiNo"))
        if not (order_id and company and number):
            return _shipment_result(False, "orderId、logiCoprId、logiNo 必填", "100")
        if company not in LOGISTICS_COMPANIES:
            return _shipment_result(False, f"物流公司ID {company} 不存在", "101")
        order = self.record("order", order_id)
        if order is None:
            return _shipment_result(False, "订单不存在", "102")
        if order["orderState"] != "WAIT_SELLER_STOCK_OUT":
            if order.get("waybill") == number and order.get("logisticsId") == company:
                return _shipment_result(True)
            return _shipment_result(False, f"订单状态为{order['orderStateRemark']}，不能出库", "103")
        order.update(orderState="WAIT_GOODS_RECEIVE_CONFIRM", waybill=number, logisticsId=company)
        self.order_touch(order, timezone.now())
        self.record_save("order", order_id, order)
        return _shipment_result(True)

    # --- the shop's orders
    def order_new(self, number: int, lines: list[SimLine], buyer: Buyer, at: datetime) -> dict:
        goods = sum((line.price * line.quantity for line in lines), Decimal("0"))
        freight = Decimal("0.00") if goods >= 99 else Decimal("6.00")
        discount = Decimal("10.00") if goods >= 300 else Decimal("0.00")
        return {
            "orderId": str(ORDER_ID_BASE + number),
            "venderId": str(VENDER["vender_id"]),
            "orderType": "22",
            "payType": "4-在线支付",
            "orderSource": "移动端订单",
            "orderTotalPrice": f"{goods:.2f}",
            "orderSellerPrice": f"{goods - discount:.2f}",
            "orderPayment": f"{goods - discount + freight:.2f}",
            "freightPrice": f"{freight:.2f}",
            "sellerDiscount": f"{discount:.2f}",
            "orderState": "WAIT_SELLER_STOCK_OUT",
            "orderStateRemark": STATE_REMARKS["WAIT_SELLER_STOCK_OUT"],
            "orderStartTime": china_text(at),
            "paymentConfirmTime": china_text(at),
            "modified": china_text(at),
            "waybill": "",
            "consigneeInfo": {
                "fullname": buyer.masked_name,
                "mobile": buyer.masked_phone,
                "telephone": "",
                "province": buyer.province,
                "city": buyer.city,
                "county": buyer.district,
                "town": buyer.town,
                "fullAddress": f"{buyer.province}{buyer.city}{buyer.district}{buyer.town}{buyer.street}",
            },
            "itemInfoList": [
                {
                    "skuId": str(self.listing_ids(line.sku)[1]),
                    "wareId": str(self.listing_ids(line.sku)[0]),
                    "outerSkuId": line.sku,
                    "skuName": line.title,
                    "jdPrice": f"{line.price:.2f}",
                    "itemTotal": str(line.quantity),
                    "productNo": "",
                }
                for line in lines
            ],
        }

    def order_id(self, order: Mapping[str, Any]) -> str:
        return str(order["orderId"])

    def order_touch(self, order: dict, at: datetime) -> None:
        order["modified"] = china_text(at)
        order["orderStateRemark"] = STATE_REMARKS.get(order["orderState"], "")
        if order["orderState"] in ("WAIT_GOODS_RECEIVE_CONFIRM", "FINISHED_L") and not order.get("waybill"):
            order["waybill"] = f"JDV{order['orderId']}"

    # --- refund applications (jingdong.pop.afs.soa.refundapply.queryPageList)
    def refund_apply_list(self, business: dict[str, Any]) -> dict[str, Any]:
        by = "apply" if business.get("applyTimeStart") or business.get("applyTimeEnd") else "check"
        try:
            start = china_time(str(business[f"{by}TimeStart"]))
            end = china_time(str(business[f"{by}TimeEnd"]))
        except (KeyError, ValueError):
            return _refund_list_failed(
                "applyTimeStart/applyTimeEnd 或 checkTimeStart/checkTimeEnd 格式为 yyyy-MM-dd HH:mm:ss"
            )
        page, size = str(business.get("pageIndex", "1")), str(business.get("pageSize", "20"))
        if not (page.isdigit() and size.isdigit()) or int(page) < 1 or not 1 <= int(size) <= 50:
            return _refund_list_failed("pageIndex 从 1 开始，pageSize 取值 1 到 50")
        stamped = [refund for refund in self.records("refund") if refund.get(f"{by}Time")]
        inside = window_filter(stamped, lambda refund: china_time(refund[f"{by}Time"]), start, end)
        return {
            "code": "0",
            "queryResult": {
                "success": True,
                "resultCode": "0",
                "result": page_of(inside, int(page), int(size)),
                "totalCount": len(inside),
            },
        }

    def refund_create(
        self, order_id: str, *, amount_fen: int | None = None, status: int = 0, at: datetime | None = None
    ) -> dict[str, Any]:
        """A buyer applies for a refund of order ``order_id`` (all it paid, unless ``amount_fen``)."""
        order = self.record("order", str(order_id))
        if order is None:
            raise KeyError(f"no order {order_id!r} in this sandbox shop")
        refund_id = self.next_number("refund", 3_100_000_001)
        paid = int(Decimal(order["orderPayment"]) * 100)
        refund = {
            "id": refund_id,
            "orderId": order["orderId"],
            "status": status,
            "applyTime": china_text(at or timezone.now()),
            "checkTime": "",
            "applyRefundSum": amount_fen if amount_fen is not None else paid,
            "buyerId": "jd_sandbox_buyer",
            "buyerName": order["consigneeInfo"]["fullname"],
            "checkUserName": "",
            "checkRemark": "",
        }
        self.record_save("refund", str(refund_id), refund)
        return refund

    def refund_update(self, refund_id: int | str, *, status: int, at: datetime | None = None) -> dict[str, Any]:
        """Decides an application (3 退款成功, 11 用户撤销 …), stamped ``checkTime`` ``at`` (now by default)."""
        refund = self.record("refund", str(refund_id))
        if refund is None:
            raise KeyError(f"no refund application {refund_id!r} in this sandbox shop")
        refund.update(status=status, checkTime=china_text(at or timezone.now()), checkUserName="sandbox")
        self.record_save("refund", str(refund_id), refund)
        return refund


def _refund_list_failed(message: str) -> dict[str, Any]:
    return {"code": "0", "queryResult": {"success": False, "resultCode": "100", "errorMsg": message, "result": []}}
