"""A simulated Pinduoduo gateway (``https://gw-api.pinduoduo.com/api/router``) with one sandbox mall.

It refuses what the gateway refuses, with its ``error_response``: a bad or missing ``sign`` (20004
签名验证失败), a wrong ``access_token`` (10019 access_token 已过期), a call over the configured
frequency limit (70031 调用过于频繁); an unknown ``client_id``, a ``timestamp`` more than 10 minutes
off, an unknown ``type`` or a bad business parameter get 10000 参数错误 [that code and the 10-minute
window are the simulator's choice: not found in the stored sources]. It serves:

* ``pdd.mall.info.get``;
* ``pdd.order.number.list.increment.get`` — the mall's orders updated in the window (≤ 30 min),
  newest first, with ``total_count`` (or ``has_next``);
* ``pdd.goods.list.get`` (filtered by ``outer_id``) and ``pdd.goods.quantity.update``
  (``update_type`` 1 full, 2 incremental) — the mall lists every SKU of the order centre's
  catalogue, one goods each;
* ``pdd.refund.list.increment.get`` — the mall's after-sales cases (``refund_create``, moved on by
  ``refund_update``) updated in the window (≤ 30 min), newest first, ``total_count``.
* ``pdd.logistics.online.send`` and ``pdd.order.upload.extra.logistics`` — the tracking-number
  write-back (the first parcel ships the order; a split order's later parcels add numbers).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone as django_timezone
from django.utils.timezone import now as django_now

from ...sandbox import SimRequest, SimResponse
from ..marketplace import (
    CHINA,
    Buyer,
    GatewaySimulator,
    Refusal,
    SimLine,
    china_text,
    china_time,
    from_unix,
    page_of,
    signs_match,
    window_filter,
)
from .client import BASE_URL
from .signing import pdd_sign

SANDBOX_CREDENTIALS = {
    "client_id": "sandbox0pdd0client0id0000000000a",
    "client_secret": "sandbox-pdd-client-secret",
    "access_token": "sandbox-pdd-access-token",
}
MALL = {"mall_id": 880000001, "mall_name": "Orderflow 沙箱拼多多店", "mall_desc": "沙箱店铺", "merchant_type": 1}
TIMESTAMP_WINDOW = timedelta(minutes=10)
ORDER_SN_BASE = 310_000_000_000_000


def refuse(code: int, msg: str, sub_msg: str = "") -> Refusal:
    error = {
        "error_code": code,
        "error_msg": msg,
        "sub_code": str(code),
        "sub_msg": sub_msg or msg,
        "request_id": f"{int(time.time() * 1000)}{uuid.uuid4().int % 10000:04d}",
    }
    return Refusal(SimResponse.json(200, {"error_response": error}))


def _int(params: Mapping[str, str], name: str, default: int | None = None) -> int:
    value = params.get(name, "")
    if value == "" and default is not None:
        return default
    if not value.lstrip("-").isdigit():
        raise refuse(10000, "参数错误", f"{name}不合法")
    return int(value)


def _money(amount: Decimal) -> float:
    """Yuan as the order APIs write it: a JSON number."""
    return float(amount)


def _updated(order: Mapping[str, Any]) -> datetime:
    return china_time(order["updated_at"])


# The courier ids (logistics_id) the sandbox mall may ship with: the ones write-back maps.
LOGISTICS_IDS = frozenset({1, 44, 85, 115, 118, 120, 121})


class PinduoduoSimulator(GatewaySimulator):
    base_url = BASE_URL
    platform = "pinduoduo"
    app = SANDBOX_CREDENTIALS
    item_base = 300_000_000_000  # goods ids
    sku_base = 1_100_000_000_000

    def answer(self, request: SimRequest) -> SimResponse:
        if request.path != "/api/router":
            return SimResponse(404, b"Not Found")
        params = self.request_params(request)
        if params.get("client_id") != self.app["client_id"]:
            raise refuse(10000, "参数错误", "client_id不存在")
        offered = params.get("sign", "")
        if not offered or not signs_match(pdd_sign(params, self.app["client_secret"]), offered.upper()):
            raise refuse(20004, "签名验证失败")
        sent = params.get("timestamp", "")
        if not sent.isdigit() or abs(time.time() - int(sent)) > TIMESTAMP_WINDOW.total_seconds():
            raise refuse(10000, "参数错误", "timestamp不合法或已过期")
        if self.throttled() is not None:
            raise refuse(70031, "调用过于频繁，请调整调用频率", "access frequency too high")
        serve = self.apis().get(params.get("type", ""))
        if serve is None:
            raise refuse(10000, "参数错误", "type不存在")
        if params.get("access_token") != self.app["access_token"]:
            raise refuse(10019, "access_token已过期", "access_token已过期或不存在，请重新授权")
        key, answer = serve(params)
        answer["request_id"] = uuid.uuid4().hex[:17]
        return self.json_answer({key: answer})

    def apis(self) -> dict[str, Callable[[dict[str, str]], tuple[str, dict[str, Any]]]]:
        return {
            "pdd.mall.info.get": lambda params: ("mall_info_get_response", dict(MALL)),
            "pdd.order.number.list.increment.get": self.orders_increment,
            "pdd.goods.list.get": self.goods_list,
            "pdd.goods.quantity.update": self.goods_quantity_update,
            "pdd.refund.list.increment.get": self.refunds_increment,
            "pdd.logistics.online.send": self.logistics_online_send,
            "pdd.order.upload.extra.logistics": self.order_extra_logistics,
        }

    def orders_increment(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        start, end = _int(params, "start_updated_at"), _int(params, "end_updated_at")
        if not 0 < end - start <= 30 * 60:
            raise refuse(10000, "参数错误", "开始时间结束时间间距不超过 30 分钟")
        page, page_size = _int(params, "page", 1), _int(params, "page_size", 100)
        if page < 1 or not 1 <= page_size <= 100:
            raise refuse(10000, "参数错误", "page_size 取值 1 到 100")
        inside = window_filter(self.orders(), _updated, from_unix(start), from_unix(end))
        answer: dict[str, Any] = {"order_sn_list": page_of(inside, page, page_size)}
        if params.get("use_has_next") == "true":
            answer["has_next"] = page * page_size < len(inside)
        else:
            answer["total_count"] = len(inside)
        return "order_sn_increment_get_response", answer

    def goods_list(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        found = self.listing(params.get("outer_id", ""))
        goods = []
        if found is not None:
            goods.append(
                {
                    "goods_id": found["item_id"],
                    "goods_name": found["sku"],
                    "goods_quantity": found["quantity"],
                    "is_onsale": 1,
                    "sku_list": [
                        {
                            "sku_id": found["sku_id"],
                            "outer_id": found["sku"],
                            "sku_quantity": found["quantity"],
                            "spec": "默认",
                            "is_sku_onsale": 1,
                        }
                    ],
                }
            )
        return "goods_list_get_response", {"goods_list": goods, "total_count": len(goods)}

    def goods_quantity_update(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        goods_id, quantity, update_type = (
            _int(params, "goods_id"),
            _int(params, "quantity"),
            _int(params, "update_type", 1),
        )
        sku_id = _int(params, "sku_id") if params.get("sku_id") else None
        found = self.listing_find(goods_id, sku_id=sku_id, sku=params.get("outer_id", ""))
        if found is None or (sku_id is None and not params.get("outer_id")):
            raise refuse(10000, "参数错误", "商品或SKU不存在")
        if update_type == 1 and quantity < 0:
            raise refuse(10000, "参数错误", "全量更新时quantity必须大于等于0")
        self.stock_set(found, quantity if update_type == 1 else found["quantity"] + quantity)
        return "goods_quantity_update_response", {"is_success": True}

    # --- shipping write-back
    def logistics_online_send(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """Ships a waiting order (``order_status`` 1 → 2) with the courier id and number. The same
        number again is confirmed again; another number for a shipped order, an unknown courier id or
        order is refused [the simulator's codes and wording: Pinduoduo's are unverified]."""
        order_sn, number = params.get("order_sn", ""), params.get("tracking_number", "")
        logistics_id = _int(params, "logistics_id")
        if not order_sn or not number:
            raise refuse(10000, "参数错误", "order_sn、tracking_number 必填")
        if logistics_id not in LOGISTICS_IDS:
            raise refuse(50000, "业务服务错误", f"快递公司{logistics_id}不存在")
        order = self.record("order", order_sn)
        if order is None:
            raise refuse(50000, "业务服务错误", "订单不存在")
        if order["order_status"] != 1:
            if order.get("tracking_number") == number and order.get("logistics_id") == logistics_id:
                return "logistics_online_send_response", {"is_success": True}
            raise refuse(50000, "业务服务错误", "订单已发货，不能重复发货")
        now = django_now()
        order.update(order_status=2, tracking_number=number, logistics_id=logistics_id, shipping_time=china_text(now))
        self.order_touch(order, now)
        self.record_save("order", order_sn, order)
        return "logistics_online_send_response", {"is_success": True}

    def order_extra_logistics(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """Adds parcels' numbers (``extra_track_list``, JSON) to a shipped order, each once."""
        order = self.record("order", params.get("order_sn", ""))
        if order is None:
            raise refuse(50000, "业务服务错误", "订单不存在")
        try:
            tracks = json.loads(params.get("extra_track_list", ""))
            added = [(int(track["shipping_id"]), str(track["tracking_number"])) for track in tracks]
        except (ValueError, KeyError, TypeError):
            raise refuse(10000, "参数错误", "extra_track_list不合法") from None
        if not added or any(shipping_id not in LOGISTICS_IDS or not number for shipping_id, number in added):
            raise refuse(10000, "参数错误", "extra_track_list不合法")
        if order["order_status"] == 1:
            raise refuse(50000, "业务服务错误", "订单未发货，请先发货")
        known = order.setdefault("extra_tracks", [])
        for shipping_id, number in added:
            if {"shipping_id": shipping_id, "tracking_number": number} not in known:
                known.append({"shipping_id": shipping_id, "tracking_number": number})
        self.record_save("order", order["order_sn"], order)
        return "order_upload_extra_logistics_response", {"success": True}

    # --- the mall's orders
    def order_new(self, number: int, lines: list[SimLine], buyer: Buyer, at: datetime) -> dict:
        goods = sum((line.price * line.quantity for line in lines), Decimal("0"))
        seller_discount = Decimal("5.00") if goods >= 100 else Decimal("0.00")
        return {
            "order_sn": f"{at.astimezone(CHINA):%y%m%d}-{ORDER_SN_BASE + number}",
            "order_status": 1,
            "refund_status": 1,
            "confirm_status": 1,
            "group_status": 1,
            "trade_type": 0,
            "is_lucky_flag": 1,
            "created_time": china_text(at),
            "confirm_time": china_text(at),
            "pay_time": china_text(at),
            "updated_at": china_text(at),
            "shipping_time": "",
            "receive_time": "",
            "receiver_name": buyer.masked_name,
            "receiver_phone": buyer.masked_phone,
            "country": "中国",
            "province": buyer.province,
            "city": buyer.city,
            "town": buyer.district,
            "address": f"{buyer.town}{buyer.street}",
            "goods_amount": _money(goods),
            "discount_amount": _money(seller_discount),
            "seller_discount": _money(seller_discount),
            "platform_discount": 0.0,
            "postage": 0.0,
            "pay_amount": _money(goods - seller_discount),
            "pay_type": "WEIXIN",
            "tracking_number": "",
            "item_list": [
                {
                    "goods_id": self.listing_ids(line.sku)[0],
                    "sku_id": self.listing_ids(line.sku)[1],
                    "outer_id": line.sku,
                    "outer_goods_id": "",
                    "goods_name": line.title,
                    "goods_spec": "默认",
                    "goods_price": _money(line.price),
                    "goods_count": line.quantity,
                }
                for line in lines
            ],
        }

    def order_id(self, order: Mapping[str, Any]) -> str:
        return str(order["order_sn"])

    def order_touch(self, order: dict, at: datetime) -> None:
        order["updated_at"] = china_text(at)
        if order["order_status"] >= 2 and not order.get("shipping_time"):
            order["shipping_time"] = china_text(at)
            order["tracking_number"] = f"YT{order['order_sn'][-10:]}"
        if order["order_status"] == 3 and not order.get("receive_time"):
            order["receive_time"] = china_text(at)

    # --- after-sales cases (pdd.refund.list.increment.get): the buyers ask, the simulator moves them on
    def refunds_increment(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        for name in ("after_sales_status", "after_sales_type"):
            if not params.get(name):
                raise refuse(10000, "参数错误", f"{name}不能为空")
        status, kind = _int(params, "after_sales_status"), _int(params, "after_sales_type")
        start, end = _int(params, "start_updated_at"), _int(params, "end_updated_at")
        if not 0 < end - start <= 30 * 60:
            raise refuse(10000, "参数错误", "开始时间结束时间间距不超过 30 分钟")
        page, page_size = _int(params, "page", 1), _int(params, "page_size", 100)
        if page < 1 or not 1 <= page_size <= 100:
            raise refuse(10000, "参数错误", "page_size 取值 1 到 100")
        cases = [
            case
            for case in self.records("refund")
            if status in (1, case["after_sales_status"]) and kind in (1, case["after_sales_type"])
        ]
        inside = window_filter(cases, _case_updated, from_unix(start), from_unix(end))
        return "refund_increment_get_response", {
            "refund_list": page_of(inside, page, page_size),
            "total_count": len(inside),
        }

    def refund_create(
        self,
        order_sn: str,
        *,
        amount: Decimal | None = None,
        reason: str = "不想要了",
        status: int = 2,
        kind: int = 2,
        line: int = 0,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """A buyer opens an after-sales case (``kind`` 2 仅退款) on one line of ``order_sn`` (all that
        line paid, unless ``amount``), as the list answers it."""
        order = self.record("order", str(order_sn))
        if order is None:
            raise KeyError(f"no order {order_sn!r} in this sandbox mall")
        item = order["item_list"][line]
        moment = china_text(at or django_timezone.now())
        case_id = self.next_number("refund", 5_200_000_001)
        # The line's price, but never more than the order paid (a seller discount comes off it).
        paid = min(Decimal(str(item["goods_price"])) * item["goods_count"], Decimal(str(order["pay_amount"])))
        case = {
            "id": case_id,
            "order_sn": order["order_sn"],
            "after_sales_status": status,
            "after_sales_type": kind,
            "after_sale_reason": reason,
            "refund_amount": f"{amount if amount is not None else paid:.2f}",
            "order_amount": f"{Decimal(str(order['pay_amount'])):.2f}",
            "discount_amount": f"{Decimal(str(order['discount_amount'])):.2f}",
            "goods_id": item["goods_id"],
            "sku_id": str(item["sku_id"]),
            "outer_id": item["outer_id"],
            "outer_goods_id": item["outer_goods_id"],
            "goods_name": item["goods_name"],
            "goods_number": str(item["goods_count"]),
            "goods_price": f"{Decimal(str(item['goods_price'])):.2f}",
            "good_image": "",
            "tracking_number": "",
            "confirm_time": order["confirm_time"],
            "created_time": moment,
            "updated_time": moment,
            "speed_refund_flag": 0,
            "speed_refund_status": "",
        }
        self.record_save("refund", str(case_id), case)
        return case

    def refund_update(self, case_id: int | str, *, status: int, at: datetime | None = None) -> dict[str, Any]:
        """Moves a case on (10 退款成功, 11 买家撤销 …), stamped updated ``at`` (now by default)."""
        case = self.record("refund", str(case_id))
        if case is None:
            raise KeyError(f"no after-sales case {case_id!r} in this sandbox mall")
        case.update(after_sales_status=status, updated_time=china_text(at or django_timezone.now()))
        self.record_save("refund", str(case_id), case)
        return case


def _case_updated(case: Mapping[str, Any]) -> datetime:
    return china_time(case["updated_time"])
