"""Pinduoduo (拼多多): orders by the incremental order list, stock by full quantity."""

from ...base import PLATFORM, Connector, letter_logo, platform_settings_schema
from ..marketplace import credential_field, folder_doc
from .client import PinduoduoClient, check
from .mapping import STATUS_MAP
from .poller import PinduoduoPoller
from .refunds import PinduoduoRefundPoller
from .sandbox import SANDBOX_CREDENTIALS, PinduoduoSimulator
from .stock import PinduoduoStock

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["client_id", "client_secret", "access_token"],
    "properties": {
        "client_id": credential_field("Client ID", "应用 client_id", max_length=64),
        "client_secret": credential_field("Client secret", "应用 client_secret", max_length=128, secret=True),
        "access_token": credential_field(
            "Shop access token (from the seller's authorisation)", "店铺授权 access_token", max_length=256, secret=True
        ),
    },
}

SETTINGS_SCHEMA = platform_settings_schema("pdd")

CONNECTOR = Connector(
    key="pinduoduo",
    name_en="Pinduoduo",
    name_zh="拼多多",
    kind=PLATFORM,
    logo=letter_logo("P", "#E02E24"),
    description_en="Orders from a Pinduoduo shop by its incremental order list; sellable stock set on its SKUs.",
    description_zh="通过增量订单接口接收拼多多店铺订单，并把可售库存全量同步到商品 SKU。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    channel="pdd",
    status_map=STATUS_MAP,
    poller=PinduoduoPoller(),
    refund_poller=PinduoduoRefundPoller(),
    stock=PinduoduoStock(),
    client=PinduoduoClient,
    check=check,
    sandbox=PinduoduoSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=folder_doc(__file__),
)
