"""Aliyun SMS (阿里云短信): template messages to mainland mobile numbers, signed RPC requests."""

from pathlib import Path

from ...base import NOTIFY, Connector, letter_logo
from .client import AliyunSmsClient, check
from .sandbox import SANDBOX_CREDENTIALS, AliyunSmsSimulator

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["access_key_id", "access_key_secret", "sign_name"],
    "properties": {
        "access_key_id": {
            "type": "string",
            "title": "AccessKey ID",
            "x-title-zh": "AccessKey ID",
            "minLength": 8,
            "maxLength": 64,
        },
        "access_key_secret": {
            "type": "string",
            "title": "AccessKey secret",
            "x-title-zh": "AccessKey Secret",
            "minLength": 8,
            "maxLength": 128,
            "writeOnly": True,
        },
        "sign_name": {
            "type": "string",
            "title": "SMS signature",
            "x-title-zh": "短信签名",
            "minLength": 2,
            "maxLength": 40,
        },
        "region_id": {
            "type": "string",
            "title": "Region",
            "x-title-zh": "地域",
            "default": "cn-hangzhou",
            "maxLength": 32,
        },
        "endpoint": {
            "type": "string",
            "title": "Endpoint",
            "x-title-zh": "接入地址",
            "pattern": r"^https://[a-z0-9.-]+$",
            "default": "https://dysmsapi.aliyuncs.com",
        },
    },
}

CONNECTOR = Connector(
    key="aliyun_sms",
    name_en="Aliyun SMS",
    name_zh="阿里云短信",
    kind=NOTIFY,
    logo=letter_logo("信", "#FF6A00"),
    description_en="Text messages to customers through Aliyun SMS templates, retried when the provider is busy.",
    description_zh="通过阿里云短信模板给顾客发短信，服务繁忙时自动重试。",
    credentials_schema=CREDENTIALS_SCHEMA,
    client=AliyunSmsClient,
    check=check,
    sandbox=AliyunSmsSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
