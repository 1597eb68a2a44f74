"""Stock to JD: ``jingdong.stock.write.updateSkuStock`` [unverified] sets a SKU's stock (never adds).

It addresses the SKU by JD's id; ``jingdong.sku.read.searchSkuList`` [unverified] finds the SKUs
whose merchant code (``outerId``) is Orderflow's SKU. Every one is set.
"""

from __future__ import annotations

from ..marketplace import sku_not_listed
from .client import JdClient


class JdStock:
    def push(self, client: JdClient, sku: str, quantity: int) -> None:
        sku_ids = sorted({int(found["skuId"]) for found in client.skus_by_outer_id(sku) if found.get("outerId") == sku})
        if not sku_ids:
            raise sku_not_listed("JD", sku)
        for sku_id in sku_ids:
            client.sku_stock_set(sku_id=sku_id, quantity=max(quantity, 0))
