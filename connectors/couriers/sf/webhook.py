"""SF's route push: waybill route nodes pushed to Orderflow, verified by ``msgDigest`` before they are read.

[unverified] How SF signs its route push was not found (PROTOCOLS.md 4.2). Orderflow asks for
the push in the same signed form as SF's requests — form fields ``partnerID``, ``requestID``,
``serviceCode`` (``RoutePushService``), ``timestamp``, ``msgDigest``, ``msgData`` — where
``msgData`` is the documented JSON ``{"Body": {"WaybillRoute": [{id, mailno, orderid,
acceptTime, acceptAddress, remark, opCode, …}]}}`` and ``msgDigest`` is computed with the
partner's check word exactly as for requests. Without a valid digest nothing is read.
The reply SF expects is ``{"return_code":"0000","return_msg":"成功"}`` [secondary].
Dedup key: the waybill numbers + the newest node's time + its opCode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from core.api.parsers import InvalidJson, is_storable_text, json_loads, printable_name

from ...base import Acknowledgement, Effect, InboundRequest, Parsed, Rejected
from ..tracking import TrackingPushed
from .mapping import BadRoute, mail_no_of, route_input
from .signing import msg_digest_valid

COURIER = "sf"
TOPIC = "route.push"
MAX_BODY_BYTES = 256 * 1024
SUCCESS = b'{"return_code":"0000","return_msg":"\xe6\x88\x90\xe5\x8a\x9f"}'


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


def _routes(request: InboundRequest) -> list:
    try:
        payload = json_loads(_form(request).get("msgData", ""))
    except InvalidJson as exc:
        raise Rejected(400, exc.code, str(exc.message), {"msgData": exc.details}) from None
    except ValueError:
        raise Rejected(400, "malformed_json", "The field msgData is not JSON.", {"msgData": "not JSON"}) from None
    routes = payload.get("Body", {}).get("WaybillRoute") if isinstance(payload, dict) else None
    if isinstance(payload, dict) and isinstance(payload.get("Body"), dict) and isinstance(routes, list):
        return routes
    raise Rejected(
        400, "malformed_payload", "msgData is not a route push.", {"msgData.Body.WaybillRoute": "a list is required"}
    )


class SfInbound:
    topics: tuple[str, ...] = (TOPIC,)

    def verify(self, request: InboundRequest, credentials: Mapping[str, Any]) -> None:
        if len(request.body) > MAX_BODY_BYTES:
            raise Rejected(
                413,
                "payload_too_large",
                f"The body is larger than {MAX_BODY_BYTES} bytes.",
                {"limit_bytes": MAX_BODY_BYTES},
            )
        fields = _form(request)
        missing = [name for name in ("partnerID", "timestamp", "msgDigest", "msgData") if not fields.get(name)]
        if missing:
            raise Rejected(
                400, "missing_field", f"The form has no {missing[0]} field.", {name: "required" for name in missing}
            )
        if fields["partnerID"] != str(credentials.get("partner_id", "")):
            raise Rejected(401, "bad_signature", "partnerID is not this connection's.", {"partnerID": "mismatch"})
        if not msg_digest_valid(
            fields["msgData"], fields["timestamp"], str(credentials.get("check_word", "")), fields["msgDigest"]
        ):
            raise Rejected(
                401,
                "bad_signature",
                "msgDigest does not match msgData + timestamp + check word.",
                {"msgDigest": "mismatch"},
            )

    def topic(self, request: InboundRequest) -> str:
        return TOPIC

    def dedup_key(self, request: InboundRequest) -> str:
        routes = [r for r in _routes(request) if isinstance(r, dict)]
        newest = max(routes, key=lambda r: str(r.get("acceptTime", "")), default={})
        numbers = ",".join(sorted({str(r.get("mailno", "")) for r in routes}))
        return f"{numbers}:{newest.get('acceptTime', '')}:{newest.get('opCode', '')}"

    def parse(self, request: InboundRequest, connection) -> Parsed:
        by_waybill: dict[str, list] = {}
        try:
            for index, route in enumerate(_routes(request)):
                where = f"msgData.Body.WaybillRoute[{index}]"
                event = route_input(route, where)
                by_waybill.setdefault(mail_no_of(route.get("mailno"), f"{where}.mailno"), []).append(event)
        except BadRoute as bad:
            raise Rejected(
                400, "malformed_payload", "The push is not an SF route push.", {bad.field: bad.problem}
            ) from None
        effects: tuple[Effect, ...] = tuple(
            TrackingPushed(COURIER, number, tuple(events), f"webhook:{COURIER}")
            for number, events in by_waybill.items()
        )
        return Parsed(topic=TOPIC, effects=effects, handled=bool(effects))

    def acknowledge(self) -> Acknowledgement:
        return Acknowledgement(200, SUCCESS, "application/json;charset=utf-8")
