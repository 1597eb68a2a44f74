"""A local SF 丰桥: answers signed route queries and pushes signed routes, moving waybills along.

HTTP (``handle``, at ``https://sfapi.sf-express.com``): ``POST /std/service`` checks ``partnerID``
and ``msgDigest`` like SF (``A1001``/``A1004`` otherwise [unverified codes]) and answers
``EXP_RECE_SEARCH_ROUTES`` with each waybill's routes (``apiResultData`` as JSON text), and the
shipping orders: ``EXP_RECE_CREATE_ORDER``, ``EXP_RECE_SEARCH_ORDER_RESP`` and their cancel
``EXP_RECE_UPDATE_ORDER`` (``dealType`` 2; refused once the waybill has a route node).

``advance(mail_no)`` adds the next node of a waybill's usual life (50 收件 → 30 转运 → 31 到达 →
44 派送 → 80 签收) or the ``op_code`` asked for; ``tick()`` advances every waybill whose last node
is older than ``STEP``; ``push(mail_no)`` builds the signed route push (``sandbox.WebhookCall``).
State lives in ``SandboxRecord`` rows (kind ``waybill``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from .client import (
    ALREADY_CANCELLED,
    BASE_URL,
    CANCEL,
    CREATE_ORDER,
    DUPLICATE_ORDER,
    PICKED_UP,
    ROUTES,
    SEARCH_ORDER,
    SERVICE_PATH,
    UPDATE_ORDER,
)
from .mapping import BEIJING, TIME_FORMAT
from .signing import msg_digest, msg_digest_valid

WAYBILL = "waybill"
ORDER = "order"  # a placed shipping order (EXP_RECE_CREATE_ORDER), keyed by its orderId
STEP = timedelta(minutes=15)
LIFE = (
    ("50", "顺丰速运 已收取快件", "深圳市"),
    ("30", "快件在【深圳宝安中转场】完成分拣，准备发往下一站", "深圳市"),
    ("31", "快件到达【上海浦东中转场】", "上海市"),
    ("44", "快件交给快递员，正在派送途中", "上海市"),
    ("80", "已签收，感谢使用顺丰", "上海市"),
)
FINAL = frozenset({"80", "8000", "99"})
SANDBOX_CREDENTIALS = {"partner_id": "SANDBOX_SF_PARTNER", "check_word": "sandbox-sf-check-word-0123456789"}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SfSimulator:
    base_url = BASE_URL

    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.partner_id = str(credentials["partner_id"])
        self.check_word = str(credentials["check_word"])
        self.clock = clock

    def routes(self, mail_no: str) -> list[dict]:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=WAYBILL, key=mail_no).first()
        return list(record.data.get("routes", [])) if record is not None else []

    def advance(self, mail_no: str, *, op_code: str | None = None, at: datetime | None = None) -> dict:
        record, _ = SandboxRecord.objects.get_or_create(
            connection=self.connection, kind=WAYBILL, key=mail_no, defaults={"data": {"routes": []}}
        )
        routes = list(record.data.get("routes", []))
        code, remark, city = LIFE[min(len(routes), len(LIFE) - 1)]
        if op_code is not None:
            code, remark = op_code, f"操作码 {op_code}"
        moment = (at or datetime.fromtimestamp(int(self.clock()), tz=BEIJING)).astimezone(BEIJING)
        route = {
            "id": str(uuid.uuid4().int)[:15],
            "mailno": mail_no,
            "acceptTime": moment.strftime(TIME_FORMAT),
            "acceptAddress": city,
            "remark": remark,
            "opCode": code,
        }
        record.data = {"routes": [*routes, route]}
        record.save(update_fields=["data", "updated_at"])
        return route

    def tick(self) -> list[str]:
        now = datetime.fromtimestamp(int(self.clock()), tz=BEIJING)
        moved = []
        for record in SandboxRecord.objects.filter(connection=self.connection, kind=WAYBILL).order_by("seq"):
            routes = record.data.get("routes") or []
            if routes and routes[-1]["opCode"] in FINAL:
                continue
            last = datetime.strptime(routes[-1]["acceptTime"], TIME_FORMAT).replace(tzinfo=BEIJING) if routes else None
            if last is None or now - last >= STEP:
                self.advance(record.key)
                moved.append(record.key)
        return moved

    def push(self, mail_no: str, *, check_word: str | None = None) -> WebhookCall:
        msg_data = _dumps({"Body": {"WaybillRoute": self.routes(mail_no)}})
        timestamp = str(int(self.clock() * 1000))
        form = {
            "partnerID": self.partner_id,
            "requestID": str(uuid.uuid4()),
            "serviceCode": "RoutePushService",
            "timestamp": timestamp,
            "msgDigest": msg_digest(msg_data, timestamp, self.check_word if check_word is None else check_word),
            "msgData": msg_data,
        }
        return WebhookCall(headers={"Content-Type": "application/x-www-form-urlencoded"}, body=urlencode(form).encode())

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "POST" or request.path != SERVICE_PATH:
            return SimResponse.json(404, {"apiResultCode": "A1003", "apiErrorMsg": "not found"})
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()}
        response_id = str(uuid.uuid4())
        if form.get("partnerID") != self.partner_id:
            return SimResponse.json(
                200, {"apiResultCode": "A1001", "apiErrorMsg": "partnerID 不存在", "apiResponseID": response_id}
            )
        if not msg_digest_valid(
            form.get("msgData", ""), form.get("timestamp", ""), self.check_word, form.get("msgDigest", "")
        ):
            return SimResponse.json(
                200, {"apiResultCode": "A1004", "apiErrorMsg": "签名错误", "apiResponseID": response_id}
            )
        service = form.get("serviceCode")
        if service not in (ROUTES, CREATE_ORDER, SEARCH_ORDER, UPDATE_ORDER):
            return SimResponse.json(
                200, {"apiResultCode": "A1003", "apiErrorMsg": "服务不存在", "apiResponseID": response_id}
            )
        if service != ROUTES:
            order = self._cancel if service == UPDATE_ORDER else self._order
            data = order(service, form.get("msgData", ""))
            return SimResponse.json(
                200,
                {
                    "apiResultCode": "A1000",
                    "apiErrorMsg": "",
                    "apiResponseID": response_id,
                    "apiResultData": _dumps(data),
                },
            )
        try:
            numbers = [str(n) for n in json.loads(form["msgData"])["trackingNumber"]]
        except (ValueError, KeyError, TypeError):
            data = {"success": False, "errorCode": "S0001", "errorMsg": "trackingNumber 不能为空", "msgData": None}
        else:
            resps = [
                {
                    "mailNo": n,
                    "routes": [{k: v for k, v in r.items() if k not in ("id", "mailno")} for r in self.routes(n)],
                }
                for n in numbers
            ]
            data = {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {"routeResps": resps}}
        return SimResponse.json(
            200,
            {"apiResultCode": "A1000", "apiErrorMsg": "", "apiResponseID": response_id, "apiResultData": _dumps(data)},
        )

    # --- shipping orders (e-waybills) ------------------------------------------------------------

    def waybill_of(self, order_id: str) -> str | None:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=ORDER, key=order_id).first()
        return record.data["waybillNo"] if record is not None else None

    def _order(self, service: str, msg_text: str) -> dict:
        """``EXP_RECE_CREATE_ORDER``: a new orderId gets a new waybill number (and an empty route
        history, so the parcel can move along); a known one is refused as a duplicate (8016).
        ``EXP_RECE_SEARCH_ORDER_RESP``: the waybill of a placed order."""
        try:
            msg = json.loads(msg_text)
            order_id = str(msg["orderId"])
            if not order_id or len(order_id) > 64:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return {"success": False, "errorCode": "1010", "errorMsg": "orderId 不能为空", "msgData": None}
        placed = self.waybill_of(order_id)
        if service == SEARCH_ORDER:
            if placed is None:
                return {"success": False, "errorCode": "8018", "errorMsg": "未获取到订单信息", "msgData": None}
            return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": self._answer(order_id, placed)}
        if placed is not None:
            return {"success": False, "errorCode": DUPLICATE_ORDER, "errorMsg": "重复下单", "msgData": None}
        contacts = {c.get("contactType"): c for c in msg.get("contactInfoList") or [] if isinstance(c, dict)}
        receiver = contacts.get(2) or {}
        if not receiver.get("address") or not (receiver.get("tel") or receiver.get("mobile")):
            return {"success": False, "errorCode": "1014", "errorMsg": "到件方地址或电话不能为空", "msgData": None}
        if not msg.get("cargoDetails"):
            return {"success": False, "errorCode": "1016", "errorMsg": "托寄物信息不能为空", "msgData": None}
        waybill = "SF" + str(uuid.uuid4().int)[:13]
        SandboxRecord.objects.create(
            connection=self.connection,
            kind=ORDER,
            key=order_id,
            data={"waybillNo": waybill, "destCity": str(receiver.get("city", ""))},
        )
        SandboxRecord.objects.get_or_create(
            connection=self.connection, kind=WAYBILL, key=waybill, defaults={"data": {"routes": []}}
        )
        return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": self._answer(order_id, waybill)}

    def cancelled(self, order_id: str) -> bool:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=ORDER, key=order_id).first()
        return bool(record is not None and record.data.get("cancelled"))

    def _cancel(self, service: str, msg_text: str) -> dict:
        """``EXP_RECE_UPDATE_ORDER``: ``dealType`` 2 cancels a placed order whose waybill has no
        route node yet (not picked up); one picked up, or cancelled already, is refused
        [unverified codes]. ``dealType`` 1 (confirm) is answered without change."""
        try:
            msg = json.loads(msg_text)
            order_id = str(msg["orderId"])
            deal_type = int(msg.get("dealType", 1))
            if not order_id or len(order_id) > 64:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return {"success": False, "errorCode": "1010", "errorMsg": "orderId 不能为空", "msgData": None}
        record = SandboxRecord.objects.filter(connection=self.connection, kind=ORDER, key=order_id).first()
        if record is None:
            return {"success": False, "errorCode": "8018", "errorMsg": "未获取到订单信息", "msgData": None}
        waybill = record.data["waybillNo"]
        answer = {"orderId": order_id, "waybillNoInfoList": [{"waybillType": 1, "waybillNo": waybill}]}
        if deal_type != CANCEL:
            return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {**answer, "resStatus": 1}}
        if record.data.get("cancelled"):
            return {"success": False, "errorCode": ALREADY_CANCELLED, "errorMsg": "订单已取消", "msgData": None}
        if self.routes(waybill):
            return {"success": False, "errorCode": PICKED_UP, "errorMsg": "订单已揽收，不能取消", "msgData": None}
        record.data = {**record.data, "cancelled": True}
        record.save(update_fields=["data", "updated_at"])
        return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": {**answer, "resStatus": 2}}

    def _answer(self, order_id: str, waybill: str) -> dict:
        return {
            "orderId": order_id,
            "originCode": "755",
            "destCode": "021",
            "filterResult": 2,
            "waybillNoInfoList": [{"waybillType": 1, "waybillNo": waybill}],
            "routeLabelInfo": [
                {
                    "code": "1000",
                    "message": "SUCCESS",
                    "routeLabelData": {
                        "waybillNo": waybill,
                        "sourceTransferCode": "755WF",
                        "destRouteLabel": "021WE-010",
                        "twoDimensionCode": f"MMM={{'k1':'755WF','k2':'021WE','k5':'{waybill}'}}",
                    },
                }
            ],
        }
