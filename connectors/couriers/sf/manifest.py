"""SF Express (顺丰速运) through 丰桥: route query signed with msgDigest, and a signed route push."""

from pathlib import Path

from ...base import COURIER, Connector, letter_logo
from ...models import Connection
from .client import SfClient, check
from .mapping import OP_CODE_MAP
from .sandbox import SANDBOX_CREDENTIALS
from .webhook import SfInbound

CREDENTIALS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["partner_id", "check_word"],
    "properties": {
        "partner_id": {
            "type": "string",
            "title": "Partner id (partnerID, 顾客编码)",
            "x-title-zh": "顾客编码（partnerID）",
            "minLength": 1,
            "maxLength": 64,
        },
        "check_word": {
            "type": "string",
            "title": "Check word (signs requests and pushes)",
            "x-title-zh": "校验码（checkWord，用于请求与推送签名）",
            "minLength": 8,
            "maxLength": 128,
            "writeOnly": True,
        },
    },
}

SETTINGS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "push": {
            "type": "boolean",
            "title": "SF pushes routes to Orderflow (off: query every few minutes)",
            "x-title-zh": "顺丰推送路由（关闭则每隔几分钟主动查询）",
            "default": False,
        },
    },
}


def _simulator(connection: Connection):
    from .sandbox import SfSimulator

    return SfSimulator(connection)


CONNECTOR = Connector(
    key="sf",
    name_en="SF Express",
    name_zh="顺丰速运",
    kind=COURIER,
    logo=letter_logo("顺", "#222222"),
    description_en="Tracks SF Express waybills through 丰桥: signed route queries every few minutes, or SF's "
    "signed route push; the order is delivered when the parcel is signed for.",
    description_zh="通过丰桥跟踪顺丰运单：定时签名查询路由，或接收顺丰签名推送；包裹签收后自动将订单置为已送达。",
    credentials_schema=CREDENTIALS_SCHEMA,
    settings_schema=SETTINGS_SCHEMA,
    status_map=OP_CODE_MAP,
    inbound=SfInbound(),
    client=SfClient,
    check=check,
    sandbox=_simulator,
    sandbox_credentials=SANDBOX_CREDENTIALS,
    doc=(Path(__file__).with_name("doc.md")).read_text(encoding="utf-8"),
)
