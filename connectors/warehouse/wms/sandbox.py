"""A local WMS: accepts signed pick lists, picks, packs and ships them after realistic delays, and signs its events.

HTTP (``handle``, reached through ``connectors.sandbox.SandboxAdapter`` at the connection's base URL):

* ``POST /v1/pick-lists``: a signed pick list (doc.md). Answers 201 ``{"pick_list_id", "order_number",
  "status": "accepted"}``, or 200 with the list it holds for an order number it already has
  (idempotent on the order number); 401 for a bad or stale signature, 400 for a malformed list.
* ``GET /v1/ping``: 200 ``{"ok": true}`` to a signed request.

Every answer is signed with the connection's secret, as the real WMS's must be.

Deliveries: ``tick(now)`` advances each pick list by its age — ``picked`` after ``PICK_AFTER``,
``packed`` after ``PACK_AFTER``, ``shipped`` after ``SHIP_AFTER`` (with a tracking number in the
courier's format) — and returns the signed event deliveries (``sandbox.WebhookCall``) it makes, each
once. ``event(order_number, event)`` builds a delivery again (a resend: the same event id).
``shortage_set(order_number, lines)`` makes the warehouse ship other lines than ordered (failures on
demand). State lives in ``SandboxRecord`` rows (kind ``pick_list``, key: the order number).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from ..fulfilment import PACKED, PICKED, SHIPPED
from .client import PICK_LISTS_PATH, PING_PATH, origin
from .webhook import signature_problem, signed_headers

PICK_LIST = "pick_list"
PICK_AFTER = timedelta(minutes=1)
PACK_AFTER = timedelta(minutes=2)
SHIP_AFTER = timedelta(minutes=3)
STAGES = ((PICKED, PICK_AFTER), (PACKED, PACK_AFTER), (SHIPPED, SHIP_AFTER))
# The tracking numbers of the courier sandboxes' formats: 圆通 YT + 13 digits, 顺丰 SF + 13 digits.
TRACKING_PREFIX = {"yuantong": "YT", "zhongtong": "ZT", "sf": "SF", "shunfeng": "SF"}
WAREHOUSE_CODE = "SBX-WH1"


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class WmsSimulator:
    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.base_url = origin(str(credentials["base_url"]))
        self.secret = str(credentials["signing_secret"])
        self.clock = clock

    # --- HTTP ---------------------------------------------------------------------------------

    def _answer(self, status: int, payload: dict) -> SimResponse:
        body = _dumps(payload)
        return SimResponse(status, body, signed_headers(self.secret, body, timestamp=int(self.clock())))

    def handle(self, request: SimRequest) -> SimResponse:
        problem = signature_problem(self.secret, request.headers, request.body, now=self.clock())
        if problem is not None:
            return self._answer(problem.status, {"code": problem.code, "message": problem.message})
        if request.path == PING_PATH and request.method == "GET":
            return self._answer(200, {"ok": True})
        if request.path == PICK_LISTS_PATH and request.method == "POST":
            return self._pick_list(request)
        return self._answer(404, {"code": "not_found", "message": "no such endpoint"})

    def _pick_list(self, request: SimRequest) -> SimResponse:
        try:
            pick_list = json.loads(request.body)
        except ValueError:
            return self._answer(400, {"code": "malformed_json", "message": "the body is not JSON"})
        number = pick_list.get("order_number") if isinstance(pick_list, dict) else None
        lines = pick_list.get("lines") if isinstance(pick_list, dict) else None
        if not isinstance(number, str) or not number or not isinstance(lines, list) or not lines:
            return self._answer(400, {"code": "malformed_pick_list", "message": "order_number and lines are required"})
        stored = SandboxRecord.objects.filter(connection=self.connection, kind=PICK_LIST, key=number).first()
        if stored is not None:
            return self._answer(200, self._public(stored.data))
        received = int(self.clock())
        data = {
            "pick_list_id": f"PL{self.connection.pk}-{received}-{random.Random(number).randrange(10**6):06d}",
            "pick_list": pick_list,
            "received_at": received,
            "sent": [],
            "ship_lines": None,
        }
        SandboxRecord.objects.create(connection=self.connection, kind=PICK_LIST, key=number, data=data)
        return self._answer(201, self._public(data))

    @staticmethod
    def _public(data: dict) -> dict:
        return {
            "pick_list_id": data["pick_list_id"],
            "order_number": data["pick_list"]["order_number"],
            "status": data["sent"][-1] if data["sent"] else "accepted",
        }

    # --- the warehouse at work ----------------------------------------------------------------

    def pick_list(self, order_number: str) -> dict | None:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=PICK_LIST, key=order_number).first()
        return dict(record.data) if record is not None else None

    def shortage_set(self, order_number: str, lines: list[dict]) -> None:
        """The warehouse will ship ``lines`` ([{sku, quantity}]) instead of the pick list's lines."""
        data = self.pick_list(order_number)
        if data is None:
            raise ValueError(f"no pick list for {order_number}")
        data["ship_lines"] = lines
        SandboxRecord.objects.filter(connection=self.connection, kind=PICK_LIST, key=order_number).update(data=data)

    def tick(self, now: datetime | None = None) -> list[WebhookCall]:
        """Advances every pick list by its age at ``now``; returns the signed events now due, oldest list first."""
        now = now or datetime.fromtimestamp(self.clock(), tz=UTC)
        calls: list[WebhookCall] = []
        for record in SandboxRecord.objects.filter(connection=self.connection, kind=PICK_LIST).order_by("seq"):
            data = record.data
            if SHIPPED in data["sent"]:
                continue
            received = datetime.fromtimestamp(data["received_at"], tz=UTC)
            due = [event for event, after in STAGES if now - received >= after and event not in data["sent"]]
            if not due:
                continue
            data["sent"] = [*data["sent"], *due]
            if SHIPPED in due:
                data["tracking_no"] = self._tracking_no(data)
            SandboxRecord.objects.filter(pk=record.pk).update(data=data)
            calls.extend(self.event(record.key, event, occurred_at=now) for event in due)
        return calls

    def _tracking_no(self, data: dict) -> str:
        printed = data["pick_list"].get("tracking_no")
        if printed:  # the parcel came with its e-waybill label: the warehouse ships under that number
            return str(printed)
        carrier = data["pick_list"].get("courier_preference", {}).get("carrier") or "yuantong"
        prefix = TRACKING_PREFIX.get(carrier, "YT")
        rng = random.Random(f"wms:{self.connection.pk}:{data['pick_list']['order_number']}")
        return f"{prefix}{rng.randrange(10**12, 10**13)}"

    def event(self, order_number: str, event: str, *, occurred_at: datetime | None = None) -> WebhookCall:
        """The signed delivery of ``event`` for the order's pick list (its id is the same every time)."""
        data = self.pick_list(order_number)
        if data is None:
            raise ValueError(f"no pick list for {order_number}")
        body: dict = {
            "event_id": f"wms-{self.connection.pk}-{order_number}-{event}",
            "event": event,
            "order_number": order_number,
            "occurred_at": (occurred_at or datetime.fromtimestamp(self.clock(), tz=UTC)).isoformat(),
            "warehouse": WAREHOUSE_CODE,
        }
        if event == SHIPPED:
            preference = data["pick_list"].get("courier_preference", {})
            lines = data.get("ship_lines") or [
                {"sku": line["sku"], "quantity": line["quantity"]} for line in data["pick_list"]["lines"]
            ]
            body["shipment"] = {
                "courier": preference.get("courier") or "kuaidi100",
                "carrier": preference.get("carrier") or "yuantong",
                "tracking_no": data.get("tracking_no") or self._tracking_no(data),
                "lines": lines,
            }
        raw = _dumps(body)
        return WebhookCall(headers=signed_headers(self.secret, raw, timestamp=int(self.clock())), body=raw)
