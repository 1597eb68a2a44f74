import pytest
from django.test import Client

from connectors.services.connections import ConnectionInput, connection_create
from tests.factories import ProductFactory, StockItemFactory, create_order

SECRET = "test-wms-signing-secret-0123456789abcdefgh"


@pytest.fixture
def two_skus(stocked, warehouse):
    """TEA-001 (from ``stocked``) and TEA-002, 100 each in the main warehouse."""
    ProductFactory(sku="TEA-002", title="白毫银针 100g", price="299.00")
    StockItemFactory(sku="TEA-002", warehouse=warehouse, on_hand=100)


@pytest.fixture
def wms_sandbox(db):
    return connection_create(
        data=ConnectionInput(connector="wms", name="仓库沙箱", credentials={}, settings={}, sandbox=True)
    )


@pytest.fixture
def wms(db):
    return connection_create(
        data=ConnectionInput(
            connector="wms",
            name="上海仓 WMS",
            credentials={"base_url": "https://wms.example.com", "signing_secret": SECRET},
            settings={},
        )
    )


@pytest.fixture
def kuaidi100_sandbox(db):
    return connection_create(
        data=ConnectionInput(connector="kuaidi100", name="快递100 沙箱", credentials={}, settings={}, sandbox=True)
    )


@pytest.fixture
def paid_order(channel, two_skus):
    return create_order(channel, lines=(("TEA-001", 2), ("TEA-002", 1)), status="paid")


def post(connection, body: bytes, headers: dict[str, str]):
    return Client().post(f"/hooks/wms/{connection.pk}/", data=body, content_type="application/json", headers=headers)
