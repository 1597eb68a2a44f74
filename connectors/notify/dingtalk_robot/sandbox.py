"""A local DingTalk robot: checks the token, the timestamp window (one hour) and the signature, keeps each message.

Answers ``{"errcode":0,"errmsg":"ok"}``; ``300001`` for an unknown token; ``310000`` ("sign not
match") for a bad signature or a stale timestamp. Messages: ``SandboxRecord`` kind ``dingtalk``.
"""

from __future__ import annotations

import json
import secrets
import time

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse
from . import signing
from .client import DEFAULT_ENDPOINT

SANDBOX_CREDENTIALS = {
    "access_token": "sandbox0dingtalk0robot0token0000000000000000000000000000000000",
    "secret": "SECsandbox0dingtalk0secret000000000000000000000000000000000000",
}
MESSAGE = "dingtalk"
WINDOW_MS = 3600 * 1000


class DingTalkRobotSimulator:
    base_url = DEFAULT_ENDPOINT

    def __init__(self, connection: Connection):
        self.connection = connection

    def messages(self) -> list[dict]:
        return [r.data for r in SandboxRecord.objects.filter(connection=self.connection, kind=MESSAGE)]

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "POST" or request.path != "/robot/send":
            return SimResponse(404, b"Not Found", {"Content-Type": "text/plain"})
        if request.param("access_token") != SANDBOX_CREDENTIALS["access_token"]:
            return SimResponse.json(200, {"errcode": 300001, "errmsg": "token is not exist"})
        stamp = request.param("timestamp")
        fresh = stamp.isdigit() and abs(int(stamp) - int(time.time() * 1000)) <= WINDOW_MS
        if not fresh or not signing.verify(stamp, SANDBOX_CREDENTIALS["secret"], request.param("sign")):
            return SimResponse.json(200, {"errcode": 310000, "errmsg": "sign not match"})
        try:
            body = json.loads(request.body)
        except ValueError:
            return SimResponse.json(200, {"errcode": 40035, "errmsg": "缺少参数 json"})
        if body.get("msgtype") not in ("text", "markdown"):
            return SimResponse.json(200, {"errcode": 40035, "errmsg": "不合法的参数"})
        SandboxRecord.objects.create(connection=self.connection, kind=MESSAGE, key=secrets.token_hex(8), data=body)
        return SimResponse.json(200, {"errcode": 0, "errmsg": "ok"})
