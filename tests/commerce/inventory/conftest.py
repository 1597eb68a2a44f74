import pytest

from commerce.inventory.models import StockItem
from commerce.inventory.services import stock_adjust
from tests.factories import TEST_ACTOR, ProductFactory, WarehouseFactory


def receive(sku: str, warehouse: str, quantity: int) -> StockItem:
    """Stock put on hand through the service, so the ledger replays to the row (unlike ``StockItemFactory``)."""
    return stock_adjust(
        sku=sku, warehouse_code=warehouse, delta=quantity, kind="receipt", reason="receipt PO-1", actor=TEST_ACTOR
    )


@pytest.fixture
def shelf(product, warehouse):
    """TEA-001: 100 on hand in sh-main, received through the ledger."""
    return receive("TEA-001", "sh-main", 100)


@pytest.fixture
def second_warehouse(db):
    return WarehouseFactory(code="bj-north", name="北京北仓", priority=2)


@pytest.fixture
def second_product(db):
    return ProductFactory(sku="CUP-002", title="青瓷茶杯", price="39.00")
