"""SF's route nodes in Orderflow's words: ``OP_CODES`` is the one table from ``opCode`` to shipment status.

[unverified] SF publishes its opCode list to partners only; the codes below are the commonly
quoted ones (50 揽收, 80/8000 签收 — PROTOCOLS.md 4.2 marks even these as from memory). Any other
code is read as ``in_transit`` and kept on the tracking event. ``acceptTime`` is Beijing time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from commerce.shipments import statuses
from commerce.shipments.services import TrackingInput

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

OP_CODES: dict[str, tuple[str, str]] = {
    "50": ("顺丰已收件", statuses.IN_TRANSIT),
    "30": ("快件在转运中", statuses.IN_TRANSIT),
    "31": ("快件到达", statuses.IN_TRANSIT),
    "36": ("航班起飞/车辆出发", statuses.IN_TRANSIT),
    "44": ("正在派送途中", statuses.OUT_FOR_DELIVERY),
    "204": ("派送中", statuses.OUT_FOR_DELIVERY),
    "70": ("派送失败", statuses.EXCEPTION),
    "33": ("快件滞留", statuses.EXCEPTION),
    "648": ("拒收", statuses.EXCEPTION),
    "99": ("退回", statuses.RETURNED),
    "80": ("已签收", statuses.SIGNED),
    "8000": ("已签收", statuses.SIGNED),
}
OP_CODE_MAP: dict[str, str] = {code: status for code, (_name, status) in OP_CODES.items()}


class BadRoute(ValueError):
    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def status_of(op_code: str) -> str:
    return OP_CODE_MAP.get(op_code, statuses.IN_TRANSIT)


def route_input(route: object, where: str) -> TrackingInput:
    if not isinstance(route, dict):
        raise BadRoute(where, "an object is required")
    try:
        occurred = datetime.strptime(str(route.get("acceptTime")), TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        raise BadRoute(f"{where}.acceptTime", f"not a time in the form {TIME_FORMAT}") from None
    code = str(route.get("opCode") or "")
    return TrackingInput(
        occurred_at=occurred,
        status=status_of(code),
        code=code[:32],
        description=str(route.get("remark") or "")[:2000],
        location=str(route.get("acceptAddress") or "")[:200],
        raw=route,
    )


def mail_no_of(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise BadRoute(where, "a waybill number of 1 to 64 characters is required")
    return value.strip()
