"""Alipay (支付宝): signed notifies double-checked with a trade query, refunds with an idempotency key."""

from pathlib import Path

from ...base import PAYMENT, Connector, letter_logo
from .client import DEFAULT_GATEWAY, AlipayClient, check
from .sandbox import SANDBOX_CREDENTIALS, AlipaySimulator
from .webhook import AlipayInbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["app_id", "app_private_key", "alipay_public_key"],
    "properties": {
        "app_id": {
            "type": "string",
            "title": "App ID",
            "x-title-zh": "应用 APPID",
            "pattern": r"^\d{10,32}$",
        },
        "app_private_key": {
            "type": "string",
            "title": "App private key (PEM)",
            "x-title-zh": "应用私钥（PEM）",
            "minLength": 100,
            "maxLength": 4000,
            "writeOnly": True,
        },
        "alipay_public_key": {
            "type": "string",
            "title": "Alipay public key (PEM)",
            "x-title-zh": "支付宝公钥（PEM）",
            "minLength": 100,
            "maxLength": 2000,
        },
        "sign_type": {"type": "string", "title": "Signature type", "x-title-zh": "签名方式", "enum": ["RSA2"]},
        "gateway_url": {
            "type": "string",
            "title": "Gateway URL",
            "x-title-zh": "网关地址",
            "pattern": r"^https://[a-z0-9.-]+(:\d+)?/gateway\.do$",
            "default": DEFAULT_GATEWAY,
        },
        "notify_url": {
            "type": "string",
            "title": "Notify URL (this connection's webhook address)",
            "x-title-zh": "异步通知地址（本连接的 Webhook 地址）",
            "maxLength": 256,
        },
    },
}

CONNECTOR = Connector(
    key="alipay",
    name_en="Alipay",
    name_zh="支付宝",
    kind=PAYMENT,
    logo=letter_logo("支", "#1677FF"),
    description_en="Payments by Alipay: signed notifies confirmed by a trade query, a sweep for lost callbacks, "
    "refunds that never pay twice.",
    description_zh="支付宝收款：异步通知验签并主动查单确认，定时补单找回丢失的回调，退款幂等不重复打款。",
    credentials_schema=CREDENTIALS_SCHEMA,
    inbound=AlipayInbound(),
    client=AlipayClient,
    check=check,
    sandbox=AlipaySimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
