"""A simulated TOP gateway (``https://eco.taobao.com/router/rest``) with one sandbox shop.

It refuses what TOP refuses, with TOP's ``error_response`` (codes: see ``client.py``): an unknown
``app_key`` (29), a bad or missing ``sign`` under any of the three sign methods (25), a
``timestamp`` more than 10 minutes off (31), a call over the configured frequency limit (7, "This
ban will last for N more seconds"), an unknown ``method`` (22), a missing or wrong ``session``
(26, 27). It serves:

* ``taobao.time.get``, ``taobao.user.seller.get``;
* ``taobao.trades.sold.increment.get`` — the shop's trades modified in the window (≤ 1 day),
  newest first, ``total_results`` or ``has_next``; like TOP it answers only part of each trade
  (here: no ``receiver_*`` fields), so a client must ask ``taobao.trade.fullinfo.get``;
* ``taobao.trade.fullinfo.get``;
* ``taobao.tmc.messages.consume`` / ``confirm`` — every trade created or changed in the shop queues
  a ``taobao_trade_TradeCreate`` / ``TradeChanged`` / ``TradeClose`` message; a consumed message
  not confirmed within ``tmc_redeliver_seconds`` (``configure``; 300 by default — TMC's real delay
  is not documented here) is handed out again;
* ``taobao.skus.custom.get`` and ``taobao.item.quantity.update`` — the shop lists every SKU of the
  order centre's catalogue, one item each;
* ``taobao.refunds.receive.get`` — the refunds buyers asked for in the shop (``refund_create``,
  moved on by ``refund_update``), modified in the window, newest first, ``total_results`` or
  ``has_next``, only the ``fields`` asked for.
"""

from __future__ import annotations

import json
import time
import uuid
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
from .signing import SIGN_METHODS, top_sign

