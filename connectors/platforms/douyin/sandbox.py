"""A simulated Douyin shop open API (``https://openapi-fxg.jinritemai.com``) with one sandbox shop.

It verifies what the platform verifies and answers its envelope (``code``, ``msg``, ``sub_code``,
``sub_msg``, ``data``, ``log_id``): an unknown ``app_key`` (40001 ``isv.app-id-missing``), a
``param_json`` that is not a JSON object (40003 ``isv.parameter-format-invalid``), a bad ``sign`` —
computed over the body with its keys sorted, as the platform reads it, so a client that signs
unsorted JSON fails — (40003 ``isv.signature-invalid``), a ``timestamp`` more than 10 minutes off
(40003 ``isv.timestamp-invalid``; the window is the simulator's choice), a call over the configured
frequency limit (60000 触发限流), a path or method it does not serve (70000 ``isp.api-service-off``),
a missing or unknown ``access_token`` (40001 ``isv.access-token-missing``, 40003
``isv.access-token-no-existed``). It serves:

* ``shop.brandList``;
* ``order.searchList`` — the shop's orders updated in the window (a day at most), newest first,
  pages from 0, ``total`` counting them all;
* ``sku.syncStock`` by merchant code (``code``) or ``sku_id`` — the shop lists every SKU of the
  order centre's catalogue, one product each;
* ``order.orderDetail``, ``order.logisticsAdd`` (the whole order) and ``order.logisticsAddMultiPack``
  (a split order's parcels, idempotent by ``request_id``) — the tracking-number write-back.

It also pushes what the platform's message service pushes for a refund it made: ``refund_message``
makes the signed ``206`` (退款成功消息) delivery of an order's refund (``webhook.py``).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.timezone import now as django_now

from ...sandbox import SimRequest, SimResponse, WebhookCall
from ..marketplace import (
    Buyer,
    GatewaySimulator,
    Refusal,
    SimLine,
    china_time,
    from_unix,
    page_of,
    signs_match,
    unix_seconds,
    window_filter,
    yuan_to_fen,
)
from .client import BASE_URL, method_path
from .signing import SIGN_METHODS, douyin_sign, param_json

SANDBOX_CREDENTIALS = {
    "app_key": "7000000000000000001",
    "app_secret": "sandbox-douyin-app-secret",
    "access_token": "sandbox-douyin-access-token",
    "sign_method": "md5",
}
TIMESTAMP_WINDOW = timedelta(minutes=10)
ORDER_ID_BASE = 4_980_000_000_000_000_000
NUMBERS = (("update_time_start", None), ("update_time_end", None), ("page", 0), ("size", 10))
# The company codes (/order/logisticsCompanyList) the sandbox shop may ship with: the ones write-back maps.
COMPANY_CODES = frozenset({"shunfeng", "zhongtong", "yuantong", "yunda", "shentong", "ems", "jd"})
BRANDS = [{"brand_id": 7_100_000_001, "brand_chinese_name": "Orderflow 好物", "brand_english_name": "Orderflow"}]


def envelope(code: int, msg: str, data: Any = None, sub_code: str = "", sub_msg: str = "") -> SimResponse:
    body = {
        "code": code,
        "msg": msg,
        "sub_code": sub_code,
        "sub_msg": sub_msg,
        "data": data,
        "log_id": uuid.uuid4().hex,
    }
    return SimResponse.json(200, body)


def refuse(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> Refusal:
    return Refusal(envelope(code, msg, None, sub_code, sub_msg))


def _sent_at(timestamp: str) -> float:
    """The platform takes unix seconds or Beijing ``yyyy-MM-dd HH:mm:ss`` (older SDKs send the latter)."""
    if timestamp.isdigit():
        return float(timestamp)
    try:
        return china_time(timestamp).timestamp()
    except ValueError:
        raise refuse(40003, "非法的参数（平台校验）", "isv.timestamp-format-error", "时间戳格式错误") from None


def _updated(order: Mapping[str, Any]) -> datetime:
    return from_unix(order["update_time"])


def _cipher(value: str) -> str:
    """How an encrypted receiver field looks: opaque, between ``#`` marks."""
    return "#" + hashlib.sha256(value.encode()).hexdigest()[:40] + "#"


def _place(name: str, code: int) -> dict[str, Any]:
    return {"name": name, "id": str(code)}


