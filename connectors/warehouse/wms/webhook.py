"""The WMS's event webhooks: signed like every message of the link, read strictly, deduplicated on the event id.

Every message between Orderflow and the WMS, in both directions, carries (doc.md says the same
for the WMS's developers)::

    X-WMS-Timestamp: <unix seconds, ASCII digits>
    X-WMS-Signature: sha256=<hex of HMAC-SHA256(signing secret, timestamp + "." + raw body)>

(``connectors.signing``, the scheme of the own store's webhooks) and a timestamp more than 5
minutes from the receiver's clock is refused. An event's body::

    {"event_id": "wms-OF2405011234567890-shipped",
     "event": "picked" | "packed" | "shipped",
     "order_number": "OF2405011234567890",
     "occurred_at": "2026-03-01T10:20:00+08:00",
     "shipment": {"courier": "kuaidi100", "carrier": "yuantong", "tracking_no": "YT1234567890123",
                  "lines": [{"sku": "TEA-0001", "quantity": 2}]}}          shipped only

The event id and type are inside the signed body, so nothing that decides what happens can be
changed in flight; a second delivery of an event id is acknowledged and ignored.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.api.parsers import InvalidJson, json_loads

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ...signing import SIGNATURE_FORMAT, TIMESTAMP_FORMAT, TOLERANCE_SECONDS, signature, signature_matches
from ..fulfilment import PACKED, PICKED, SHIPPED, ShippedParcel, WarehouseEventReceived

SIGNATURE_HEADER = "X-WMS-Signature"
TIMESTAMP_HEADER = "X-WMS-Timestamp"
EVENTS = (PICKED, PACKED, SHIPPED)
SOURCE = "webhook:wms"

# One parcel of at most 200 lines is a few tens of kilobytes.
MAX_BODY_BYTES = 256 * 1024
MAX_LINES = 200
MAX_QUANTITY = 100_000
MAX_PROBLEMS = 50
TOP_FIELDS = frozenset({"event_id", "event", "order_number", "occurred_at", "shipment", "warehouse"})
SHIPMENT_FIELDS = frozenset({"courier", "carrier", "tracking_no", "lines"})
LINE_FIELDS = frozenset({"sku", "quantity"})
_TOKEN = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no spaces: ids, numbers, codes


def signed_headers(secret: str, body: bytes, *, timestamp: int) -> dict[str, str]:
    """The headers of a message of the link sent at ``timestamp`` (either direction)."""
    sent_at = str(timestamp)
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: sent_at,
        SIGNATURE_HEADER: signature(secret, sent_at, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return str(value).strip()


def signature_problem(secret: str, headers: Mapping[str, str], body: bytes, *, now: float) -> Rejected | None:
    """Why a message of the link is not to be trusted (401 ``bad_signature``, ``bad_timestamp`` or
    ``stale_timestamp``), or ``None``. Shared by the webhook and the client's check of answers."""
    offered = _header(headers, SIGNATURE_HEADER)
    if not SIGNATURE_FORMAT.fullmatch(offered):
        return Rejected(
            401,
            "bad_signature",
            f"{SIGNATURE_HEADER} is missing or is not sha256=<64 hex digits>.",
            {"header": SIGNATURE_HEADER},
        )
    timestamp = _header(headers, TIMESTAMP_HEADER)
    if not TIMESTAMP_FORMAT.fullmatch(timestamp):
        return Rejected(
            401, "bad_timestamp", f"{TIMESTAMP_HEADER} is missing or is not unix seconds.", {"header": TIMESTAMP_HEADER}
        )
    if not signature_matches(secret, timestamp, body, offered):
        return Rejected(
            401,
            "bad_signature",
            f"{SIGNATURE_HEADER} does not match the timestamp and the body.",
            {"header": SIGNATURE_HEADER},
        )
    skew = int(timestamp) - int(now)
    if abs(skew) > TOLERANCE_SECONDS:
        return Rejected(
            401,
            "stale_timestamp",
            f"{TIMESTAMP_HEADER} is {abs(skew)} s {'ahead of' if skew > 0 else 'behind'} the receiver's clock; "
            f"at most {TOLERANCE_SECONDS} s is accepted. Sign each message when you send it.",
            {"header": TIMESTAMP_HEADER, "tolerance_seconds": TOLERANCE_SECONDS},
        )
    return None


class _Problems:
    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.setdefault(path, message)


def _object(value: Any, path: str, allowed: frozenset[str], problems: _Problems) -> dict:
    if not isinstance(value, dict):
        problems.add(path or "body", "must be a JSON object")
        return {}
    for name in sorted(set(value) - allowed):
        problems.add(f"{path}.{name}" if path else name, "unknown field")
    return value


