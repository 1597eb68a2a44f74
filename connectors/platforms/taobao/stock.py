"""Stock to TOP: ``taobao.item.quantity.update`` with ``type=1`` (full quantity: sets, never adds).

The API needs the item (``num_iid``); the SKU is named by its merchant code (``outer_id``), which
is Orderflow's SKU. ``taobao.skus.custom.get`` finds the items whose SKUs carry that code — every
one of them is set, so two listings of one product show the same stock.
"""

from __future__ import annotations

from ..marketplace import sku_not_listed
from .client import TaobaoClient


class TaobaoStock:
    def push(self, client: TaobaoClient, sku: str, quantity: int) -> None:
        listed = client.skus_by_outer_id(sku)
        items = sorted({str(found["num_iid"]) for found in listed if found.get("num_iid")})
        if not items:
            raise sku_not_listed("Taobao", sku)
        for num_iid in items:
            client.item_quantity_set(num_iid=num_iid, outer_id=sku, quantity=max(quantity, 0))
