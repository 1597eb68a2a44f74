"""The connectors Orderflow ships: one explicit list. A connector not listed here does not exist."""

from builder.catalog import ConnectorSpec, register_connector

from .base import Connector
from .couriers.kuaidi100.manifest import CONNECTOR as KUAIDI100
from .couriers.sf.manifest import CONNECTOR as SF
from .notify.aliyun_sms.manifest import CONNECTOR as ALIYUN_SMS
from .notify.dingtalk_robot.manifest import CONNECTOR as DINGTALK_ROBOT
from .notify.email.manifest import CONNECTOR as EMAIL
from .notify.wechat_mp.manifest import CONNECTOR as WECHAT_MP
from .notify.wecom_robot.manifest import CONNECTOR as WECOM_ROBOT
from .payments.alipay.manifest import CONNECTOR as ALIPAY
from .payments.wechatpay.manifest import CONNECTOR as WECHATPAY
from .platforms.douyin.manifest import CONNECTOR as DOUYIN
from .platforms.jd.manifest import CONNECTOR as JD
from .platforms.own_store.manifest import CONNECTOR as OWN_STORE
from .platforms.pinduoduo.manifest import CONNECTOR as PINDUODUO
from .platforms.shopify.manifest import CONNECTOR as SHOPIFY
from .platforms.taobao.manifest import CONNECTOR as TAOBAO
from .warehouse.wms.manifest import CONNECTOR as WMS

CONNECTORS: tuple[Connector, ...] = (
    TAOBAO,
    JD,
    PINDUODUO,
    DOUYIN,
    SHOPIFY,
    OWN_STORE,
    ALIPAY,
    WECHATPAY,
    KUAIDI100,
    SF,
    ALIYUN_SMS,
    DINGTALK_ROBOT,
    WMS,
    WECHAT_MP,
    WECOM_ROBOT,
    EMAIL,
)

_BY_KEY = {item.key: item for item in CONNECTORS}


def connector(key: str) -> Connector | None:
    return _BY_KEY.get(key)


def register_catalog() -> None:
    """Names every connector in the flow catalog, so the palette can group nodes by connector."""
    for item in CONNECTORS:
        register_connector(ConnectorSpec(key=item.key, name_en=item.name_en, name_zh=item.name_zh, kind=item.kind))
