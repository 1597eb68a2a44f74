"""Kuaidi100 (快递100): parcels of many carriers tracked by subscription and signed push, or queried now."""

from pathlib import Path

from ...base import COURIER, Connector, letter_logo
from ...models import Connection
from .client import Kuaidi100Client, check
from .mapping import STATE_MAP
from .webhook import Kuaidi100Inbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["customer", "key", "salt"],
    "properties": {
        "customer": {
            "type": "string",
            "title": "Customer id (customer)",
            "x-title-zh": "公司编号（customer）",
            "minLength": 1,
            "maxLength": 64,
        },
        "key": {
            "type": "string",
            "title": "Authorization key (key)",
            "x-title-zh": "授权 Key",
            "minLength": 1,
            "maxLength": 64,
            "writeOnly": True,
        },
        "salt": {
            "type": "string",
            "title": "Push signing salt (sent at subscribe; signs every push)",
            "x-title-zh": "推送签名盐值（订阅时提交，用于校验每次推送）",
            "minLength": 8,
            "maxLength": 64,
            "writeOnly": True,
        },
        "secret": {
            "type": "string",
            "title": "Waybill API secret (electronic waybills; optional)",
            "x-title-zh": "电子面单接口 secret（可选，申请电子面单时需要）",
            "maxLength": 64,
            "writeOnly": True,
        },
        "partner_id": {
            "type": "string",
            "title": "Carrier waybill account (partnerId; optional)",
            "x-title-zh": "电子面单客户账户（partnerId，可选）",
            "maxLength": 64,
        },
    },
}

SETTINGS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "callback_base_url": {
            "type": "string",
            "title": "Orderflow's public address (Kuaidi100 pushes to it)",
            "x-title-zh": "Orderflow 公网地址（快递100 向其推送）",
            "pattern": r"^https?://[^\s/]+(:[0-9]+)?$",
            "maxLength": 200,
            "default": "http://127.0.0.1:8000",
        },
        "push": {
            "type": "boolean",
            "title": "Receive pushes (off: query every few minutes instead)",
            "x-title-zh": "接收推送（关闭则每隔几分钟主动查询）",
            "default": True,
        },
    },
}


def _simulator(connection: Connection):
    # Imported when a sandbox is asked for: the simulator reads the connection's credentials
    # through services.connections, which imports the registry that imports this manifest.
    from .sandbox import Kuaidi100Simulator

    return Kuaidi100Simulator(connection)


CONNECTOR = Connector(
    key="kuaidi100",
    name_en="Kuaidi100",
    name_zh="快递100",
    kind=COURIER,
    logo=letter_logo("快", "#1E88E5"),
    description_en="Tracks parcels of most Chinese carriers: subscribes each parcel, verifies Kuaidi100's signed "
    "pushes, and delivers the order when the parcel is signed for.",
    description_zh="跟踪国内主流快递公司的包裹：订阅运单、校验快递100 的签名推送，包裹签收后自动将订单置为已送达。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    status_map=STATE_MAP,
    inbound=Kuaidi100Inbound(),
    client=Kuaidi100Client,
    check=check,
    sandbox=_simulator,
    sandbox_credentials={
        "customer": "SANDBOXCUSTOMER0000000000000000",
        "key": "sandbox-kuaidi100-key",
        "salt": "sandbox-kuaidi100-salt-0123456789",
        "secret": "sandbox-kuaidi100-secret",
        "partner_id": "SANDBOX_PARTNER",
    },
    doc=(Path(__file__).with_name("doc.md")).read_text(encoding="utf-8"),
)
