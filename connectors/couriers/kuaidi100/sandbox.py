"""A local Kuaidi100: accepts subscriptions, moves parcels along, pushes signed tracking, answers queries.

HTTP (``handle``, reached through ``connectors.sandbox.SandboxAdapter`` at ``https://poll.kuaidi100.com``):

* ``POST /poll`` (subscribe): form ``schema=json&param=<json>``; ``param.key`` must be the
  connection's key. Answers ``{"result":true,"returnCode":"200","message":"提交成功"}``, or 501
  "重复订阅" for a parcel already subscribed; the callback URL and salt are kept with the parcel.
* ``POST /poll/query.do``: form ``customer``, ``param``, ``sign``; the sign must be
  ``UPPER(MD5(param + key + customer))``. Answers the parcel's tracking (``nu``, ``state``,
  ``data`` newest first), or ``查询无结果`` for a number it does not know.

Deliveries: ``advance(number)`` adds the next node of the usual life of a parcel (揽收 → 在途 →
在途 → 派件 → 签收), or the state asked for; ``tick()`` advances every parcel whose last node is
older than ``STEP`` (the parcel moves "over time"); ``push(number)`` builds the signed form POST
Kuaidi100 would send (``sandbox.WebhookCall``) — call it twice for a duplicate, as Kuaidi100 resends
when the answer is not exactly its success reply.

State lives in ``SandboxRecord`` rows (kind ``parcel``, key: the tracking number).
[unverified] The texts of Kuaidi100's error answers (wrong key, wrong sign) are this simulator's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from .client import (
    BASE_URL,
    LABEL_ALREADY_CANCELLED,
    LABEL_BASE_URL,
    LABEL_PATH,
    LABEL_PICKED_UP,
    QUERY_PATH,
    SUBSCRIBE_PATH,
)
from .mapping import BEIJING, TIME_FORMAT
from .signing import label_sign_valid, push_sign, query_sign

PARCEL = "parcel"
LABEL = "label"  # an electronic waybill placed through label/order, keyed by its number
STEP = timedelta(minutes=15)
LIFE = (
    ("1", "【深圳市】快递员 已揽收"),
    ("0", "【深圳市】快件已发往 上海转运中心"),
    ("0", "【上海市】快件已到达 上海转运中心"),
    ("5", "【上海市】快递员正在派件，电话 13800000000"),
    ("3", "【上海市】已签收，签收人：本人"),
)
FINAL_STATES = frozenset({"3", "4"})

SANDBOX_CREDENTIALS = {
    "customer": "SANDBOXCUSTOMER0000000000000000",
    "key": "sandbox-kuaidi100-key",
    "salt": "sandbox-kuaidi100-salt-0123456789",
}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Kuaidi100Simulator:
    base_url = BASE_URL
    other_base_urls = (LABEL_BASE_URL,)  # the electronic waybill API

    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.customer = str(credentials["customer"])
        self.key = str(credentials["key"])
        self.salt = str(credentials["salt"])
        self.secret = str(credentials.get("secret") or "")
        self.clock = clock

    # --- the parcels ------------------------------------------------------------------------

    def _record(self, number: str) -> SandboxRecord | None:
        return SandboxRecord.objects.filter(connection=self.connection, kind=PARCEL, key=number).first()

    def parcel(self, number: str) -> dict | None:
        record = self._record(number)
        return dict(record.data) if record is not None else None

    def parcel_create(self, number: str, company: str = "yuantong") -> dict:
        """A parcel the courier knows (shipped, not subscribed yet); returns its state."""
        record, _ = SandboxRecord.objects.get_or_create(
            connection=self.connection,
            kind=PARCEL,
            key=number,
            defaults={"data": {"number": number, "company": company, "nodes": [], "subscribed": False}},
        )
        return dict(record.data)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(int(self.clock()), tz=BEIJING)

    def advance(self, number: str, *, state: str | None = None, context: str = "", at: datetime | None = None) -> dict:
        """Adds the parcel's next tracking node (the next step of ``LIFE``, or ``state``); returns the node."""
        data = self.parcel(number) or self.parcel_create(number)
        nodes = data["nodes"]
        step = LIFE[min(len(nodes), len(LIFE) - 1)]
        code = step[0] if state is None else state
        text = context or (step[1] if state is None else f"状态 {state}")
        moment = (at or self._now()).astimezone(BEIJING).strftime(TIME_FORMAT)
        node = {"time": moment, "ftime": moment, "context": text, "location": "", "state": code}
        data["nodes"] = [*nodes, node]
        SandboxRecord.objects.filter(connection=self.connection, kind=PARCEL, key=number).update(data=data)
        return node

    def tick(self) -> list[str]:
        """Advances every subscribed parcel on its way whose last node is older than ``STEP``; returns their numbers."""
        now = self._now()
        moved = []
        for record in SandboxRecord.objects.filter(connection=self.connection, kind=PARCEL).order_by("seq"):
            nodes = record.data.get("nodes") or []
            if not record.data.get("subscribed") or (nodes and nodes[-1]["state"] in FINAL_STATES):
                continue
            last = datetime.strptime(nodes[-1]["time"], TIME_FORMAT).replace(tzinfo=BEIJING) if nodes else None
            if last is None or now - last >= STEP:
                self.advance(record.key)
                moved.append(record.key)
        return moved

    def last_result(self, number: str) -> dict:
        data = self.parcel(number) or {"number": number, "company": "", "nodes": []}
        nodes = data["nodes"]
        state = nodes[-1]["state"] if nodes else "0"
        return {
            "message": "ok",
            "nu": number,
            "ischeck": "1" if state in FINAL_STATES else "0",
            "condition": "00",
            "com": data.get("company", ""),
            "status": "200",
            "state": state,
            "data": [{k: v for k, v in node.items() if k != "state"} for node in reversed(nodes)],
        }

    def push(self, number: str, *, salt: str | None = None) -> WebhookCall:
        """The signed form POST Kuaidi100 sends to the parcel's callback URL with its whole history."""
        data = self.parcel(number) or {}
        result = self.last_result(number)
        status = "shutdown" if result["state"] in FINAL_STATES else "polling"
        param = _dumps(
            {
                "status": status,
                "billstatus": "got",
                "message": "",
                "autoCheck": "0",
                "comOld": "",
                "comNew": "",
                "lastResult": result,
            }
        )
        key = salt if salt is not None else str(data.get("salt") or self.salt)
        body = urlencode({"param": param, "sign": push_sign(param, key)}).encode()
        return WebhookCall(headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)

    # --- HTTP ---------------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "POST":
            return SimResponse.json(405, {"result": False, "returnCode": "405", "message": "只接受 POST"})
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()}
        if request.url.startswith(LABEL_BASE_URL):
            if request.path != LABEL_PATH:
                return SimResponse.json(404, {"success": False, "code": 404, "message": "not found"})
            return self._label(form)
        if request.path == SUBSCRIBE_PATH:
            return self._subscribe(form)
        if request.path == QUERY_PATH:
            return self._query(form)
        return SimResponse.json(404, {"result": False, "returnCode": "404", "message": "not found"})

    def _subscribe(self, form: dict[str, str]) -> SimResponse:
        try:
            param = json.loads(form.get("param", ""))
        except ValueError:
            return SimResponse.json(200, {"result": False, "returnCode": "400", "message": "数据不完整"})
        if form.get("schema") != "json" or not isinstance(param, dict) or not param.get("number"):
            return SimResponse.json(200, {"result": False, "returnCode": "400", "message": "数据不完整"})
        if param.get("key") != self.key:
            return SimResponse.json(200, {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"})
        number = str(param["number"])
        data = self.parcel(number) or self.parcel_create(number, str(param.get("company") or ""))
        if data.get("subscribed"):
            return SimResponse.json(200, {"result": False, "returnCode": "501", "message": "重复订阅"})
        parameters = param.get("parameters") or {}
        data.update(
            subscribed=True,
            company=str(param.get("company") or data.get("company") or ""),
            callbackurl=str(parameters.get("callbackurl", "")),
            salt=str(parameters.get("salt", "")),
        )
        SandboxRecord.objects.filter(connection=self.connection, kind=PARCEL, key=number).update(data=data)
        return SimResponse.json(200, {"result": True, "returnCode": "200", "message": "提交成功"})

    def _query(self, form: dict[str, str]) -> SimResponse:
        param = form.get("param", "")
        if form.get("customer") != self.customer:
            return SimResponse.json(200, {"result": False, "returnCode": "601", "message": "customer 不存在"})
        if form.get("sign", "") != query_sign(param, self.key, self.customer):
            return SimResponse.json(200, {"result": False, "returnCode": "400", "message": "签名错误"})
        try:
            number = str(json.loads(param)["num"])
        except (ValueError, KeyError, TypeError):
            return SimResponse.json(200, {"result": False, "returnCode": "400", "message": "数据不完整"})
        if not (self.parcel(number) or {}).get("nodes"):
            return SimResponse.json(
                200, {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
            )
        return SimResponse.json(200, self.last_result(number))

    def _label(self, form: dict[str, str]) -> SimResponse:
        """``label/order`` ``method=order``: checks ``key`` and ``sign = UPPER(MD5(param + t + key +
        secret))``, then gives a new waybill number (a parcel the tracking side knows, not yet
        subscribed) and a label link. [unverified] error codes and texts are this simulator's."""
        param = form.get("param", "")
        if form.get("method") not in ("order", "cancel"):
            return SimResponse.json(200, {"success": False, "code": 400, "message": "method 参数错误"})
        if form.get("key") != self.key or not self.secret:
            return SimResponse.json(200, {"success": False, "code": 601, "message": "key 不存在或已过期"})
        if not label_sign_valid(param, form.get("t", ""), self.key, self.secret, form.get("sign", "")):
            return SimResponse.json(200, {"success": False, "code": 400, "message": "签名错误"})
        if form["method"] == "cancel":
            return self._label_cancel(param)
        try:
            order = json.loads(param)
            company = str(order["kuaidicom"])
            receiver = order["recMan"]
            if not company or not receiver.get("printAddr") or not receiver.get("mobile"):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            return SimResponse.json(200, {"success": False, "code": 400, "message": "数据不完整"})
        prefix = {"yuantong": "YT", "zhongtong": "ZT", "yunda": "YD", "shentong": "ST"}.get(company, "KD")
        number = prefix + str(int(self.clock() * 1000))[-8:] + str(SandboxRecord.objects.count()).zfill(5)
        self.parcel_create(number, company)
        SandboxRecord.objects.create(
            connection=self.connection, kind=LABEL, key=number, data={"orderId": str(order.get("orderId", ""))}
        )
        data = {
            "kuaidinum": number,
            "kuaidicom": company,
            "taskId": number[-10:],
            "label": f"https://api.kuaidi100.com/label/getImage/{number}",
            "bulkpen": "上海 021-A",
        }
        return SimResponse.json(200, {"success": True, "code": 200, "message": "success", "time": 12, "data": data})

    def label_cancelled(self, number: str) -> bool:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=LABEL, key=number).first()
        return bool(record is not None and record.data.get("cancelled"))

    def _label_cancel(self, param: str) -> SimResponse:
        """``label/order`` ``method=cancel``: voids a waybill this account placed, unless the parcel
        has a tracking node (picked up) or was cancelled already. [unverified] codes and texts."""
        try:
            order = json.loads(param)
            number = str(order["kuaidinum"])
            if not number or not order.get("kuaidicom"):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            return SimResponse.json(200, {"success": False, "code": 400, "message": "数据不完整"})
        record = SandboxRecord.objects.filter(connection=self.connection, kind=LABEL, key=number).first()
        if record is None:
            return SimResponse.json(200, {"success": False, "code": 400, "message": "运单号不存在"})
        if record.data.get("cancelled"):
            return SimResponse.json(
                200, {"success": False, "code": int(LABEL_ALREADY_CANCELLED), "message": "该单号已取消"}
            )
        if (self.parcel(number) or {}).get("nodes"):
            return SimResponse.json(
                200, {"success": False, "code": int(LABEL_PICKED_UP), "message": "已揽收，不可取消"}
            )
        record.data = {**record.data, "cancelled": True, "reason": str(order.get("reason", ""))[:100]}
        record.save(update_fields=["data", "updated_at"])
        return SimResponse.json(200, {"success": True, "code": 200, "message": "success"})
