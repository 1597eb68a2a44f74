"""Stock to a Douyin shop: sku.syncStock by merchant code, a full update, never added to."""

import pytest

from connectors.base import ProviderError
from connectors.platforms.douyin.manifest import CONNECTOR
from connectors.platforms.douyin.sandbox import DouyinSimulator
from connectors.services.connections import connection_client

from .support import sandbox_connection


def test_a_push_sets_the_stock_and_a_repeated_push_changes_nothing(marketplace_catalog):
    connection = sandbox_connection("douyin")
    client = connection_client(connection)

    CONNECTOR.stock.push(client, "TEA-002", 9)
    CONNECTOR.stock.push(client, "TEA-002", 9)

    stored = DouyinSimulator(connection).record("stock", "TEA-002")
    assert (stored["quantity"], stored["updates"]) == (9, 2)


def test_an_unlisted_sku_is_a_terminal_business_failure(marketplace_catalog):
    with pytest.raises(ProviderError) as caught:
        CONNECTOR.stock.push(connection_client(sandbox_connection("douyin")), "TEA-404", 1)

    assert (caught.value.code, caught.value.retryable) == ("50002:isv.business-failed:SKU不存在", False)
