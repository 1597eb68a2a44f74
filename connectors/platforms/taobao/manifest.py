"""Taobao / Tmall (TOP): orders by TMC messages and the incremental trade list, stock by full quantity."""

from ...base import PLATFORM, Connector, letter_logo, platform_settings_schema
from ..marketplace import credential_field, folder_doc
from .client import TaobaoClient, check
from .mapping import STATUS_MAP
from .poller import TaobaoPoller
from .refunds import TaobaoRefundPoller
from .sandbox import SANDBOX_CREDENTIALS, TaobaoSimulator
from .signing import SIGN_METHODS
from .stock import TaobaoStock

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["app_key", "app_secret", "session"],
    "properties": {
        "app_key": credential_field("App Key", "应用 App Key", max_length=32, examples=["12345678"]),
        "app_secret": credential_field("App Secret", "应用 App Secret", max_length=128, secret=True),
        "session": credential_field(
            "Seller session key (authorised access token)", "卖家授权 SessionKey", max_length=256, secret=True
        ),
        "sign_method": {
            "type": "string",
            "title": "Signature method",
            "x-title-zh": "签名方法",
            "enum": list(SIGN_METHODS),
            "default": "md5",
        },
    },
}

SETTINGS_SCHEMA = platform_settings_schema(
    "tmall",
    tmc_enabled={
        "type": "boolean",
        "title": "Consume TMC trade messages before each poll",
        "x-title-zh": "轮询前先消费 TMC 交易消息",
        "default": False,
    },
    tmc_group={
        "type": "string",
        "title": "TMC user group (empty: the default group)",
        "x-title-zh": "TMC 用户分组（留空为默认分组）",
        "maxLength": 64,
    },
)

CONNECTOR = Connector(
    key="taobao",
    name_en="Taobao / Tmall",
    name_zh="淘宝/天猫",
    kind=PLATFORM,
    logo=letter_logo("T", "#FF5000"),
    description_en="Orders from a Taobao or Tmall shop by TMC messages and the incremental trade list; "
    "sellable stock set on its SKUs.",
    description_zh="通过 TMC 消息与增量交易接口接收淘宝/天猫店铺订单，并把可售库存全量同步到商品 SKU。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    channel="tmall",
    status_map=STATUS_MAP,
    poller=TaobaoPoller(),
    refund_poller=TaobaoRefundPoller(),
    stock=TaobaoStock(),
    client=TaobaoClient,
    check=check,
    sandbox=TaobaoSimulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=folder_doc(__file__),
)