def _token(data: dict, name: str, path: str, problems: _Problems, *, required: bool = True, limit: int = 64) -> str:
    where = f"{path}.{name}" if path else name
    value = data.get(name)
    if value is None or value == "":
        if required:
            problems.add(where, "required")
        return ""
    if not isinstance(value, str) or len(value) > limit or not _TOKEN.fullmatch(value):
        problems.add(where, f"1 to {limit} printable characters without spaces")
        return ""
    return value


def _lines(value: Any, problems: _Problems) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_LINES:
        problems.add("shipment.lines", f"a list of 1 to {MAX_LINES} lines")
        return ()
    lines = []
    for index, item in enumerate(value):
        path = f"shipment.lines.{index}"
        line = _object(item, path, LINE_FIELDS, problems)
        sku = _token(line, "sku", path, problems)
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
            problems.add(f"{path}.quantity", f"a whole number from 1 to {MAX_QUANTITY}")
        elif sku:
            lines.append((sku, quantity))
    return tuple(lines)


def warehouse_event(payload: Any, *, source: str = SOURCE) -> WarehouseEventReceived:
    """The event a verified body describes, or ``Rejected`` (400 ``malformed_payload``) naming every wrong field."""
    problems = _Problems()
    body = _object(payload, "", TOP_FIELDS, problems)
    event_id = _token(body, "event_id", "", problems, limit=128)
    event = body.get("event")
    if event not in EVENTS:
        problems.add("event", f"one of {', '.join(EVENTS)}")
    order_number = _token(body, "order_number", "", problems, limit=32)
    occurred_at = None
    text = body.get("occurred_at")
    try:
        occurred_at = datetime.fromisoformat(text) if isinstance(text, str) and len(text) <= 40 else None
    except ValueError:
        occurred_at = None
    if occurred_at is None or occurred_at.tzinfo is None:
        problems.add("occurred_at", "an ISO 8601 time with its zone, e.g. 2026-03-01T10:20:00+08:00")
    parcel = None
    if event == SHIPPED:
        shipment = _object(body.get("shipment"), "shipment", SHIPMENT_FIELDS, problems)
        courier = _token(shipment, "courier", "shipment", problems, limit=32)
        carrier = _token(shipment, "carrier", "shipment", problems, required=False, limit=32)
        tracking_no = _token(shipment, "tracking_no", "shipment", problems)
        lines = _lines(shipment.get("lines"), problems)
        parcel = ShippedParcel(courier=courier, carrier=carrier, tracking_no=tracking_no, lines=lines)
    elif "shipment" in body:
        problems.add("shipment", f"only a {SHIPPED} event carries a shipment")
    if problems.found:
        raise Rejected(
            400,
            "malformed_payload",
            "The body is not a WMS event; details name each field that is wrong.",
            dict(problems.found),
        )
    assert occurred_at is not None and isinstance(event, str)
    return WarehouseEventReceived(
        event=event,
        event_id=event_id,
        order_number=order_number,
        occurred_at=occurred_at,
        parcel=parcel,
        source=source,
    )


def _payload(request: InboundRequest) -> Any:
    try:
        return json_loads(request.body)
    except InvalidJson as exc:
        raise Rejected(400, exc.code, str(exc.message), exc.details) from None
    except ValueError:
        raise Rejected(400, "malformed_json", "The body is not valid UTF-8 JSON.", {"body": "not JSON"}) from None


class WmsInbound:
    topics: tuple[str, ...] = EVENTS

    def __init__(self, *, clock=time.time) -> None:
        self.clock = clock

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        if len(request.body) > MAX_BODY_BYTES:
            raise Rejected(
                413,
                "payload_too_large",
                f"The body is larger than {MAX_BODY_BYTES} bytes; one event is far smaller.",
                {"limit_bytes": MAX_BODY_BYTES},
            )
        problem = signature_problem(str(credentials["signing_secret"]), request.headers, request.body, now=self.clock())
        if problem is not None:
            raise problem

    def topic(self, request: InboundRequest) -> str:
        payload = _payload(request)
        event = payload.get("event") if isinstance(payload, dict) else None
        return event if event in EVENTS else "unknown"

    def dedup_key(self, request: InboundRequest) -> str:
        payload = _payload(request)
        return str(payload.get("event_id", "")) if isinstance(payload, dict) else ""

    def parse(self, request: InboundRequest, connection) -> Parsed:
        event = warehouse_event(_payload(request))
        return Parsed(topic=event.event, effects=(event,))

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, json.dumps({"received": True}).encode(), "application/json")
