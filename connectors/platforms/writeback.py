"""Tracking-number write-back (运单号回传): tell the sales channel an order's parcel has shipped.

``shipment_write_back`` sends one shipment's courier and tracking number to the channel the order
came from, through that channel's enabled platform connection. Each order of a merged parcel has
its own shipment, so each platform order gets its own write-back; a split order's parcel is sent
for its own lines only where the platform takes lines (Taobao sub-orders, Douyin sub-orders,
Shopify fulfillment-order line items, the own store's lines); JD and Pinduoduo take one number
per order (see their ``writeback.py``).

Each platform folder's ``writeback.py`` has ``write_back(client, parcel) -> WriteBackResult``
(``connectors.base.WriteBack``), listed in ``WRITERS``; this module finds the connection, builds the
``ParcelShipped`` (what the parcel carries of the order), calls it and notes the result on the
order's timeline. A connector not listed answers ``{"written": false, "reason": "not_supported"}``.

Idempotent: each platform confirms the same number for the same lines again, and the timeline
note is written once per shipment and number. No transaction is open while the platform is
called. A platform's refusal (already shipped with another number, an unknown courier…) is a
``ProviderError`` and changes nothing here.
"""

from __future__ import annotations

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.orders.selectors import order_find
from commerce.orders.services import order_note
from commerce.shipments import parcels
from commerce.shipments.models import Shipment
from core.errors import NotFound

from ..base import ParcelShipped, WriteBack, WriteBackResult
from ..models import Connection
from .douyin.writeback import write_back as douyin_write_back
from .jd.writeback import write_back as jd_write_back
from .own_store.writeback import write_back as own_store_write_back
from .pinduoduo.writeback import write_back as pinduoduo_write_back
from .shopify.writeback import write_back as shopify_write_back
from .taobao.writeback import write_back as taobao_write_back

WRITERS: dict[str, WriteBack] = {
    "taobao": taobao_write_back,
    "jd": jd_write_back,
    "pinduoduo": pinduoduo_write_back,
    "douyin": douyin_write_back,
    "shopify": shopify_write_back,
    "own_store": own_store_write_back,
}


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


def parcel_shipped(shipment: Shipment, order: Order) -> ParcelShipped:
    """What the shipment's parcel carries of the order, and whether the order ships in several parcels."""
    split = shipment.parcel_id is not None and parcels.order_is_split(order_id=order.pk)
    if split and shipment.parcel_id is not None:
        carried = parcels.parcel_quantities_of_order(parcel_id=shipment.parcel_id, order_id=order.pk)
        lines = tuple(sorted(carried.items()))
    else:
        lines = tuple((line.sku, line.quantity) for line in order.lines.order_by("position"))
    return ParcelShipped(
        order_external_id=order.external_id,
        tracking_no=shipment.tracking_no,
        courier=shipment.carrier or shipment.courier,
        lines=lines,
        split=split,
        first=not Shipment.objects.filter(order_id=order.pk, pk__lt=shipment.pk).exists(),
        parcel=shipment.parcel.number if shipment.parcel else "",
        key=f"orderflow-{shipment.pk}-{shipment.tracking_no}",
    )


def _note_once(order: Order, connection: Connection, text: str) -> None:
    from ..services.connections import connection_actor

    noted = AuditEntry.objects.filter(
        subject_type="order", subject_id=str(order.pk), action=AuditEntry.NOTED, changes__text=text
    )
    if not noted.exists():
        order_note(
            order_id=order.pk, text=text, actor=connection_actor(connection, source=f"writeback:{connection.connector}")
        )


def shipment_write_back(*, shipment_id: int) -> dict:
    from ..services.connections import connection_client

    shipment = Shipment.objects.select_related("parcel").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(details={"shipment": shipment_id})
    order = order_find(order_id=shipment.order_id)
    assert order is not None  # a shipment's order is protected from deletion
    connection = channel_connection(order.channel.code)
    if connection is None:
        return {"written": False, "reason": "no_connection", "channel": order.channel.code}
    writer = WRITERS.get(connection.connector)
    if writer is None:
        return {"written": False, "reason": "not_supported", "connector": connection.connector}

    result: WriteBackResult = writer(connection_client(connection), parcel_shipped(shipment, order))

    if not result.written:
        return {"written": False, "reason": result.reason, "connector": connection.connector}
    text = f"Tracking number {shipment.tracking_no} ({result.company}) written back to {connection.name}" + (
        f" for sub-orders {', '.join(result.sent)}" if result.sent else ""
    )
    _note_once(order, connection, text)
    return {
        "written": True,
        "connector": connection.connector,
        "tracking_no": shipment.tracking_no,
        "sub_tids": list(result.sent),
    }
