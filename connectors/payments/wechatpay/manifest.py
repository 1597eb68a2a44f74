"""WeChat Pay (微信支付) API v3: signed, encrypted notifications double-checked with a query; refunds once."""

from pathlib import Path

from ...base import PAYMENT, Connector, letter_logo
from .client import DEFAULT_BASE_URL, WechatPayClient, check
from .sandbox import SANDBOX_CREDENTIALS, WechatPaySimulator
from .webhook import WechatPayInbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["mchid", "merchant_serial_no", "merchant_private_key", "apiv3_key", "platform_public_key"],
    "properties": {
        "mchid": {"type": "string", "title": "Merchant ID (mchid)", "x-title-zh": "商户号", "pattern": r"^\d{8,12}$"},
        "appid": {"type": "string", "title": "AppID", "x-title-zh": "AppID", "maxLength": 32},
        "merchant_serial_no": {
            "type": "string",
            "title": "Merchant API certificate serial number",
            "x-title-zh": "商户 API 证书序列号",
            "pattern": r"^[0-9A-Fa-f]{8,64}$",
        },
        "merchant_private_key": {
            "type": "string",
            "title": "Merchant API private key (apiclient_key.pem)",
            "x-title-zh": "商户 API 私钥（apiclient_key.pem）",
            "minLength": 100,
            "maxLength": 4000,
            "writeOnly": True,
        },
        "apiv3_key": {
            "type": "string",
            "title": "APIv3 key (32 characters)",
            "x-title-zh": "APIv3 密钥（32 位）",
            "minLength": 16,
            "maxLength": 32,
            "writeOnly": True,
        },
        "platform_public_key": {
            "type": "string",
            "title": "WeChat Pay public key or platform certificate (PEM)",
            "x-title-zh": "微信支付公钥或平台证书（PEM）",
            "minLength": 100,
            "maxLength": 4000,
        },
        "platform_serial": {
            "type": "string",
            "title": "Its ID (PUB_KEY_ID_… or certificate serial)",
            "x-title-zh": "公钥 ID（PUB_KEY_ID_…）或平台证书序列号",
            "maxLength": 64,
        },
        "base_url": {
            "type": "string",
            "title": "API base URL",
            "x-title-zh": "接口地址",
            "pattern": r"^https://[a-z0-9.-]+(:\d+)?$",
            "default": DEFAULT_BASE_URL,
        },
    },
}

CONNECTOR = Connector(
    key="wechatpay",
    name_en="WeChat Pay",
    name_zh="微信支付",
    kind=PAYMENT,
    logo=letter_logo("微", "#07C160"),
    description_en="Payments by WeChat Pay (API v3): signed, encrypted notifications confirmed by a query, "
    "a sweep for lost callbacks, refunds that never pay twice.",
    description_zh="微信支付 APIv3 收款：通知验签解密并主动查单确认，定时补单找回丢失的回调，退款幂等不重复打款。",
    credentials_schema=CREDENTIALS_SCHEMA,
    inbound=WechatPayInbound(),
    client=WechatPayClient,
    check=check,
    sandbox=WechatPaySimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
