from datetime import UTC, datetime

import pytest

from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.services.connections import ConnectionInput, connection_client, connection_create

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
