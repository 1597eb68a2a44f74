"""WeCom group robot (企业微信群机器人): ``POST /cgi-bin/webhook/send?key=…`` at ``qyapi.weixin.qq.com``.

Text (``text.content`` with ``mentioned_mobile_list``) or markdown (``markdown.content``; WeCom's
markdown mentions with ``<@userid>`` in the text, so ``mentions`` go only with text). ``errcode`` 0 is
success; ``45009`` (over the robot's limit: 20 messages a minute), ``-1`` (system busy) and 5xx are
retryable; ``93000`` (an invalid webhook key) and every other code are not. The key is the robot's
only credential: it is never put in an error or a log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from ..channels import MARKDOWN, OutgoingMessage, SendReceipt
from ..robots import robot_post

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_ENDPOINT = "https://qyapi.weixin.qq.com"
RETRYABLE = frozenset({45009, -1})
INVALID_KEY = 93000


def credentials_of(connection: Connection) -> dict:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


def body_of(message: OutgoingMessage) -> dict:
    if message.format == MARKDOWN:
        return {"msgtype": "markdown", "markdown": {"content": message.text}}
    return {"msgtype": "text", "text": {"content": message.text, "mentioned_mobile_list": list(message.mentions)}}


class WeComRobotClient:
    def __init__(self, connection: Connection, session: requests.Session):
        credentials = credentials_of(connection)
        self.session = session
        self.key = str(credentials["key"])
        self.endpoint = DEFAULT_ENDPOINT

    def __repr__(self) -> str:  # never the key
        return "WeComRobotClient()"

    def url(self) -> str:
        return f"{self.endpoint}/cgi-bin/webhook/send?key={self.key}"

    def send(self, message: OutgoingMessage, *, idempotency_key: str) -> SendReceipt:
        """WeCom has no idempotency key: the log's receipt keeps a retried step from posting twice."""
        return robot_post(self.session, self.url(), body_of(message), name="WeCom", retryable_codes=RETRYABLE)


def check(client: WeComRobotClient) -> None:
    """WeCom's robot has no read endpoint: test connection posts a short text to the group."""
    client.send(OutgoingMessage(recipient="", text="Orderflow 连接测试 / connection test"), idempotency_key="check")
