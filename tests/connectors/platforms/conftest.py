from datetime import UTC, datetime

import pytest

from commerce.channels.models import Channel
from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.services.connections import ConnectionInput, connection_client, connection_create
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory

from ..conftest import vector

# The simulated shop's clock in these tests: orders are made at T0, polls run a minute later.
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SKUS = ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK")


@pytest.fixture
def sandbox_connection(shopify_stock):
    """A sandbox Shopify connection (the manifest's sandbox credentials) on the Shopify channel's stock."""
    return connection_create(
        data=ConnectionInput(connector="shopify", name="沙箱店铺", credentials={}, settings={}, sandbox=True)
    )


@pytest.fixture
def shop(sandbox_connection):
    """The connection's simulated shop, its clock stopped at T0 and its demo orders repeatable."""
    return ShopifySimulator(sandbox_connection, seed=7, clock=lambda: T0.timestamp())


@pytest.fixture
def client(sandbox_connection):
    return connection_client(sandbox_connection)


def simulator_of(client) -> ShopifySimulator:
    """The simulator the client's session reaches (to stop its clock)."""
    return client.session.get_adapter(client.base_url).simulator


def vector_order_keys() -> set[str]:
    """The top-level fields of Shopify's own fixture order."""
    return set(vector("shopify", "shopify_python_api_fixture_order.json")["order"])


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
