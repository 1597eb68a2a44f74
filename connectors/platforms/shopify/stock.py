"""Pushing sellable stock to Shopify: the variant's available quantity at the connection's location."""

from __future__ import annotations

from .client import ShopifyClient


class ShopifyStockPusher:
    def push(self, client: ShopifyClient, sku: str, quantity: int) -> None:
        """Sets (never adjusts) the level of the variant with ``sku``: pushing the same figure twice
        leaves Shopify where one push did. An unknown SKU or a missing location is a terminal
        ``ProviderError``; rate limits and outages are retryable ones."""
        client.inventory_set(sku=sku, available=quantity)
