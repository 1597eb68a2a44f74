"""Douyin shop (抖店): orders by the order search, stock by SKU merchant code."""

from ...base import PLATFORM, Connector, letter_logo, platform_settings_schema
from ..marketplace import credential_field, folder_doc
from .client import DouyinClient, check
from .mapping import STATUS_MAP
from .poller import DouyinPoller
from .sandbox import SANDBOX_CREDENTIALS, DouyinSimulator
from .signing import SIGN_METHODS
from .stock import DouyinStock
from .webhook import DouyinInbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["app_key", "app_secret", "access_token"],
    "properties": {
        "app_key": credential_field("App Key", "应用 App Key", max_length=32, examples=["7000000000000000001"]),
        "app_secret": credential_field("App Secret", "应用 App Secret", max_length=128, secret=True),
        "access_token": credential_field("Shop access token", "店铺 access_token", max_length=256, secret=True),
        "sign_method": {
            "type": "string",
            "title": "Signature method",
            "x-title-zh": "签名方法",
            "enum": list(SIGN_METHODS),
            "default": "md5",
        },
    },
}

SETTINGS_SCHEMA = platform_settings_schema("douyin")

CONNECTOR = Connector(
    key="douyin",
    name_en="Douyin Shop",
    name_zh="抖店",
    kind=PLATFORM,
    logo=letter_logo("D", "#161823"),
    description_en="Orders from a Douyin shop by its order search; sellable stock set on its SKUs.",
    description_zh="通过订单检索接口接收抖店订单，并把可售库存同步到商品 SKU。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    channel="douyin",
    status_map=STATUS_MAP,
    inbound=DouyinInbound(),
    poller=DouyinPoller(),
    stock=DouyinStock(),
    client=DouyinClient,
    check=check,
    sandbox=DouyinSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=folder_doc(__file__),
)
