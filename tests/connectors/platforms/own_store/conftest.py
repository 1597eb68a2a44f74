import time
from pathlib import Path

import pytest
from django.test import Client

from connectors.platforms.own_store import webhook
from connectors.services.connections import ConnectionInput, connection_create
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory

FIXTURES = Path(webhook.__file__).with_name("fixtures")
SECRET = "test-own-store-signing-secret-0123456789abcdef"


def fixture(event: str) -> bytes:
    return (FIXTURES / f"{event}.json").read_bytes()


def signed(
    body: bytes,
    *,
    event: str = "order.created",
    event_id: str = "evt-0001",
    timestamp: int | None = None,
    secret: str = SECRET,
) -> dict[str, str]:
    """The headers a store sends with ``body``: signed now (or at ``timestamp``) with ``secret``."""
    sent_at = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Orderflow-Timestamp": sent_at,
        "X-Hub-Signature-256": webhook.signature(secret, sent_at, body),
        "X-Orderflow-Event-Id": event_id,
        "X-Orderflow-Event": event,
    }


def post(connection, body: bytes, headers: dict[str, str]):
    return Client().post(
        f"/hooks/own_store/{connection.pk}/", data=body, content_type="application/json", headers=headers
    )


@pytest.fixture
def mini_stock(db):
    """The demo's mini-program channel, and the fixtures' two SKUs with 50 each in one warehouse."""
    channel = ChannelFactory(code="wechat_mini", name="微信小程序商城", kind="own_store")
    warehouse = WarehouseFactory(code="sh-main", name="上海主仓", priority=1)
    for sku, price in (("TEA-0001", "368.00"), ("TEA-0002", "168.00")):
        ProductFactory(sku=sku, title=sku, price=price)
        StockItemFactory(sku=sku, warehouse=warehouse, on_hand=50)
    return channel


@pytest.fixture
def own_store(mini_stock):
    return connection_create(
        data=ConnectionInput(connector="own_store", name="小程序", credentials={"signing_secret": SECRET}, settings={})
    )
