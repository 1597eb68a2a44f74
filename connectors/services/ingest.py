"""Every order a connector receives or fetches enters the order centre here, through ``order_ingest``.

So a webhook and a poll of the same order never duplicate it (the order centre is idempotent on
channel + external id, under a unique constraint) and a stale view never overwrites a newer one
(it compares the platform's ``updated_at`` and audits the ignored view).
"""

from __future__ import annotations

from django.utils import timezone

from commerce.channels.selectors import channel_by_code
from commerce.customers.models import CustomerWechatIdentity
from commerce.customers.services import customer_wechat_identity_record
from commerce.orders.errors import UnknownChannel
from commerce.orders.services import AddressInput, CustomerInput, IngestResult, LineInput, OrderInput, order_ingest

from ..base import InboundOrder
from ..models import Connection
from .connections import connection_actor, connector_of


def inbound_order_ingest(*, connection: Connection, order: InboundOrder, source: str) -> IngestResult:
    """Creates or updates the order the platform describes. ``source``: ``webhook`` or ``poll``."""
    connector = connector_of(connection)
    channel_code = connection.settings.get("channel") or connector.channel
    channel = channel_by_code(channel_code)
    if channel is None:
        raise UnknownChannel(details={"channel": f"no active channel {channel_code!r}"})
    data = OrderInput(
        channel=channel,
        external_id=order.external_id,
        customer=CustomerInput(name=order.customer_name, phone=order.customer_phone, email=order.customer_email),
        shipping_address=AddressInput(
            province=order.province,
            city=order.city,
            line=order.address_line,
            district=order.district,
            postcode=order.postcode,
        ),
        lines=[LineInput(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price) for line in order.lines],
        status=order.status,
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        channel_updated_at=order.updated_at,
        received_at=timezone.now(),
        shipping_amount=order.shipping_amount,
        discount_amount=order.discount_amount,
        client_ip=order.client_ip,
        device=order.device,
        buyer_account=order.buyer_account,
        buyer_remark=order.buyer_remark,
    )
    result = order_ingest(data=data, actor=connection_actor(connection, source=f"{source}:{connector.key}"))
    if order.wechat_appid and order.wechat_openid:
        # Checked by the connector's mapping; the view's time, so a stale view never moves it back.
        customer_wechat_identity_record(
            customer_id=result.order.customer_id,
            appid=order.wechat_appid,
            openid=order.wechat_openid,
            source=CustomerWechatIdentity.OWN_STORE,
            seen_at=order.updated_at,
        )
    return result
