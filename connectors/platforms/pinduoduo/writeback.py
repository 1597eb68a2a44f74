"""Pinduoduo write-back: ``pdd.logistics.online.send``, and ``pdd.order.upload.extra.logistics``
for the later parcels of a split order.

Pinduoduo ships an order as a whole: its first parcel's number is sent with
``pdd.logistics.online.send`` (the order moves to shipped, 已发货待签收); each later parcel of a
split order is added with ``pdd.order.upload.extra.logistics`` (``extra_track_type=1``, 分包发货),
which the buyer sees next to the first. Neither names lines.
"""

from __future__ import annotations

from ...base import ParcelShipped, WriteBackResult, company_code
from .client import PinduoduoClient, logistics_online_send, order_extra_logistics

# Pinduoduo's courier id (``logistics_id``, from ``pdd.logistics.companies.get``) per Orderflow
# courier [unverified: the ids as commonly quoted; read pdd.logistics.companies.get once for a live shop].
PDD_LOGISTICS_IDS = {
    "sf": "44",
    "shunfeng": "44",
    "zhongtong": "115",
    "yuantong": "85",
    "yunda": "121",
    "shentong": "1",
    "ems": "118",
    "jd": "120",
}


def write_back(client: PinduoduoClient, parcel: ParcelShipped) -> WriteBackResult:
    company = company_code(PDD_LOGISTICS_IDS, parcel.courier, "Pinduoduo")
    if parcel.split and not parcel.first:
        order_extra_logistics(
            client, order_sn=parcel.order_external_id, shipping_id=int(company), tracking_number=parcel.tracking_no
        )
    else:
        logistics_online_send(
            client, order_sn=parcel.order_external_id, logistics_id=int(company), tracking_number=parcel.tracking_no
        )
    return WriteBackResult(company=company)
