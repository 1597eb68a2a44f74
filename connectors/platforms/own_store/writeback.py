"""Own store write-back: the signed ``shipment.shipped`` callback (client.py, doc.md) with the lines
the parcel carries — all of the order's for a whole order, the parcel's own for a split one."""

from __future__ import annotations

from ...base import ParcelShipped, WriteBackResult
from .client import OwnStoreClient


def write_back(client: OwnStoreClient, parcel: ParcelShipped) -> WriteBackResult:
    # The store takes Orderflow's own courier codes (sf, zhongtong…): there is no table to miss.
    client.shipment_send(
        {
            "external_id": parcel.order_external_id,
            "tracking_no": parcel.tracking_no,
            "courier": parcel.courier,
            "parcel": parcel.parcel,
            "whole_order": not parcel.split,
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in parcel.lines],
        },
        event_id=parcel.key,
    )
    return WriteBackResult(company=parcel.courier, sent=tuple(sku for sku, _ in parcel.lines) if parcel.split else ())