class DouyinSimulator(GatewaySimulator):
    base_url = BASE_URL
    platform = "douyin"
    app = SANDBOX_CREDENTIALS
    item_base = 3_600_000_000_000_000_000  # product ids
    sku_base = 1_700_000_000_000_000

    def answer(self, request: SimRequest) -> SimResponse:
        query = {key: values[0] for key, values in request.query.items()}
        if query.get("app_key") != self.app["app_key"]:
            raise refuse(40001, "缺少必选参数（平台校验）", "isv.app-id-missing", "认证失败，app_key不存在")
        try:
            business = json.loads(request.body or b"{}")
        except ValueError:
            business = None
        if not isinstance(business, dict):
            raise refuse(40003, "非法的参数（平台校验）", "isv.parameter-format-invalid", "业务参数json解析失败")
        method = query.get("method", "")
        sign_method = query.get("sign_method") or "md5"
        expected = (
            douyin_sign(
                app_key=self.app["app_key"],
                app_secret=self.app["app_secret"],
                method=method,
                param_json=param_json(business),
                timestamp=query.get("timestamp", ""),
                sign_method=sign_method,
            )
            if sign_method in SIGN_METHODS
            else ""
        )
        if not expected or not signs_match(expected, query.get("sign", "").lower()):
            raise refuse(40003, "非法的参数（平台校验）", "isv.signature-invalid", "签名校验失败")
        if abs(time.time() - _sent_at(query.get("timestamp", ""))) > TIMESTAMP_WINDOW.total_seconds():
            raise refuse(40003, "非法的参数（平台校验）", "isv.timestamp-invalid", "时间戳不合法")
        if self.throttled() is not None:
            raise refuse(60000, "触发限流，请稍后重试")
        serve = self.methods().get(method)
        if serve is None or request.path != method_path(method):
            raise refuse(70000, "接口服务已下线", "isp.api-service-off", "API不存在或API已下线")
        token = query.get("access_token", "")
        if not token:
            raise refuse(
                40001, "缺少必选参数（平台校验）", "isv.access-token-missing", "认证失败，access_token不能为空"
            )
        if token != self.app["access_token"]:
            raise refuse(
                40003,
                "非法的参数（平台校验）",
                "isv.access-token-no-existed",
                "access_token不存在，请使用最新的access_token访问",
            )
        return envelope(10000, "success", serve(business))

    def methods(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "shop.brandList": lambda business: [dict(brand) for brand in BRANDS],
            "order.searchList": self.order_search,
            "sku.syncStock": self.sku_sync_stock,
            "order.orderDetail": self.order_detail,
            "order.logisticsAdd": self.logistics_add,
            "order.logisticsAddMultiPack": self.logistics_add_multi_pack,
        }

    def order_search(self, business: dict[str, Any]) -> dict[str, Any]:
        numbers: list[Any] = [business.get(name, default) for name, default in NUMBERS]
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in numbers):
            raise refuse(
                40004,
                "非法的参数（业务校验）",
                "isv.business-failed",
                "update_time_start、update_time_end、page、size 须为整数",
            )
        start, end, page, size = numbers
        if not 0 < end - start <= 24 * 3600 or page < 0 or not 1 <= size <= 100:
            raise refuse(
                40004,
                "非法的参数（业务校验）",
                "isv.business-failed",
                "时间跨度不超过一天，page 从 0 开始，size 为 1 到 100",
            )
        inside = window_filter(self.orders(), _updated, from_unix(start), from_unix(end))
        return {"shop_order_list": page_of(inside, page + 1, size), "total": len(inside), "page": page, "size": size}

    def sku_sync_stock(self, business: dict[str, Any]) -> dict[str, Any]:
        quantity, sku_id = business.get("stock_num"), business.get("sku_id")
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise refuse(40004, "非法的参数（业务校验）", "isv.business-failed", "stock_num 须为整数")
        found = (
            self.listing(str(business["code"]))
            if business.get("code")
            else self.listing_find(sku_id=sku_id)
            if isinstance(sku_id, int)
            else None
        )
        if found is None:
            raise refuse(50002, "业务处理失败", "isv.business-failed:SKU不存在", "SKU不存在")
        incremental = business.get("incremental") is True
        if not incremental and quantity < 0:
            raise refuse(40004, "非法的参数（业务校验）", "isv.business-failed", "全量同步时 stock_num 不能小于 0")
        self.stock_set(found, found["quantity"] + quantity if incremental else quantity)
        return {}

    # --- shipping write-back (发货)
    def order_detail(self, business: dict[str, Any]) -> dict[str, Any]:
        order = self.record("order", str(business.get("shop_order_id") or ""))
        if order is None:
            raise refuse(50002, "业务处理失败", "isv.business-failed:60033", "订单不存在，请仔细检查后重试。")
        return {"shop_order_detail": order}

    def _shippable(self, business: dict[str, Any], company: object) -> dict[str, Any]:
        if company not in COMPANY_CODES:
            raise refuse(
                50002, "业务处理失败", "isv.business-failed:60018", "暂不支持该物流公司或物流商已失效，请检查。"
            )
        order = self.record("order", str(business.get("order_id") or ""))
        if order is None:
            raise refuse(50002, "业务处理失败", "isv.business-failed:60033", "订单不存在，请仔细检查后重试。")
        return order

    def logistics_add(self, business: dict[str, Any]) -> dict[str, Any]:
        """The whole order ships (``order_status`` 2 → 3). The same code again is confirmed; another
        code for a shipped order is 60110 订单已发货; a partly shipped order is refused here, as the
        platform refuses it [the repeat's answer is the simulator's choice]."""
        number, company = business.get("logistics_code"), business.get("company_code")
        if not isinstance(number, str) or not number:
            raise refuse(40002, "缺少必选参数", "isv.missing-parameter:60036", "发货信息为空。")
        order = self._shippable(business, company)
        subs = order["sku_order_list"]
        if order["order_status"] != 2:
            if all(sub.get("logistics_code") == number for sub in subs):
                return {}
            raise refuse(50002, "业务处理失败", "isv.business-failed:60110", "订单已发货，不允许再次执行发货。")
        if any(sub.get("logistics_code") for sub in subs):
            raise refuse(
                50002, "业务处理失败", "isv.business-failed:70023", "该订单当前为“部分发货”状态，无法调用此接口"
            )
        for sub in subs:
            sub.update(logistics_code=number, company_code=company)
        order["order_status"] = 3
        self.order_touch(order, django_now())
        self.record_save("order", order["order_id"], order)
        return {}

    def logistics_add_multi_pack(self, business: dict[str, Any]) -> dict[str, Any]:
        """One or more parcels of some sub-orders; all or nothing. A ``request_id`` seen before answers
        the first result again; a sub-order already shipped with another code is 70023 已发货."""
        request_id = business.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise refuse(40002, "缺少必选参数", "isv.missing-parameter", "request_id 必填")
        seen = self.record("pack_request", request_id)
        if seen is not None:
            return seen
        packs = business.get("pack_list")
        if not isinstance(packs, list) or not packs or not all(isinstance(pack, dict) for pack in packs):
            raise refuse(40002, "缺少必选参数", "isv.missing-parameter:60036", "发货信息为空。")
        order = self._shippable(business, packs[0].get("company_code"))
        subs = {str(sub["order_id"]): sub for sub in order["sku_order_list"]}
        changes: list[tuple[dict, str, str]] = []
        for pack in packs:
            number, company = pack.get("logistics_code"), pack.get("company_code")
            if company not in COMPANY_CODES:
                raise refuse(
                    50002, "业务处理失败", "isv.business-failed:60018", "暂不支持该物流公司或物流商已失效，请检查。"
                )
            shipped = pack.get("shipped_order_info")
            if not isinstance(number, str) or not number or not isinstance(shipped, list) or not shipped:
                raise refuse(40002, "缺少必选参数", "isv.missing-parameter:60036", "发货信息为空。")
            for info in shipped:
                sub = subs.get(str(info.get("shipped_order_id") if isinstance(info, dict) else ""))
                if sub is None:
                    raise refuse(50002, "业务处理失败", "isv.business-failed:60102", "商品单不存在，请仔细检查后重试")
                if sub.get("logistics_code") not in (None, "", number):
                    raise refuse(50002, "业务处理失败", "isv.business-failed:70023", "已发货，请检查订单状态")
                changes.append((sub, number, str(company)))
        if order["order_status"] not in (2, 3):
            raise refuse(50002, "业务处理失败", "isv.business-failed:60113", "订单已完结，禁止发货。")
        for sub, number, company in changes:
            sub.update(logistics_code=number, company_code=company, order_status=3)
        now = django_now()
        if all(sub.get("logistics_code") for sub in subs.values()):
            order["order_status"] = 3
            self.order_touch(order, now)
        else:
            order["update_time"] = unix_seconds(now)
            order["order_status_desc"] = "部分发货"
        self.record_save("order", order["order_id"], order)
        answer = {
            "pack_list": [
                {
                    "shipped_order_info": pack["shipped_order_info"],
                    "logistics_code": pack["logistics_code"],
                    "pack_id": str(self.next_number("pack", 9_100_000_000_001)),
                }
                for pack in packs
            ]
        }
        self.record_save("pack_request", request_id, answer)
        return answer

    # --- the shop's orders
    def order_new(self, number: int, lines: list[SimLine], buyer: Buyer, at: datetime) -> dict:
        order_id = str(ORDER_ID_BASE + number)
        goods = sum((line.price * line.quantity for line in lines), Decimal("0"))
        promotion = Decimal("10.00") if goods >= 200 else Decimal("0.00")
        moment = unix_seconds(at)
        address = {
            "province": _place(buyer.province, 11),
            "city": _place(buyer.city, 1101),
            "town": _place(buyer.district, 110105),
            "street": _place(buyer.town, 110105001),
            "detail": "",
        }
        return {
            "order_id": order_id,
            "order_status": 2,
            "order_status_desc": "待发货",
            "main_status": 103,
            "create_time": moment,
            "pay_time": moment,
            "update_time": moment,
            "ship_time": 0,
            "finish_time": 0,
            "order_amount": yuan_to_fen(goods),
            "promotion_amount": yuan_to_fen(promotion),
            "post_amount": 0,
            "pay_amount": yuan_to_fen(goods - promotion),
            "mask_post_receiver": buyer.masked_name,
            "mask_post_tel": buyer.masked_phone,
            "encrypt_post_receiver": _cipher(buyer.name),
            "encrypt_post_tel": _cipher(buyer.phone),
            "post_addr": {**address, "encrypt_detail": _cipher(buyer.street)},
            "mask_post_addr": {**address, "detail": "".join("*" if c.isdigit() else c for c in buyer.street)},
            "sku_order_list": [
                {
                    "order_id": str(int(order_id) + index),
                    "parent_order_id": order_id,
                    "product_id": str(self.listing_ids(line.sku)[0]),
                    "sku_id": self.listing_ids(line.sku)[1],
                    "code": line.sku,
                    "out_sku_id": "",
                    "product_name": line.title,
                    "item_num": line.quantity,
                    "goods_price": yuan_to_fen(line.price),
                    "origin_amount": yuan_to_fen(line.price * line.quantity),
                    "order_status": 2,
                }
                for index, line in enumerate(lines, start=1)
            ],
        }

    def order_id(self, order: Mapping[str, Any]) -> str:
        return str(order["order_id"])

    # --- the message service's push
    def refund_message(
        self,
        order_id: str,
        *,
        amount_fen: int | None = None,
        aftersale_id: int | None = None,
        msg_id: str | None = None,
        tamper: bool = False,
        tag: str = "206",
    ) -> WebhookCall:
        """The ``206`` push of a refund the platform made of ``order_id`` (all it was paid, unless
        ``amount_fen``), signed as the platform signs it: ``event-sign`` = MD5(app_key + body + app_secret).

        ``aftersale_id`` and ``msg_id``: pass an earlier push's to make the same refund again, or
        the same delivery again. ``tamper``: the amount is changed after signing. ``tag``: ``200``
        for the buyer's application of the case (买家发起售后申请), ``207`` for its closing (售后关闭).
        """
        from .webhook import message_sign

        order = self.record("order", order_id)
        if order is None:
            raise KeyError(order_id)
        amount = amount_fen if amount_fen is not None else int(order["pay_amount"])
        aftersale = aftersale_id or self.next_number("aftersale", 7_300_000_000_000_000_000)
        data = {
            "aftersale_id": aftersale,
            "aftersale_status": {"200": 6, "207": 28}.get(tag, 12),
            "aftersale_type": 1,
            "p_id": int(order_id),
            "s_id": int(order["sku_order_list"][0]["order_id"]),
            "shop_id": 77_000_001,
            "reason_code": 7,
            "refund_amount": amount,
            "refund_post_amount": 0,
            "refund_voucher_num": 0,
            {"200": "apply_time", "207": "close_time"}.get(tag, "success_time"): int(time.time()),
        }
        message = {
            "tag": tag,
            "msg_id": msg_id or uuid.uuid4().hex,
            "data": json.dumps(data, separators=(",", ":")),
        }
        body = json.dumps([message], ensure_ascii=False, separators=(",", ":")).encode()
        sign = message_sign(app_key=self.app["app_key"], app_secret=self.app["app_secret"], body=body)
        if tamper:
            body = body.replace(
                f'\\"refund_amount\\":{amount}'.encode(), f'\\"refund_amount\\":{amount + 100}'.encode()
            )
        headers = {"Content-Type": "application/json", "event-sign": sign, "app-id": self.app["app_key"]}
        return WebhookCall(headers=headers, body=body)

    def order_touch(self, order: dict, at: datetime) -> None:
        order["update_time"] = unix_seconds(at)
        order["order_status_desc"] = {1: "待支付", 2: "待发货", 3: "已发货", 4: "已取消", 5: "已完成"}.get(
            order["order_status"], ""
        )
        if order["order_status"] in (3, 5) and not order.get("ship_time"):
            order["ship_time"] = unix_seconds(at)
        if order["order_status"] == 5 and not order.get("finish_time"):
            order["finish_time"] = unix_seconds(at)
        for item in order["sku_order_list"]:
            item["order_status"] = order["order_status"]
