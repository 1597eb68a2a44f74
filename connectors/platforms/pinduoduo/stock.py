"""Stock to Pinduoduo: ``pdd.goods.quantity.update`` with ``update_type=1`` (full: sets, never adds).

The API needs the goods (``goods_id``) and the SKU (``sku_id``); ``pdd.goods.list.get`` finds the
goods whose SKU carries the merchant code (``outer_id``), which is Orderflow's SKU. Every such SKU
is set.
"""

from __future__ import annotations

from ..marketplace import sku_not_listed
from .client import PinduoduoClient


class PinduoduoStock:
    def push(self, client: PinduoduoClient, sku: str, quantity: int) -> None:
        targets = sorted(
            {
                (goods["goods_id"], found["sku_id"])
                for goods in client.goods_by_outer_id(sku)
                for found in goods.get("sku_list") or []
                if isinstance(found, dict) and found.get("outer_id") == sku
            }
        )
        if not targets:
            raise sku_not_listed("Pinduoduo", sku)
        for goods_id, sku_id in targets:
            client.goods_quantity_set(goods_id=goods_id, sku_id=sku_id, quantity=max(quantity, 0))
