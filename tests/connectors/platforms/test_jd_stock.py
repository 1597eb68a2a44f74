"""Stock to JD: JD's SKU id found by merchant code, its stock set, never added to."""

import pytest

from connectors.base import ProviderError
from connectors.platforms.jd.manifest import CONNECTOR
from connectors.platforms.jd.sandbox import JdSimulator
from connectors.services.connections import connection_client

from .support import sandbox_connection


def test_a_push_sets_the_stock_and_a_repeated_push_changes_nothing(marketplace_catalog):
    connection = sandbox_connection("jd")
    client = connection_client(connection)

    CONNECTOR.stock.push(client, "SNK-001", 40)
    CONNECTOR.stock.push(client, "SNK-001", 40)

    stored = JdSimulator(connection).record("stock", "SNK-001")
    assert (stored["quantity"], stored["updates"]) == (40, 2)
    assert client.skus_by_outer_id("SNK-001") == [
        {"skuId": stored["sku_id"], "outerId": "SNK-001", "wareId": stored["item_id"], "stockNum": 40}
    ]


def test_an_unlisted_sku_is_a_terminal_error(marketplace_catalog):
    with pytest.raises(ProviderError) as caught:
        CONNECTOR.stock.push(connection_client(sandbox_connection("jd")), "TEA-404", 1)

    assert (caught.value.code, caught.value.retryable) == ("sku_not_listed", False)
