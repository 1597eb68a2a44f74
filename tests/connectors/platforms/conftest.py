import pytest

from commerce.channels.models import Channel
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory

# SKUs of the demo's catalogue (orderflow/demo/data.py), with their prices.
CATALOG = {
    "TEA-001": ("西湖龙井 明前特级", "368.00"),
    "TEA-002": ("安溪铁观音 清香型", "168.00"),
    "SNK-001": ("每日坚果 混合果仁", "129.00"),
    "SNK-002": ("手工牛轧糖 礼盒", "62.00"),
}


@pytest.fixture
def marketplace_catalog(db):
    """The demo's four marketplace channels; four SKUs with 10,000 each in the central warehouse."""
    for code, name in (("tmall", "天猫旗舰店"), ("pdd", "拼多多"), ("jd", "京东自营"), ("douyin", "抖音小店")):
        ChannelFactory(code=code, name=name, kind=Channel.MARKETPLACE)
    warehouse = WarehouseFactory(code="sh-jiading", name="上海嘉定仓", priority=10)
    for sku, (title, price) in CATALOG.items():
        ProductFactory(sku=sku, title=title, price=price)
        StockItemFactory(sku=sku, warehouse=warehouse, on_hand=10_000)
    return sorted(CATALOG)
