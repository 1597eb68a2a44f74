"""Kuaidi100's push callback: a form POST of ``param`` (JSON text) and ``sign``, verified before it is read.

``sign = UPPER(MD5(param + salt))`` with the salt this connection gave at subscribe
(PROTOCOLS.md 4.1; the realtime query's ``MD5(param + key + customer)`` is *not* the push's).
The form is read only to find the two fields; ``param`` is parsed as JSON only after its
signature matched. Kuaidi100 counts a push delivered only when the answer is exactly
``{"result":true,"returnCode":"200","message":"成功"}`` and otherwise retries it (3 times, 35
minutes apart), so duplicates are normal: the dedup key is the tracking number + the newest
node's time + the state, and the tracking events are deduplicated again on time + status.

Topics: ``push.<status>`` of the push — ``polling`` (tracking goes on), ``shutdown`` (tracking
ended, usually signed), ``updateall`` (the whole history again), ``abort`` (Kuaidi100 stopped:
no record for 3 days or no change for 60; re-subscribe at least 30 minutes later).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from core.api.parsers import InvalidJson, is_storable_text, json_loads, printable_name

from ...base import Acknowledgement, InboundRequest, Parsed, Rejected
from ..tracking import TrackingPushed
from .mapping import BadTracking, tracking_inputs
from .signing import push_sign_valid

COURIER = "kuaidi100"
TOPICS = ("push.polling", "push.shutdown", "push.updateall", "push.abort")
# A parcel's full history is a few kilobytes; a hundred nodes of long text stay far below this.
MAX_BODY_BYTES = 256 * 1024
SUCCESS = json.dumps(
    {"result": True, "returnCode": "200", "message": "成功"}, ensure_ascii=False, separators=(",", ":")
)


def _form(request: InboundRequest) -> dict[str, str]:
    try:
        text = request.body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise Rejected(
            400, "malformed_form", "The body is not an x-www-form-urlencoded form.", {"body": "not a form"}
        ) from None
    unstorable = sorted(
        printable_name(name)
        for name, values in fields.items()
        if not is_storable_text(name) or not all(is_storable_text(value) for value in values)
    )
    if unstorable:
        raise Rejected(
            400, "invalid_text", "A form field holds a NUL character, which cannot be stored.", {"params": unstorable}
        )
    return {name: values[0] for name, values in fields.items()}


def _payload(request: InboundRequest) -> dict:
    param = _form(request).get("param", "")
    try:
        payload = json_loads(param)
    except InvalidJson as exc:
        raise Rejected(400, exc.code, str(exc.message), {"param": exc.details}) from None
    except ValueError:
        raise Rejected(400, "malformed_json", "The field param is not JSON.", {"param": "not JSON"}) from None
    if not isinstance(payload, dict):
        raise Rejected(400, "malformed_json", "The field param is not a JSON object.", {"param": "not an object"})
    return payload


class Kuaidi100Inbound:
    topics: tuple[str, ...] = TOPICS

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        if len(request.body) > MAX_BODY_BYTES:
            raise Rejected(
                413,
                "payload_too_large",
                f"The body is larger than {MAX_BODY_BYTES} bytes; one parcel's tracking is far smaller.",
                {"limit_bytes": MAX_BODY_BYTES},
            )
        fields = _form(request)
        param, offered = fields.get("param"), fields.get("sign")
        if not param:
            raise Rejected(400, "missing_field", "The form has no param field.", {"param": "required"})
        if not offered:
            raise Rejected(
                401, "bad_signature", "The form has no sign field; subscribe with a salt.", {"sign": "required"}
            )
        if not push_sign_valid(param, str(credentials.get("salt", "")), offered):
            raise Rejected(401, "bad_signature", "sign does not match MD5(param + salt).", {"sign": "mismatch"})

    def topic(self, request: InboundRequest) -> str:
        status = _payload(request).get("status")
        return f"push.{status}" if f"push.{status}" in TOPICS else "push.unknown"

    def dedup_key(self, request: InboundRequest) -> str:
        result = _payload(request).get("lastResult") or {}
        number = str(result.get("nu", "")) if isinstance(result, dict) else ""
        data = result.get("data") if isinstance(result, dict) else None
        times = [str(node.get("ftime") or node.get("time") or "") for node in data or () if isinstance(node, dict)]
        return f"{number}:{max(times, default='')}:{result.get('state', '') if isinstance(result, dict) else ''}"

    def parse(self, request: InboundRequest, connection) -> Parsed:
        payload = _payload(request)
        topic = self.topic(request)
        try:
            number, events = tracking_inputs(payload.get("lastResult"))
        except BadTracking as bad:
            raise Rejected(
                400, "malformed_payload", "The push is not Kuaidi100 tracking.", {f"param.{bad.field}": bad.problem}
            ) from None
        if not events:
            return Parsed(topic=topic, handled=False)
        return Parsed(topic=topic, effects=(TrackingPushed(COURIER, number, events, f"webhook:{COURIER}"),))

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, SUCCESS.encode("utf-8"), "application/json;charset=utf-8")
