"""Tracking-number write-back (运单号回传): tell the sales channel an order's parcel has shipped.

``shipment_write_back`` sends one shipment's courier and tracking number to the channel the order
came from, through that channel's enabled platform connection. Each order of a merged parcel has
its own shipment, so each platform order gets its own write-back; a split order's parcel is sent
for its own lines only (Taobao: ``is_split=1`` with the sub-orders whose SKUs the parcel carries,
read from ``taobao.trade.fullinfo.get``).

Supported: Taobao/Tmall (``taobao.logistics.offline.send``). Other platforms answer
``{"written": false, "reason": "not_supported"}`` — nothing is sent and the flow step says so.

Idempotent: the platform confirms the same number for the same lines again, and the timeline note
is written once per shipment and number.
No transaction is open while the platform is called.
"""

from __future__ import annotations

from commerce.audit.models import AuditEntry
from commerce.orders.selectors import order_find
from commerce.orders.services import order_note
from commerce.shipments import parcels
from commerce.shipments.models import Shipment
from core.errors import NotFound

from ..models import Connection

# The courier's code at Taobao (物流公司编码) for each courier, or carrier behind an aggregator.
TAOBAO_COMPANY_CODES = {
    "sf": "SF",
    "yuantong": "YTO",
    "zhongtong": "ZTO",
    "yunda": "YUNDA",
    "shentong": "STO",
    "ems": "EMS",
    "jd": "JD",
}
WRITE_BACK_CONNECTORS = frozenset({"taobao"})


def channel_connection(channel_code: str) -> Connection | None:
    """The enabled platform connection whose orders land on this channel (the oldest one)."""
    from ..registry import CONNECTORS

    for connection in Connection.objects.filter(enabled=True).order_by("pk"):
        connector = next((c for c in CONNECTORS if c.key == connection.connector), None)
        if connector is None or not getattr(connector, "channel", None):
            continue
        if (connection.settings or {}).get("channel", connector.channel) == channel_code:
            return connection
    return None


def shipment_write_back(*, shipment_id: int) -> dict:
    from ..services.connections import connection_actor, connection_client

    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(details={"shipment": shipment_id})
    order = order_find(order_id=shipment.order_id)
    assert order is not None  # a shipment's order is protected from deletion
    connection = channel_connection(order.channel.code)
    if connection is None:
        return {"written": False, "reason": "no_connection", "channel": order.channel.code}
    if connection.connector not in WRITE_BACK_CONNECTORS:
        return {"written": False, "reason": "not_supported", "connector": connection.connector}
    company = TAOBAO_COMPANY_CODES.get(
        shipment.carrier or shipment.courier, (shipment.carrier or shipment.courier).upper()
    )
    client = connection_client(connection)
    sub_tids = None
    if shipment.parcel_id is not None and parcels.order_is_split(order_id=order.pk):
        skus = parcels.parcel_skus_of_order(parcel_id=shipment.parcel_id, order_id=order.pk)
        trade = client.trade_fullinfo(order.external_id, "tid,orders")
        lines = (trade.get("orders") or {}).get("order") or []
        sub_tids = [str(line["oid"]) for line in lines if line.get("outer_sku_id") in skus]
    client.logistics_offline_send(
        tid=order.external_id, out_sid=shipment.tracking_no, company_code=company, sub_tids=sub_tids
    )
    text = f"Tracking number {shipment.tracking_no} ({company}) written back to {connection.name}" + (
        f" for sub-orders {', '.join(sub_tids)}" if sub_tids else ""
    )
    noted = AuditEntry.objects.filter(
        subject_type="order", subject_id=str(order.pk), action=AuditEntry.NOTED, changes__text=text
    )
    if not noted.exists():
        order_note(
            order_id=order.pk, text=text, actor=connection_actor(connection, source=f"writeback:{connection.connector}")
        )
    return {
        "written": True,
        "connector": connection.connector,
        "tracking_no": shipment.tracking_no,
        "sub_tids": sub_tids or [],
    }
