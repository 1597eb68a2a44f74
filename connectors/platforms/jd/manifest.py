"""JD (京东 POP): orders by the order search, stock by SKU."""

from ...base import PLATFORM, Connector, letter_logo, platform_settings_schema
from ..marketplace import credential_field, folder_doc
from .client import JdClient, check
from .mapping import STATUS_MAP
from .poller import JdPoller
from .refunds import JdRefundPoller
from .sandbox import SANDBOX_CREDENTIALS, JdSimulator
from .stock import JdStock

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["app_key", "app_secret", "access_token"],
    "properties": {
        "app_key": credential_field("App Key", "应用 App Key", max_length=64),
        "app_secret": credential_field("App Secret", "应用 App Secret", max_length=128, secret=True),
        "access_token": credential_field(
            "Shop access token (from the seller's authorisation)", "店铺授权 access_token", max_length=256, secret=True
        ),
    },
}

SETTINGS_SCHEMA = platform_settings_schema("jd")

CONNECTOR = Connector(
    key="jd",
    name_en="JD",
    name_zh="京东",
    kind=PLATFORM,
    logo=letter_logo("J", "#E1251B"),
    description_en="Orders from a JD POP shop by its order search; sellable stock set on its SKUs.",
    description_zh="通过订单检索接口接收京东 POP 店铺订单，并把可售库存同步到商品 SKU。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    channel="jd",
    status_map=STATUS_MAP,
    poller=JdPoller(),
    refund_poller=JdRefundPoller(),
    stock=JdStock(),
    client=JdClient,
    check=check,
    sandbox=JdSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=folder_doc(__file__),
)
