"""The own store's webhooks: HMAC-SHA256 over ``timestamp + "." + raw body``, a 5-minute window, dedup on the event id.

The scheme, exactly (doc.md says the same for the store's developers)::

    X-Orderflow-Timestamp: <unix seconds, ASCII digits>
    X-Hub-Signature-256:   sha256=<hex of HMAC-SHA256(signing secret, timestamp + "." + raw body)>
    X-Orderflow-Event-Id:  <the store's id of this event; a second delivery with it is acknowledged and ignored>
    X-Orderflow-Event:     order.created | order.updated | order.paid | order.cancelled

The timestamp is inside the signed bytes, so a captured delivery cannot be given a fresh
timestamp; one whose timestamp is more than ``TOLERANCE_SECONDS`` from the server's clock, in
either direction, is refused (401 ``stale_timestamp``). Within the window a replay is caught by
the event id. Neither the event id nor the event type is signed: the order's state comes from the
signed body alone (its ``status`` and ``updated_at``), so a header changed in flight can at most
make the order centre see the same signed view again, which it ignores as not newer.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Mapping
from typing import Any

from core.api.parsers import InvalidJson, json_loads

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ...signing import SIGNATURE_FORMAT, TIMESTAMP_FORMAT, TOLERANCE_SECONDS, signature
from .mapping import inbound_order

SIGNATURE_HEADER = "X-Hub-Signature-256"
TIMESTAMP_HEADER = "X-Orderflow-Timestamp"
EVENT_ID_HEADER = "X-Orderflow-Event-Id"
EVENT_HEADER = "X-Orderflow-Event"

ORDER_CREATED = "order.created"
ORDER_UPDATED = "order.updated"
ORDER_PAID = "order.paid"
ORDER_CANCELLED = "order.cancelled"
EVENTS = (ORDER_CREATED, ORDER_UPDATED, ORDER_PAID, ORDER_CANCELLED)

# One order of at most 200 lines is a few tens of kilobytes; anything larger is not one order.
MAX_BODY_BYTES = 256 * 1024
MAX_EVENT_ID_LENGTH = 128

_SIGNATURE = SIGNATURE_FORMAT
_TIMESTAMP = TIMESTAMP_FORMAT
_EVENT_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_EVENT_ID_LENGTH}}}")  # printable ASCII, no spaces


def _header(request: InboundRequest, name: str) -> str:
    """A header by name, whatever its case (a replay reads the stored headers, a plain dict)."""
    value = request.headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in request.headers.items() if k.lower() == lowered), "")
    return str(value)


class OwnStoreInbound:
    topics: tuple[str, ...] = EVENTS

    def __init__(self, *, clock=time.time) -> None:
        self.clock = clock

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        """Size, signature, timestamp window, then the event headers — each refusal says which header."""
        if len(request.body) > MAX_BODY_BYTES:
            raise Rejected(
                413,
                "payload_too_large",
                f"The body is larger than {MAX_BODY_BYTES} bytes; one order is far smaller.",
                {"limit_bytes": MAX_BODY_BYTES},
            )
        offered = _SIGNATURE.fullmatch(_header(request, SIGNATURE_HEADER).strip())
        if offered is None:
            raise Rejected(
                401,
                "bad_signature",
                f"{SIGNATURE_HEADER} is missing or is not sha256=<64 hex digits>.",
                {"header": SIGNATURE_HEADER},
            )
        timestamp = _header(request, TIMESTAMP_HEADER).strip()
        if not _TIMESTAMP.fullmatch(timestamp):
            raise Rejected(
                401,
                "bad_timestamp",
                f"{TIMESTAMP_HEADER} is missing or is not unix seconds.",
                {"header": TIMESTAMP_HEADER},
            )
        expected = signature(str(credentials["signing_secret"]), timestamp, request.body)
        if not hmac.compare_digest(expected.encode(), offered.group(0).lower().encode()):
            raise Rejected(
                401,
                "bad_signature",
                f"{SIGNATURE_HEADER} does not match the timestamp and the body.",
                {"header": SIGNATURE_HEADER},
            )
        skew = int(timestamp) - int(self.clock())
        if abs(skew) > TOLERANCE_SECONDS:
            raise Rejected(
                401,
                "stale_timestamp",
                f"{TIMESTAMP_HEADER} is {abs(skew)} s {'ahead of' if skew > 0 else 'behind'} the server's clock; "
                f"at most {TOLERANCE_SECONDS} s is accepted. Sign each delivery when you send it.",
                {"header": TIMESTAMP_HEADER, "tolerance_seconds": TOLERANCE_SECONDS},
            )
        event_id = _header(request, EVENT_ID_HEADER).strip()
        if not event_id:
            raise Rejected(400, "missing_event_id", f"{EVENT_ID_HEADER} is required.", {"header": EVENT_ID_HEADER})
        if not _EVENT_ID.fullmatch(event_id):
            raise Rejected(
                400,
                "bad_event_id",
                f"{EVENT_ID_HEADER} must be 1 to {MAX_EVENT_ID_LENGTH} printable ASCII characters without spaces.",
                {"header": EVENT_ID_HEADER},
            )
        if self.topic(request) not in EVENTS:
            raise Rejected(
                400,
                "unknown_event",
                f"{EVENT_HEADER} must be one of {', '.join(EVENTS)}.",
                {"header": EVENT_HEADER, "allowed": list(EVENTS)},
            )

    def topic(self, request: InboundRequest) -> str:
        return _header(request, EVENT_HEADER).strip()

    def dedup_key(self, request: InboundRequest) -> str:
        return _header(request, EVENT_ID_HEADER).strip()

    def parse(self, request: InboundRequest, connection) -> Parsed:
        try:
            payload = json_loads(request.body)
        except InvalidJson as exc:
            raise Rejected(400, exc.code, str(exc.message), exc.details) from None
        except ValueError:
            raise Rejected(400, "malformed_json", "The body is not valid UTF-8 JSON.", {"body": "not JSON"}) from None
        order = inbound_order(payload)
        # A view dated after its own signed sending time would outrank every later, real view of the
        # order (the order centre keeps the newest) and freeze it: refuse it.
        sent_at = _header(request, TIMESTAMP_HEADER).strip()
        latest = (int(sent_at) if _TIMESTAMP.fullmatch(sent_at) else self.clock()) + TOLERANCE_SECONDS
        if order.updated_at.timestamp() > latest:
            raise Rejected(
                400,
                "malformed_payload",
                "The body is not an Orderflow order; details name each field that is wrong.",
                {"updated_at": f"later than the delivery's {TIMESTAMP_HEADER}; send the time of this view"},
            )
        return Parsed(topic=self.topic(request), orders=(order,))

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, b'{"received":true}', "application/json")
