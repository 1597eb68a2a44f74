"""E-mail (邮件): messages to customers through the project's mail backend or the connection's SMTP server."""

from pathlib import Path

from ...base import NOTIFY, Connector, letter_logo
from .client import EmailClient, check
from .sandbox import SANDBOX_CREDENTIALS, EmailSimulator

CONNECTOR = Connector(
    key="email",
    name_en="E-mail",
    name_zh="邮件",
    kind=NOTIFY,
    logo=letter_logo("邮", "#6B7280"),
    description_en="E-mails to customers through your SMTP server, or the server Orderflow is set up with.",
    description_zh="通过您的 SMTP 服务器（或 Orderflow 配置的邮件服务）给顾客发邮件。",
    credentials_schema={
        "type": "object",
        "additionalProperties": False,
        "required": ["from_address"],
        "properties": {
            "from_address": {
                "type": "string",
                "title": "From address",
                "x-title-zh": "发件地址",
                "pattern": r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$",
                "maxLength": 254,
            },
            "smtp_host": {
                "type": "string",
                "title": "SMTP server (empty: Orderflow's)",
                "x-title-zh": "SMTP 服务器（留空则用系统默认）",
                "pattern": r"^[A-Za-z0-9.-]*$",
                "maxLength": 253,
            },
            "smtp_port": {
                "type": "integer",
                "title": "SMTP port",
                "x-title-zh": "SMTP 端口",
                "minimum": 1,
                "maximum": 65535,
                "default": 587,
            },
            "smtp_username": {"type": "string", "title": "SMTP user", "x-title-zh": "SMTP 用户名", "maxLength": 254},
            "smtp_password": {
                "type": "string",
                "title": "SMTP password",
                "x-title-zh": "SMTP 密码",
                "maxLength": 256,
                "writeOnly": True,
            },
            "smtp_use_tls": {"type": "boolean", "title": "STARTTLS", "x-title-zh": "使用 STARTTLS", "default": True},
        },
    },
    client=EmailClient,
    check=check,
    sandbox=EmailSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
