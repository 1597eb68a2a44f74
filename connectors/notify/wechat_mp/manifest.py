"""WeChat service account (微信服务号): template messages to followers, with the access-token lifecycle."""

from pathlib import Path

from ...base import NOTIFY, Connector, letter_logo
from .client import WeChatMpClient, check
from .sandbox import SANDBOX_CREDENTIALS, WeChatMpSimulator

CONNECTOR = Connector(
    key="wechat_mp",
    name_en="WeChat service account",
    name_zh="微信服务号",
    kind=NOTIFY,
    logo=letter_logo("微", "#07C160"),
    description_en="Template messages to customers who follow your WeChat service account.",
    description_zh="通过微信服务号模板消息通知关注公众号的顾客。",
    credentials_schema={
        "type": "object",
        "additionalProperties": False,
        "required": ["appid", "secret"],
        "properties": {
            "appid": {
                "type": "string",
                "title": "AppID",
                "x-title-zh": "开发者ID（AppID）",
                "pattern": "^wx[0-9A-Za-z]{8,32}$",
            },
            "secret": {
                "type": "string",
                "title": "AppSecret",
                "x-title-zh": "开发者密码（AppSecret）",
                "minLength": 16,
                "maxLength": 64,
                "writeOnly": True,
            },
        },
    },
    client=WeChatMpClient,
    check=check,
    sandbox=WeChatMpSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
