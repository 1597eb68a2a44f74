from decimal import Decimal

import pytest

from commerce.payments.services import payment_attempt_create
from connectors.services.connections import ConnectionInput, connection_create
from tests.factories import TEST_ACTOR, ChannelFactory, ProductFactory, StockItemFactory, create_order


@pytest.fixture
def order(db):
    """An order of 88.00 waiting for its payment."""
    channel = ChannelFactory(code="own")
    ProductFactory(sku="TEA-001", price=Decimal("88.00"))
    StockItemFactory(sku="TEA-001", on_hand=10)
    return create_order(channel)


def sandbox_connection(connector: str, name: str = "", **credentials):
    return connection_create(
        data=ConnectionInput(
            connector=connector, name=name or f"{connector} 沙箱", credentials=credentials, settings={}, sandbox=True
        )
    )


@pytest.fixture
def alipay(db):
    return sandbox_connection("alipay")


@pytest.fixture
def alipay_payment(order, alipay):
    return payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR, connection_id=alipay.pk)
