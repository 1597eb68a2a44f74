"""The brand's own store or mini-program: orders by a signed webhook carrying Orderflow's own order JSON."""

from pathlib import Path

from ...base import PLATFORM, PLATFORM_SETTINGS_SCHEMA, Connector, letter_logo
from ...models import Connection
from .client import OwnStoreClient
from .mapping import STATUS_MAP
from .webhook import OwnStoreInbound

# The demo's own-store channel (orderflow/demo/data.py): 微信小程序商城.
DEFAULT_CHANNEL = "wechat_mini"

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["signing_secret"],
    "properties": {
        "signing_secret": {
            "type": "string",
            "title": "Signing secret (HMAC-SHA256 of every webhook)",
            "x-title-zh": "签名密钥（每个 Webhook 的 HMAC-SHA256）",
            "description": "At least 32 characters; the store signs each delivery with it (see the connector's doc).",
            "x-description-zh": "至少 32 个字符；商城用它为每次推送签名（见连接器说明）。",
            "minLength": 32,
            "maxLength": 200,
            "writeOnly": True,
        },
    },
}

SETTINGS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "channel": {
            "type": "string",
            "title": "Sales channel the orders arrive on",
            "x-title-zh": "订单所属销售渠道",
            "pattern": r"^[-a-zA-Z0-9_]+$",
            "maxLength": 32,
            "default": DEFAULT_CHANNEL,
        },
        "callback_url": {
            "type": "string",
            "title": "Shipment callback address (tracking-number write-back)",
            "x-title-zh": "发货回调地址（运单号回传）",
            "description": "HTTPS address of the store that takes Orderflow's signed shipment.shipped callback "
            "(see the connector's doc); empty: no write-back.",
            "x-description-zh": "商城接收 Orderflow 签名 shipment.shipped 回调的 HTTPS 地址"
            "（见连接器说明）；留空则不回传。",
            "pattern": r"^https://[^\s]+$",
            "maxLength": 500,
        },
        "demo_stream": PLATFORM_SETTINGS_SCHEMA["properties"]["demo_stream"],
    },
}


def _simulator(connection: Connection):
    # Imported when a sandbox is asked for, not with the manifest: the simulator reads the
    # connection's credentials through services.connections, which itself reads the registry
    # that imports this manifest.
    from .sandbox import OwnStoreSimulator

    return OwnStoreSimulator(connection)


CONNECTOR = Connector(
    key="own_store",
    name_en="Own store / mini-program",
    name_zh="自有商城/小程序",
    kind=PLATFORM,
    logo=letter_logo("O", "#07C160"),
    description_en="Orders from the brand's own web store or WeChat mini-program, pushed as signed webhooks "
    "in Orderflow's own order format.",
    description_zh="接收品牌自有商城或微信小程序以签名 Webhook 推送的订单（Orderflow 自有订单格式）。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    channel=DEFAULT_CHANNEL,
    status_map=STATUS_MAP,
    inbound=OwnStoreInbound(),
    client=OwnStoreClient,
    sandbox=_simulator,
    sandbox_credentials={"signing_secret": "sandbox-own-store-signing-secret-0123456789"},
    doc=(Path(__file__).with_name("doc.md")).read_text(encoding="utf-8"),
)