SANDBOX_CREDENTIALS = {
    "app_key": "12345678",
    "app_secret": "sandbox-top-app-secret",
    "session": "sandbox-top-session",
    "sign_method": "md5",
}
SELLER = {"user_id": 2200000000001, "nick": "orderflow沙箱旗舰店", "type": "B"}
TIMESTAMP_WINDOW = timedelta(minutes=10)
NO_SESSION = frozenset({"taobao.time.get"})
LIST_OMITS = ("receiver_",)  # what the incremental list leaves out of a trade
CLOSED = ("TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO")
SHIPPED = ("SELLER_CONSIGNED_PART", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_BUYER_SIGNED", "TRADE_FINISHED")
TID_BASE = 2231958349000000


def refuse(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> Refusal:
    error: dict[str, Any] = {"code": code, "msg": msg}
    if sub_code:
        error["sub_code"] = sub_code
    if sub_msg:
        error["sub_msg"] = sub_msg
    error["request_id"] = uuid.uuid4().hex[:13]
    return Refusal(SimResponse.json(200, {"error_response": error}))


def _selected(trade: Mapping[str, Any], fields: str, omit: tuple[str, ...] = ()) -> dict[str, Any]:
    wanted = {name.strip() for name in fields.split(",") if name.strip()}
    return {key: value for key, value in trade.items() if key in wanted and not key.startswith(omit)}


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    value = params.get(name, "")
    if value == "":
        return default
    if not value.isdigit():
        raise refuse(41, "Invalid arguments", f"isv.invalid-parameter:{name}", f"{name} is not a number")
    return int(value)


def _modified(trade: Mapping[str, Any]) -> datetime:
    return china_time(trade["modified"])


class TaobaoSimulator(GatewaySimulator):
    base_url = BASE_URL
    platform = "taobao"
    app = SANDBOX_CREDENTIALS

    def answer(self, request: SimRequest) -> SimResponse:
        if request.path != "/router/rest":
            return SimResponse(404, b"Not Found")
        params = self.request_params(request)
        if params.get("app_key") != self.app["app_key"]:
            raise refuse(29, "Invalid app Key", "isv.appkey-not-exists")
        if (params.get("sign_method") or "md5") not in SIGN_METHODS:
            raise refuse(
                25, "Invalid signature", "isv.invalid-signature", "sign_method is not md5, hmac or hmac-sha256"
            )
        offered = params.get("sign", "")
        if not offered or not signs_match(top_sign(params, self.app["app_secret"]), offered.upper()):
            raise refuse(25, "Invalid signature")
        try:
            sent_at = china_time(params.get("timestamp", ""))
        except ValueError:
            raise refuse(
                31, "Invalid timestamp", "isv.invalid-timestamp", "timestamp is not yyyy-MM-dd HH:mm:ss"
            ) from None
        if abs(timezone.now() - sent_at) > TIMESTAMP_WINDOW:
            raise refuse(31, "Invalid timestamp", "isv.invalid-timestamp", "timestamp is more than 10 minutes off")
        ban = self.throttled()
        if ban is not None:
            raise refuse(
                7,
                "App Call Limited",
                "accesscontrol.limited-by-app-access-count",
                f"This ban will last for {ban} more seconds",
            )
        method = params.get("method", "")
        serve = self.methods().get(method)
        if serve is None:
            raise refuse(22, "Invalid method")
        if method not in NO_SESSION:
            if not params.get("session"):
                raise refuse(26, "Missing session")
            if params["session"] != self.app["session"]:
                raise refuse(27, "Invalid session", "invalid-sessionkey", "SessionKey非法")
        answer = serve(params)
        answer["request_id"] = uuid.uuid4().hex[:13]
        return self.json_answer({response_key(method): answer})

    def methods(self) -> dict[str, Callable[[dict[str, str]], dict[str, Any]]]:
        return {
            "taobao.time.get": lambda params: {"time": china_text(timezone.now())},
            "taobao.user.seller.get": lambda params: {"user": _selected(SELLER, params.get("fields", "user_id,nick"))},
            "taobao.trades.sold.increment.get": self.trades_increment,
            "taobao.trade.fullinfo.get": self.trade_fullinfo,
            "taobao.tmc.messages.consume": self.tmc_consume,
            "taobao.tmc.messages.confirm": self.tmc_confirm,
            "taobao.skus.custom.get": self.skus_custom,
            "taobao.item.quantity.update": self.item_quantity_update,
            "taobao.logistics.offline.send": self.logistics_offline_send,
            "taobao.refunds.receive.get": self.refunds_receive,
        }

    # --- trades
    def trades_increment(self, params: dict[str, str]) -> dict[str, Any]:
        fields, start, end = _fields_and_window(params)
        if not start < end <= start + timedelta(days=1):
            raise refuse(15, "Remote service error", "isv.invalid-parameter", "修改时间跨度不能大于一天")
        page_no, page_size = _int(params, "page_no", 1), _int(params, "page_size", 40)
        if page_no < 1 or not 1 <= page_size <= 100:
            raise refuse(41, "Invalid arguments", "isv.invalid-parameter:page_size", "page_size is 1 to 100")
        inside = window_filter(self.orders(), _modified, start, end)
        trades = [_selected(trade, fields, LIST_OMITS) for trade in page_of(inside, page_no, page_size)]
        answer: dict[str, Any] = {"trades": {"trade": trades}} if trades else {}
        if params.get("use_has_next") == "true":
            answer["has_next"] = page_no * page_size < len(inside)
        else:
            answer["total_results"] = len(inside)
        return answer

    def trade_fullinfo(self, params: dict[str, str]) -> dict[str, Any]:
        trade = self.record("order", params.get("tid", ""))
        if trade is None:
            raise refuse(15, "Remote service error", "isv.trade-not-exist", "交易不存在")
        return {"trade": _selected(trade, params.get("fields", ""))}

    # --- TMC
    def tmc_consume(self, params: dict[str, str]) -> dict[str, Any]:
        quantity = _int(params, "quantity", 100)
        if not 10 <= quantity <= 200:
            raise refuse(41, "Invalid arguments", "isv.invalid-parameter:quantity", "quantity is 10 to 200")
        now = time.time()
        redeliver = float(self.config().get("tmc_redeliver_seconds", 300))
        handed: list[dict[str, Any]] = []
        for queued in self.records("message"):
            due = queued["state"] == "new" or (
                queued["state"] == "delivered" and queued["delivered_at"] <= now - redeliver
            )
            if not due:
                continue
            message = {**queued["message"], "outgoing_time": china_text(timezone.now())}
            self.record_save("message", str(message["id"]), {**queued, "state": "delivered", "delivered_at": now})
            handed.append(message)
            if len(handed) == quantity:
                break
        return {"messages": {"tmc_message": handed}} if handed else {}

    def tmc_confirm(self, params: dict[str, str]) -> dict[str, Any]:
        for message_id in filter(None, params.get("s_message_ids", "").split(",")):
            queued = self.record("message", message_id.strip())
            if queued is not None:
                self.record_save("message", message_id.strip(), {**queued, "state": "confirmed"})
        return {"is_success": True}

    def messages(self) -> list[dict[str, Any]]:
        """The queued TMC messages with their state (``new``, ``delivered``, ``confirmed``), for tests."""
        return self.records("message")

    def message_queue(self, topic: str, trade: Mapping[str, Any]) -> None:
        number = self.next_number("message", 7_000_000_001)
        content = {
            "tid": trade["tid"],
            "oid": trade["orders"]["order"][0]["oid"],
            "status": trade["status"],
            "payment": trade["payment"],
            "type": trade["type"],
            "buyer_nick": trade["buyer_nick"],
            "seller_nick": SELLER["nick"],
        }
        message = {
            "id": number,
            "topic": topic,
            "pub_app_key": self.app["app_key"],
            "pub_time": china_text(timezone.now()),
            "user_id": SELLER["user_id"],
            "user_nick": SELLER["nick"],
            "content": json.dumps(content, ensure_ascii=False, separators=(",", ":")),
        }
        self.record_save("message", str(number), {"message": message, "state": "new", "delivered_at": None})

    # --- stock
    def skus_custom(self, params: dict[str, str]) -> dict[str, Any]:
        outer_id = params.get("outer_id", "")
        if not outer_id:
            raise refuse(40, "Missing required arguments", "isv.missing-parameter:outer_id")
        found = self.listing(outer_id)
        if found is None:
            return {}
        sku = {
            "sku_id": found["sku_id"],
            "num_iid": found["item_id"],
            "outer_id": outer_id,
            "quantity": found["quantity"],
        }
        return {"skus": {"sku": [_selected(sku, params.get("fields", "sku_id,num_iid,outer_id,quantity"))]}}

    def item_quantity_update(self, params: dict[str, str]) -> dict[str, Any]:
        found = self.listing(params.get("outer_id", ""))
        if found is None or str(found["item_id"]) != params.get("num_iid"):
            raise refuse(15, "Remote service error", "isv.item-not-exist", "商品或SKU不存在")
        kind = params.get("type", "1")
        try:
            quantity = int(params.get("quantity", ""))
        except ValueError:
            raise refuse(41, "Invalid arguments", "isv.invalid-parameter:quantity") from None
        if kind == "1" and quantity < 0:
            raise refuse(41, "Invalid arguments", "isv.invalid-parameter:quantity", "全量更新时库存必须大于等于0")
        stored = self.stock_set(found, quantity if kind == "1" else found["quantity"] + quantity)
        return {
            "item": {"num_iid": stored["item_id"], "num": stored["quantity"], "modified": china_text(timezone.now())}
        }

    # --- shipping write-back
    def logistics_offline_send(self, params: dict[str, str]) -> dict[str, Any]:
        """The seller's tracking number for the trade, or for some of its sub-orders (``is_split=1``,
        ``sub_tid``). Each sub-order keeps the number it shipped with; the trade becomes
        ``SELLER_CONSIGNED_PART`` until every sub-order shipped, then ``WAIT_BUYER_CONFIRM_GOODS``.
        The same number for the same sub-orders again is confirmed again [unverified: TOP's own
        answer to a repeat]; another number for a shipped sub-order is refused."""
        tid, out_sid, company = params.get("tid", ""), params.get("out_sid", ""), params.get("company_code", "")
        for name, value in (("tid", tid), ("out_sid", out_sid), ("company_code", company)):
            if not value:
                raise refuse(40, "Missing required arguments", f"isv.missing-parameter:{name}")
        trade = self.record("order", tid)
        if trade is None:
            raise refuse(15, "Remote service error", "isv.trade-not-exist", "交易不存在")
        lines = trade["orders"]["order"]
        if params.get("is_split") == "1":
            wanted = set(params.get("sub_tid", "").split(","))
            chosen = [line for line in lines if line["oid_str"] in wanted]
            if not chosen or len(chosen) != len(wanted):
                raise refuse(15, "Remote service error", "isv.logistics-offline-service-error:B27", "子订单不存在")
        else:
            chosen = lines
        if trade["status"] not in ("WAIT_SELLER_SEND_GOODS", "SELLER_CONSIGNED_PART"):
            if all(line.get("out_sid") == out_sid for line in chosen):
                return {"shipping": {"is_success": True}}
            raise refuse(15, "Remote service error", "isv.logistics-offline-service-error:B04", "交易状态不允许发货")
        for line in chosen:
            if line.get("out_sid") and line["out_sid"] != out_sid:
                raise refuse(15, "Remote service error", "isv.logistics-offline-service-error:B04", "子订单已发货")
            line.update(out_sid=out_sid, company_code=company, status="WAIT_BUYER_CONFIRM_GOODS")
        whole = all(line.get("out_sid") for line in lines)
        trade["status"] = "WAIT_BUYER_CONFIRM_GOODS" if whole else "SELLER_CONSIGNED_PART"
        trade["modified"] = china_text(timezone.now())
        if whole and not trade.get("consign_time"):
            trade["consign_time"] = trade["modified"]
        self.record_save("order", tid, trade)
        return {"shipping": {"is_success": True}}

    # --- the shop's trades
    def order_new(self, number: int, lines: list[SimLine], buyer: Buyer, at: datetime) -> dict:
        tid = TID_BASE + number
        goods = sum((line.price * line.quantity for line in lines), Decimal("0"))
        post_fee = Decimal("0.00") if goods >= 99 else Decimal("8.00")
        return {
            "tid": tid,
            "tid_str": str(tid),
            "type": "fixed",
            "status": "WAIT_SELLER_SEND_GOODS",
            "created": china_text(at),
            "pay_time": china_text(at),
            "modified": china_text(at),
            "payment": f"{goods + post_fee:.2f}",
            "total_fee": f"{goods:.2f}",
            "post_fee": f"{post_fee:.2f}",
            "discount_fee": "0.00",
            "buyer_nick": buyer.masked_name,
            "receiver_name": buyer.masked_name,
            "receiver_mobile": "*******" + buyer.phone[-4:],
            "receiver_phone": "",
            "receiver_state": buyer.province,
            "receiver_city": buyer.city,
            "receiver_district": buyer.district,
            "receiver_town": buyer.town,
            "receiver_address": buyer.street,
            "receiver_zip": buyer.postcode,
            "orders": {
                "order": [
                    {
                        "oid": tid * 10 + index,
                        "oid_str": str(tid * 10 + index),
                        "num_iid": self.listing_ids(line.sku)[0],
                        "sku_id": str(self.listing_ids(line.sku)[1]),
                        "outer_sku_id": line.sku,
                        "outer_iid": "",
                        "title": line.title,
                        "num": line.quantity,
                        "price": f"{line.price:.2f}",
                        "total_fee": f"{line.price * line.quantity:.2f}",
                        "payment": f"{line.price * line.quantity:.2f}",
                        "status": "WAIT_SELLER_SEND_GOODS",
                        "refund_status": "NO_REFUND",
                    }
                    for index, line in enumerate(lines, start=1)
                ]
            },
        }

    def order_id(self, order: Mapping[str, Any]) -> str:
        return str(order["tid_str"])

    def order_touch(self, order: dict, at: datetime) -> None:
        order["modified"] = china_text(at)
        if order["status"] in SHIPPED and not order.get("consign_time"):
            order["consign_time"] = china_text(at)
        if order["status"] in ("TRADE_FINISHED", *CLOSED) and not order.get("end_time"):
            order["end_time"] = china_text(at)
        for item in order["orders"]["order"]:
            item["status"] = order["status"]

    def order_created(self, order: dict) -> None:
        self.message_queue("taobao_trade_TradeCreate", order)

    def order_changed(self, order: dict, changes: Mapping[str, Any]) -> None:
        closed = order["status"] in CLOSED
        self.message_queue("taobao_trade_TradeClose" if closed else "taobao_trade_TradeChanged", order)

    # --- refunds (taobao.refunds.receive.get): the shop's buyers ask, the simulator moves them on
    def refunds_receive(self, params: dict[str, str]) -> dict[str, Any]:
        fields, start, end = _fields_and_window(params)
        if not start < end:
            raise refuse(15, "Remote service error", "isv.invalid-parameter", "开始时间必须早于结束时间")
        page_no, page_size = _int(params, "page_no", 1), _int(params, "page_size", 40)
        if page_no < 1 or not 1 <= page_size <= 100:
            raise refuse(41, "Invalid arguments", "isv.invalid-parameter:page_size", "page_size is 1 to 100")
        wanted = params.get("status", "")
        refunds = [refund for refund in self.records("refund") if not wanted or refund["status"] == wanted]
        inside = window_filter(refunds, _modified, start, end)
        listed = [_selected(refund, fields) for refund in page_of(inside, page_no, page_size)]
        answer: dict[str, Any] = {"refunds": {"refund": listed}} if listed else {}
        if params.get("use_has_next") == "true":
            answer["has_next"] = page_no * page_size < len(inside)
        else:
            answer["total_results"] = len(inside)
        return answer

    def refund_create(
        self,
        tid: str,
        *,
        amount: Decimal | None = None,
        reason: str = "七天无理由退换货",
        status: str = "WAIT_SELLER_AGREE",
        line: int = 0,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """A buyer asks for a refund of one line of trade ``tid`` (all that line paid, unless
        ``amount``), as TOP lists it; ``status`` as the refund starts."""
        trade = self.record("order", str(tid))
        if trade is None:
            raise KeyError(f"no trade {tid!r} in this sandbox shop")
        order = trade["orders"]["order"][line]
        moment = china_text(at or timezone.now())
        refund_id = str(self.next_number("refund", 86_000_000_000_001))
        refund = {
            "refund_id": refund_id,
            "tid": trade["tid"],
            "oid": order["oid"],
            "title": order["title"],
            "buyer_nick": trade["buyer_nick"],
            "seller_nick": SELLER["nick"],
            "total_fee": order["total_fee"],
            "payment": order["payment"],
            "refund_fee": f"{amount if amount is not None else Decimal(order['payment']):.2f}",
            "status": status,
            "created": moment,
            "modified": moment,
            "reason": reason,
            "desc": "",
            "has_good_return": False,
            "good_status": "BUYER_NOT_RECEIVED",
            "order_status": trade["status"],
            "outer_id": order["outer_sku_id"],
            "num": order["num"],
            "num_iid": order["num_iid"],
            "sku": order["sku_id"],
            "refund_phase": "onsale",
        }
        self.record_save("refund", refund_id, refund)
        return refund

    def refund_update(self, refund_id: str, *, status: str, at: datetime | None = None) -> dict[str, Any]:
        """Moves a refund on (``SUCCESS``, ``CLOSED`` …), stamped modified ``at`` (now by default)."""
        refund = self.record("refund", str(refund_id))
        if refund is None:
            raise KeyError(f"no refund {refund_id!r} in this sandbox shop")
        refund.update(status=status, modified=china_text(at or timezone.now()))
        self.record_save("refund", str(refund_id), refund)
        return refund


def _fields_and_window(params: dict[str, str]) -> tuple[str, datetime, datetime]:
    """The ``fields`` and the ``start_modified``/``end_modified`` window every incremental list takes."""
    fields = params.get("fields", "")
    if not fields:
        raise refuse(40, "Missing required arguments", "isv.missing-parameter:fields")
    try:
        return fields, china_time(params["start_modified"]), china_time(params["end_modified"])
    except (KeyError, ValueError):
        raise refuse(40, "Missing required arguments", "isv.missing-parameter:start_modified,end_modified") from None
