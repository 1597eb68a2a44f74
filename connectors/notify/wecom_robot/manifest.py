"""WeCom group robot (企业微信群机器人): posts to a team's group through the robot's webhook key."""

from pathlib import Path

from ...base import NOTIFY, Connector, letter_logo
from .client import WeComRobotClient, check
from .sandbox import SANDBOX_CREDENTIALS, WeComRobotSimulator

CONNECTOR = Connector(
    key="wecom_robot",
    name_en="WeCom group robot",
    name_zh="企业微信群机器人",
    kind=NOTIFY,
    logo=letter_logo("企", "#2B7FFF"),
    description_en="Posts alerts and notices to a WeCom group through its robot's webhook.",
    description_zh="通过群机器人 Webhook 向企业微信群推送提醒和通知。",
    credentials_schema={
        "type": "object",
        "additionalProperties": False,
        "required": ["key"],
        "properties": {
            "key": {
                "type": "string",
                "title": "Webhook key",
                "x-title-zh": "Webhook 地址中的 key",
                "pattern": "^[0-9A-Za-z-]{16,64}$",
                "writeOnly": True,
            },
        },
    },
    client=WeComRobotClient,
    check=check,
    sandbox=WeComRobotSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
