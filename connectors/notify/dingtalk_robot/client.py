"""DingTalk custom group robot (钉钉自定义机器人): ``POST /robot/send?access_token=…&timestamp=…&sign=…``.

Text (``at.atMobiles`` mentions) or markdown. ``errcode`` 0 is success; ``130101`` (sending too fast:
20 a minute per robot) and 5xx are retryable; a bad token (``300001``) or signature (``310000``) is not.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import requests

from ..channels import MARKDOWN, OutgoingMessage, SendReceipt
from ..robots import robot_post
from . import signing

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_ENDPOINT = "https://oapi.dingtalk.com"
RETRYABLE = frozenset({130101, -1})


def credentials_of(connection: Connection) -> dict:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


class DingTalkRobotClient:
    def __init__(self, connection: Connection, session: requests.Session):
        credentials = credentials_of(connection)
        self.session = session
        self.access_token = str(credentials["access_token"])
        self.secret = str(credentials["secret"])
        self.endpoint = str(credentials.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/")

    def __repr__(self) -> str:
        return "DingTalkRobotClient()"

    def url(self, timestamp_ms: int | None = None) -> str:
        timestamp_ms = timestamp_ms or int(time.time() * 1000)
        sign = signing.sign(timestamp_ms, self.secret)
        return f"{self.endpoint}/robot/send?access_token={self.access_token}&timestamp={timestamp_ms}&sign={sign}"

    def send(self, message: OutgoingMessage, *, idempotency_key: str) -> SendReceipt:
        """DingTalk has no idempotency key: the log's receipt keeps a retried step from posting twice."""
        if message.format == MARKDOWN:
            body: dict = {
                "msgtype": "markdown",
                "markdown": {"title": message.subject or message.text[:20], "text": message.text},
            }
        else:
            body = {"msgtype": "text", "text": {"content": message.text}}
        body["at"] = {"atMobiles": list(message.mentions), "isAtAll": False}
        return robot_post(self.session, self.url(), body, name="DingTalk", retryable_codes=RETRYABLE)


def check(client: DingTalkRobotClient) -> None:
    """DingTalk's robot has no read endpoint: test connection posts a short text to the group."""
    client.send(OutgoingMessage(recipient="", text="Orderflow 连接测试 / connection test"), idempotency_key="check")
