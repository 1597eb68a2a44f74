"""Stock to a Douyin shop: ``sku.syncStock`` [unverified] with ``incremental=false`` sets (never adds)
the stock of the SKU whose merchant code (``code``) is Orderflow's SKU."""

from __future__ import annotations

from .client import DouyinClient


class DouyinStock:
    def push(self, client: DouyinClient, sku: str, quantity: int) -> None:
        client.sku_stock_set(code=sku, quantity=max(quantity, 0))
