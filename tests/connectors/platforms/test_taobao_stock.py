"""Stock to TOP: the SKU's items found by merchant code, their quantity set (type=1), never added to."""

import pytest

from connectors.base import ProviderError
from connectors.platforms.taobao.manifest import CONNECTOR
from connectors.platforms.taobao.sandbox import TaobaoSimulator
from connectors.services.connections import connection_client

from .support import sandbox_connection


def test_a_push_sets_the_quantity_and_a_repeated_push_changes_nothing(marketplace_catalog):
    connection = sandbox_connection("taobao")
    client = connection_client(connection)

    CONNECTOR.stock.push(client, "TEA-001", 7)
    CONNECTOR.stock.push(client, "TEA-001", 7)

    stored = TaobaoSimulator(connection).record("stock", "TEA-001")
    assert (stored["quantity"], stored["updates"]) == (7, 2)
    assert client.skus_by_outer_id("TEA-001") == [
        {"sku_id": stored["sku_id"], "num_iid": stored["item_id"], "outer_id": "TEA-001", "quantity": 7}
    ]


def test_a_lower_quantity_replaces_the_higher_one(marketplace_catalog):
    connection = sandbox_connection("taobao")
    client = connection_client(connection)
    CONNECTOR.stock.push(client, "SNK-001", 120)

    CONNECTOR.stock.push(client, "SNK-001", 0)

    assert TaobaoSimulator(connection).record("stock", "SNK-001")["quantity"] == 0


def test_a_sku_no_item_carries_is_a_terminal_error(marketplace_catalog):
    client = connection_client(sandbox_connection("taobao"))

    with pytest.raises(ProviderError) as caught:
        CONNECTOR.stock.push(client, "TEA-404", 3)

    assert (caught.value.code, caught.value.retryable) == ("sku_not_listed", False)
