"""Stock to Pinduoduo: the goods and SKU found by merchant code, the quantity set (update_type=1)."""

import pytest

from connectors.base import ProviderError
from connectors.platforms.pinduoduo.manifest import CONNECTOR
from connectors.platforms.pinduoduo.sandbox import PinduoduoSimulator
from connectors.services.connections import connection_client

from .support import sandbox_connection


def test_a_push_sets_the_quantity_and_a_repeated_push_changes_nothing(marketplace_catalog):
    connection = sandbox_connection("pinduoduo")
    client = connection_client(connection)

    CONNECTOR.stock.push(client, "TEA-002", 12)
    CONNECTOR.stock.push(client, "TEA-002", 12)

    stored = PinduoduoSimulator(connection).record("stock", "TEA-002")
    assert (stored["quantity"], stored["updates"]) == (12, 2)
    assert client.goods_by_outer_id("TEA-002")[0]["sku_list"][0]["sku_quantity"] == 12


def test_an_unlisted_sku_is_a_terminal_error(marketplace_catalog):
    with pytest.raises(ProviderError) as caught:
        CONNECTOR.stock.push(connection_client(sandbox_connection("pinduoduo")), "TEA-404", 1)

    assert (caught.value.code, caught.value.retryable) == ("sku_not_listed", False)
