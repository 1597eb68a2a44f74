"""Shopify: orders by webhook (and by polling the Admin REST API), stock pushed to inventory levels."""

from pathlib import Path

from commerce.orders import statuses

from ...base import PLATFORM, Connector, letter_logo, platform_settings_schema
from .client import ShopifyClient, check
from .mapping import FINANCIAL_STATUS
from .poller import ShopifyPoller
from .sandbox import SANDBOX_CREDENTIALS, ShopifySimulator
from .stock import ShopifyStockPusher
from .webhook import ShopifyInbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["shop_domain", "access_token", "client_secret"],
    "properties": {
        "shop_domain": {
            "type": "string",
            "title": "Shop domain",
            "x-title-zh": "店铺域名",
            "pattern": r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$",
            "maxLength": 100,
            "examples": ["my-brand.myshopify.com"],
        },
        "access_token": {
            "type": "string",
            "title": "Admin API access token",
            "x-title-zh": "Admin API 访问令牌",
            "minLength": 1,
            "maxLength": 200,
            "writeOnly": True,
        },
        "client_secret": {
            "type": "string",
            "title": "App client secret (signs webhooks)",
            "x-title-zh": "应用密钥（用于 Webhook 签名）",
            "minLength": 1,
            "maxLength": 200,
            "writeOnly": True,
        },
        "api_version": {
            "type": "string",
            "title": "API version",
            "x-title-zh": "API 版本",
            "pattern": r"^\d{4}-\d{2}$",
            "default": "2024-07",
        },
        "location_id": {
            "type": "string",
            "title": "Inventory location id",
            "x-title-zh": "库存地点 ID",
            "maxLength": 32,
        },
    },
}

LOGO = letter_logo("S", "#95BF47")

CONNECTOR = Connector(
    key="shopify",
    name_en="Shopify",
    name_zh="Shopify",
    kind=PLATFORM,
    logo=LOGO,
    description_en="Orders from a Shopify store by webhook and polling; stock pushed to its inventory levels.",
    description_zh="通过 Webhook 与定时拉取接收 Shopify 店铺订单，并把可售库存同步回店铺。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=platform_settings_schema("shopify"),
    channel="shopify",
    status_map={
        **{f"financial_status={k}": v for k, v in FINANCIAL_STATUS.items()},
        "fulfillment_status=fulfilled": statuses.SHIPPED,
        "cancelled_at=set": statuses.CANCELLED,
    },
    inbound=ShopifyInbound(),
    poller=ShopifyPoller(),
    stock=ShopifyStockPusher(),
    client=ShopifyClient,
    check=check,
    sandbox=ShopifySimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).parent / "doc.md").read_text(encoding="utf-8"),
)
