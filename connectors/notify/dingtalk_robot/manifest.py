"""DingTalk custom group robot (钉钉群机器人): signed posts to a team's group."""

from pathlib import Path

from ...base import NOTIFY, Connector, letter_logo
from .client import DingTalkRobotClient, check
from .sandbox import SANDBOX_CREDENTIALS, DingTalkRobotSimulator

CONNECTOR = Connector(
    key="dingtalk_robot",
    name_en="DingTalk group robot",
    name_zh="钉钉群机器人",
    kind=NOTIFY,
    logo=letter_logo("钉", "#3296FA"),
    description_en="Posts alerts and notices to a DingTalk group through a signed custom robot.",
    description_zh="通过加签的自定义机器人向钉钉群推送提醒和通知。",
    credentials_schema={
        "type": "object",
        "additionalProperties": False,
        "required": ["access_token", "secret"],
        "properties": {
            "access_token": {
                "type": "string",
                "title": "Webhook access_token",
                "x-title-zh": "Webhook 的 access_token",
                "minLength": 16,
                "maxLength": 128,
                "writeOnly": True,
            },
            "secret": {
                "type": "string",
                "title": "Signing secret (SEC…)",
                "x-title-zh": "加签密钥（SEC 开头）",
                "pattern": "^SEC[0-9a-zA-Z]+$",
                "maxLength": 128,
                "writeOnly": True,
            },
        },
    },
    client=DingTalkRobotClient,
    check=check,
    sandbox=DingTalkRobotSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
