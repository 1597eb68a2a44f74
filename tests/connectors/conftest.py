import json
from pathlib import Path

import pytest

from connectors.services.connections import ConnectionInput, connection_create
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "protocols" / "vectors"


def vector(*parts: str) -> dict:
    return json.loads((VECTORS.joinpath(*parts)).read_text())


@pytest.fixture
def shopify_stock(db):
    """The three SKUs of Shopify's own fixture order, 50 each in one warehouse, on a Shopify channel."""
    channel = ChannelFactory(code="shopify", name="Shopify 海外站", kind="own_store")
    warehouse = WarehouseFactory(code="sh-main", name="上海主仓", priority=1)
    for sku in ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"):
        ProductFactory(sku=sku, title=sku, price="199.00")
        StockItemFactory(sku=sku, warehouse=warehouse, on_hand=50)
    return channel


@pytest.fixture
def shopify_connection(shopify_stock):
    """A Shopify connection holding the synthetic vector's client secret and shop."""
    signed = vector("shopify", "webhook_hmac_synthetic.json")
    return connection_create(
        data=ConnectionInput(
            connector="shopify",
            name="海外站",
            credentials={
                "shop_domain": signed["headers"]["X-Shopify-Shop-Domain"],
                "access_token": "shpat_test",
                "client_secret": signed["client_secret"],
            },
            settings={},
        )
    )
