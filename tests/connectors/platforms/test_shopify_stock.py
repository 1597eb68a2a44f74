"""Pushing sellable stock to the simulated shop's inventory levels."""

import pytest

from connectors.base import ProviderError
from connectors.platforms.shopify.manifest import CONNECTOR
from connectors.platforms.shopify.sandbox import ShopifySimulator
from connectors.services.connections import ConnectionInput, connection_client, connection_create


def test_a_push_sets_the_level_and_the_same_push_again_leaves_it(client, shop):
    shop.products_ensure(["IPOD2008GREEN", "IPOD2008RED"])

    CONNECTOR.stock.push(client, "IPOD2008GREEN", 7)
    CONNECTOR.stock.push(client, "IPOD2008GREEN", 7)
    CONNECTOR.stock.push(client, "IPOD2008RED", 0)

    assert shop.inventory("IPOD2008GREEN")["available"] == 7
    assert shop.inventory("IPOD2008RED")["available"] == 0
    CONNECTOR.stock.push(client, "IPOD2008GREEN", 3)
    assert shop.inventory("IPOD2008GREEN")["available"] == 3


def test_the_sku_table_is_read_once_per_client_across_pages_of_products(client, shop):
    shop.products_ensure([f"SKU-{n:03d}" for n in range(260)])  # two pages of 250
    calls: list[str] = []
    client.session.hooks["response"].append(lambda response, *a, **k: calls.append(response.request.path_url))

    CONNECTOR.stock.push(client, "SKU-259", 5)
    CONNECTOR.stock.push(client, "SKU-001", 6)

    assert [path.split("?")[0] for path in calls] == [
        "/admin/api/2024-07/products.json",
        "/admin/api/2024-07/products.json",
        "/admin/api/2024-07/inventory_levels/set.json",
        "/admin/api/2024-07/inventory_levels/set.json",
    ]
    assert (shop.inventory("SKU-259")["available"], shop.inventory("SKU-001")["available"]) == (5, 6)


def test_an_sku_the_shop_does_not_sell_is_a_terminal_error(client, shop):
    shop.products_ensure(["IPOD2008GREEN"])

    with pytest.raises(ProviderError) as failed:
        CONNECTOR.stock.push(client, "GHOST-1", 1)

    assert (failed.value.retryable, failed.value.code) == (False, "unknown_sku")
    assert failed.value.message == (
        "The Shopify shop has no product variant with SKU GHOST-1: add the SKU to the variant in Shopify."
    )


def test_without_a_location_nothing_is_pushed_and_the_error_says_where_to_find_it(shopify_stock):
    connection = connection_create(
        data=ConnectionInput(
            connector="shopify",
            name="无库存地点",
            credentials={
                "shop_domain": "orderflow-demo.myshopify.com",
                "access_token": "shpat_sandbox_token",
                "client_secret": "sandbox-shopify-client-secret",
            },
            settings={},
            sandbox=True,
        )
    )
    shop = ShopifySimulator(connection)
    shop.products_ensure(["IPOD2008GREEN"])
    client = connection_client(connection)
    calls: list[str] = []
    client.session.hooks["response"].append(lambda response, *a, **k: calls.append(response.request.path_url))

    with pytest.raises(ProviderError) as failed:
        CONNECTOR.stock.push(client, "IPOD2008GREEN", 1)

    assert (failed.value.retryable, failed.value.code) == (False, "no_location")
    assert calls == []
    assert shop.inventory("IPOD2008GREEN")["available"] is None


def test_a_location_the_shop_does_not_have_is_named_in_the_error(client, shop):
    shop.products_ensure(["IPOD2008GREEN"])
    item = shop.inventory("IPOD2008GREEN")["inventory_item_id"]

    with pytest.raises(ProviderError) as failed:
        client.inventory_set(inventory_item_id=item, location_id=99, available=1)

    assert (failed.value.retryable, failed.value.code) == (False, "not_found")
    assert failed.value.message == (
        f"Shopify has no inventory item {item} at location 99: check the inventory location id, and that the "
        "variant still exists and tracks its quantity."
    )
