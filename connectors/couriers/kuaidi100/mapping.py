"""Kuaidi100's tracking payload (``lastResult`` of a push, the answer of a realtime query) in Orderflow's words.

``STATE_MAP`` is the one table from Kuaidi100's main states (PROTOCOLS.md 4.1) to shipment
statuses. A state Kuaidi100 adds later, or a sub-state this table does not know, is read as
``in_transit`` with its code kept on the tracking event (the parcel keeps moving; nothing is
guessed as signed or failed).

Which state each node has: the newest node carries ``lastResult.state``; every node also carries
its own state when the subscription asked for ``resultv2`` (the ``status`` text 在途/签收…, or a
``statusCode``). A node with neither is ``in_transit`` — an older node of a parcel is a scan on
its way. Times are Beijing time without a zone (``2024-05-02 09:10:00``) and stored in UTC.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from commerce.shipments import statuses
from commerce.shipments.services import TrackingInput

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# state code → (Kuaidi100's name, shipment status)
STATES: dict[str, tuple[str, str]] = {
    "0": ("在途", statuses.IN_TRANSIT),
    "1": ("揽收", statuses.IN_TRANSIT),
    "2": ("疑难", statuses.EXCEPTION),
    "3": ("签收", statuses.SIGNED),
    "4": ("退签", statuses.RETURNED),
    "5": ("派件", statuses.OUT_FOR_DELIVERY),
    "6": ("退回", statuses.RETURNED),
    "7": ("转投", statuses.IN_TRANSIT),
    "8": ("清关", statuses.IN_TRANSIT),
    "10": ("待清关", statuses.IN_TRANSIT),
    "11": ("清关中", statuses.IN_TRANSIT),
    "12": ("已清关", statuses.IN_TRANSIT),
    "13": ("清关异常", statuses.EXCEPTION),
    "14": ("拒签", statuses.EXCEPTION),
}
STATE_MAP: dict[str, str] = {code: status for code, (_name, status) in STATES.items()}
_BY_NAME: dict[str, str] = {name: code for code, (name, _status) in STATES.items()}


class BadTracking(ValueError):
    """The payload is not Kuaidi100 tracking; ``field`` names what is wrong."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def status_of(code: str) -> str:
    return STATE_MAP.get(code, statuses.IN_TRANSIT)


def node_code(node: dict) -> str:
    """A node's own main state code, when the subscription's ``resultv2`` gave one; else ``""``."""
    code = str(node.get("statusCode") or "")
    if code in STATES:
        return code
    return _BY_NAME.get(str(node.get("status") or ""), "")


def parse_time(value, field: str) -> datetime:
    try:
        return datetime.strptime(str(value), TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        raise BadTracking(field, f"not a time in the form {TIME_FORMAT}") from None


def tracking_inputs(result: object, *, where: str = "lastResult") -> tuple[str, tuple[TrackingInput, ...]]:
    """``(tracking number, nodes)`` of a ``lastResult`` / query answer; ``BadTracking`` when malformed."""
    if not isinstance(result, dict):
        raise BadTracking(where, "an object is required")
    number = result.get("nu")
    if not isinstance(number, str) or not number.strip() or len(number) > 64:
        raise BadTracking(f"{where}.nu", "a tracking number of 1 to 64 characters is required")
    state = str(result.get("state", ""))
    data = result.get("data")
    data = [] if data is None else data
    if not isinstance(data, list):
        raise BadTracking(f"{where}.data", "a list is required")
    nodes = []
    for index, node in enumerate(data):
        if not isinstance(node, dict):
            raise BadTracking(f"{where}.data[{index}]", "an object is required")
        occurred = parse_time(node.get("ftime") or node.get("time"), f"{where}.data[{index}].time")
        nodes.append((occurred, node))
    newest = max((occurred for occurred, _ in nodes), default=None)
    inputs = []
    for occurred, node in nodes:
        code = node_code(node) or (state if occurred == newest else "")
        inputs.append(
            TrackingInput(
                occurred_at=occurred,
                status=status_of(code) if code else statuses.IN_TRANSIT,
                code=code,
                description=str(node.get("context") or "")[:2000],
                location=str(node.get("location") or node.get("areaName") or "")[:200],
                raw=node,
            )
        )
    return number.strip(), tuple(inputs)
