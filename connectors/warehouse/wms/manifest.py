"""A generic WMS over signed HTTP: pick lists out, picked / packed / shipped events in."""

from pathlib import Path

from ...base import WAREHOUSE, Connector, letter_logo
from ...models import Connection
from .client import WmsClient, check
from .webhook import WmsInbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["base_url", "signing_secret"],
    "properties": {
        "base_url": {
            "type": "string",
            "title": "The WMS's API address",
            "x-title-zh": "WMS 接口地址",
            "pattern": r"^https?://[^\s/]+(:[0-9]+)?(/[^\s]*)?$",
            "maxLength": 200,
        },
        "signing_secret": {
            "type": "string",
            "title": "Signing secret (HMAC-SHA256 of every message, both ways)",
            "x-title-zh": "签名密钥（双向每条消息的 HMAC-SHA256）",
            "description": "At least 32 characters, shared with the WMS (see the connector's doc).",
            "x-description-zh": "至少 32 个字符，与 WMS 共用（见连接器说明）。",
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
        "courier": {
            "type": "string",
            "title": "Courier the warehouse ships with",
            "x-title-zh": "仓库发货使用的快递",
            "enum": ["kuaidi100", "sf"],
            "default": "kuaidi100",
        },
        "carrier": {
            "type": "string",
            "title": "Carrier code (with Kuaidi100: yuantong, zhongtong…)",
            "x-title-zh": "快递公司编码（快递100：yuantong、zhongtong…）",
            "pattern": r"^[a-z0-9_]{1,32}$",
            "default": "yuantong",
        },
        "demo_stream": {
            "type": "boolean",
            "title": "Sandbox: move demo orders through payment, the warehouse and the courier",
            "x-title-zh": "沙箱：演示订单自动完成支付、出库与配送",
            "default": False,
        },
    },
}


def _simulator(connection: Connection):
    # Imported when a sandbox is asked for: the simulator reads the connection's credentials
    # through services.connections, which imports the registry that imports this manifest.
    from .sandbox import WmsSimulator

    return WmsSimulator(connection)


CONNECTOR = Connector(
    key="wms",
    name_en="Warehouse (WMS)",
    name_zh="仓储系统（WMS）",
    kind=WAREHOUSE,
    logo=letter_logo("仓", "#6D4C41"),
    description_en="Sends each order's pick list to the warehouse and follows it as it is picked, packed and "
    "shipped; the shipped lines are checked against the order's.",
    description_zh="向仓库下发订单拣货单，并跟踪拣货、打包、发货；发货明细与订单逐行核对。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    inbound=WmsInbound(),
    client=WmsClient,
    check=check,
    sandbox=_simulator,
    sandbox_credentials={
        "base_url": "https://wms.sandbox.invalid",
        "signing_secret": "sandbox-wms-signing-secret-0123456789abcdef",
    },
    doc=(Path(__file__).with_name("doc.md")).read_text(encoding="utf-8"),
)
