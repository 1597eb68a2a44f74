"""Refunds a sales channel reports: each becomes a refund request of the order centre, once.

A platform's parser reads its refund message into a ``ChannelRefund`` effect; applying it finds
the order by the connection's channel and the platform's order id, and records the refund through
``commerce.refunds`` — ``refund_record_channel`` when the platform says it already gave the money
back (a refund made in Shopify's admin), ``refund_request`` otherwise (the approval policy then
decides). Either is idempotent on the platform's own refund id, so a delivery replayed, or sent
twice, makes one request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from commerce.channels.selectors import channel_by_code
from commerce.orders.errors import UnknownChannel
from commerce.orders.selectors import order_find_by_external_id
from commerce.refunds import statuses
from commerce.refunds.services import RefundInput, RefundLineInput, refund_record_channel, refund_request
from core.errors import NotFound

from ..models import Connection


@dataclass(frozen=True)
class ChannelRefundLine:
    sku: str
    quantity: int


@dataclass  # not frozen: ``base.Effect`` declares ``key`` a plain attribute
class ChannelRefund:
    refund_id: str  # the platform's own id: ``<connector>:<id>`` is the request's source key
    order_external_id: str
    amount: Decimal
    already_refunded: bool  # the platform moved the money itself
    note: str = ""
    reason: str = statuses.OTHER
    lines: tuple[ChannelRefundLine, ...] = field(default_factory=tuple)
    key: str = "refund"

    def apply(self, connection: Connection) -> dict:
        # Imported here: the platforms' parsers import this module, and the registry imports them.
        from .connections import connection_actor, connector_of

        connector = connector_of(connection)
        channel_code = connection.settings.get("channel") or connector.channel
        channel = channel_by_code(channel_code)
        if channel is None:
            raise UnknownChannel(details={"channel": f"no active channel {channel_code!r}"})
        order = order_find_by_external_id(channel_id=channel.pk, external_id=self.order_external_id)
        if order is None:
            missing = f"no {channel_code} order {self.order_external_id} yet: replay the delivery once it arrives"
            raise NotFound(missing, details={"order": self.order_external_id})
        data = RefundInput(
            order_id=order.pk,
            amount=self.amount,
            reason=self.reason,
            note=self.note,
            lines=tuple(RefundLineInput(sku=line.sku, quantity=line.quantity) for line in self.lines),
            source_key=f"{connector.key}:{self.refund_id}",
        )
        actor = connection_actor(connection, source=f"webhook:{connector.key}")
        record = refund_record_channel if self.already_refunded else refund_request
        refund, created = record(data=data, actor=actor)
        return {"refund": refund.pk, "status": refund.status, "created": created, "order": order.pk}
