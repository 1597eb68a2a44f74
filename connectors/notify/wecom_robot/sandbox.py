"""A local WeCom group robot: checks the webhook key, the message's shape and size, keeps each message.

Answers ``{"errcode":0,"errmsg":"ok"}``; ``93000`` ("invalid webhook url") for an unknown key;
``40008`` for an unknown ``msgtype``; ``40058`` for a text over 2048 bytes (markdown: 4096);
a fault set on demand (``fault_set(45009)``) answers that code until it is cleared. Messages:
``SandboxRecord`` kind ``wecom``.
"""

from __future__ import annotations

import json
import secrets

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse
from .client import DEFAULT_ENDPOINT, INVALID_KEY

SANDBOX_CREDENTIALS = {"key": "00000000-0000-4000-8000-0000sandbox0"}
MESSAGE = "wecom"
FAULT = "wecom_fault"
MAX_BYTES = {"text": 2048, "markdown": 4096}


class WeComRobotSimulator:
    base_url = DEFAULT_ENDPOINT

    def __init__(self, connection: Connection):
        self.connection = connection

    def messages(self) -> list[dict]:
        return [r.data for r in SandboxRecord.objects.filter(connection=self.connection, kind=MESSAGE)]

    def fault_set(self, errcode: int, *, on: bool = True) -> None:
        if on:
            SandboxRecord.objects.get_or_create(connection=self.connection, kind=FAULT, key=str(errcode))
        else:
            SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=str(errcode)).delete()

    @staticmethod
    def _answer(errcode: int, errmsg: str) -> SimResponse:
        return SimResponse.json(200, {"errcode": errcode, "errmsg": errmsg})

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "POST" or request.path != "/cgi-bin/webhook/send":
            return SimResponse(404, b"Not Found", {"Content-Type": "text/plain"})
        if request.param("key") != SANDBOX_CREDENTIALS["key"]:
            return self._answer(INVALID_KEY, "invalid webhook url")
        fault = SandboxRecord.objects.filter(connection=self.connection, kind=FAULT).first()
        if fault is not None:
            return self._answer(int(fault.key), "the sandbox was asked to answer this")
        try:
            body = json.loads(request.body)
        except ValueError:
            return self._answer(40002, "invalid json")
        msgtype = body.get("msgtype") if isinstance(body, dict) else None
        if msgtype not in MAX_BYTES:
            return self._answer(40008, "invalid message type")
        content = str((body.get(msgtype) or {}).get("content", ""))
        if not content:
            return self._answer(41009, "missing content")
        if len(content.encode()) > MAX_BYTES[msgtype]:
            return self._answer(40058, f"content exceed max length {MAX_BYTES[msgtype]}")
        SandboxRecord.objects.create(connection=self.connection, kind=MESSAGE, key=secrets.token_hex(8), data=body)
        return self._answer(0, "ok")
