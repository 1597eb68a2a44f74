"""Refunds a sales channel reports: each becomes a refund request of the order centre, once.

A platform's parser reads its refund message into a ``ChannelRefund`` effect; applying it finds
the order by the connection's channel and the platform's order id, and records the refund through
``commerce.refunds`` — ``refund_record_channel`` when the platform says it already gave the money
back (a refund made in Shopify's admin), ``refund_request`` otherwise (the approval policy then
decides). Either is idempotent on the platform's own refund id, so a delivery replayed, or sent
twice, makes one request.

One platform refund has one key (``<connector>:<platform refund id>``) through its whole life:
the buyer's application files a request (``refund_request``), the platform's "refund succeeded"
settles that same request as refunded by the channel (``refund_record_channel``) — or records a
refunded one when the application was never seen — and the buyer withdrawing it, or the platform
closing it, cancels the request while it still waits for a decision (``closed``).

``reason_category`` reads a platform's reason text (退款原因) into Orderflow's reason categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from commerce.channels.selectors import channel_by_code
from commerce.orders.errors import UnknownChannel
from commerce.orders.selectors import order_find_by_external_id
from commerce.refunds import statuses
from commerce.refunds.errors import RefundNotPending
from commerce.refunds.selectors import refund_by_source_key
from commerce.refunds.services import (
    RefundInput,
    RefundLineInput,
    refund_cancel,
    refund_record_channel,
    refund_request,
)
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
    closed: bool = False  # withdrawn by the buyer or closed by the platform: nothing is refunded
    # Lines named by a platform's merchant code, which may be the item's rather than the SKU's:
    # a line whose SKU is not on the order is left out (the request is for the amount) instead of
    # refusing the refund.
    lines_if_on_order: bool = False

    def apply(self, connection: Connection) -> dict:
        # Imported here: the platforms' parsers import this module, and the registry imports them.
        from .connections import connection_actor, connector_of

        connector = connector_of(connection)
        source_key = f"{connector.key}:{self.refund_id}"
        actor = connection_actor(connection, source=f"{connection_source(connection)}:{connector.key}")
        if self.closed:
            return self.close(source_key, actor)
        channel_code = connection.settings.get("channel") or connector.channel
        channel = channel_by_code(channel_code)
        if channel is None:
            raise UnknownChannel(details={"channel": f"no active channel {channel_code!r}"})
        order = order_find_by_external_id(channel_id=channel.pk, external_id=self.order_external_id)
        if order is None:
            missing = f"no {channel_code} order {self.order_external_id} yet: replay the delivery once it arrives"
            raise NotFound(missing, details={"order": self.order_external_id})
        lines = self.lines
        if self.lines_if_on_order:
            on_order = set(order.lines.values_list("sku", flat=True))
            lines = lines if all(line.sku in on_order for line in lines) else ()
        data = RefundInput(
            order_id=order.pk,
            amount=self.amount,
            reason=self.reason,
            note=self.note,
            lines=tuple(RefundLineInput(sku=line.sku, quantity=line.quantity) for line in lines),
            source_key=source_key,
        )
        record = refund_record_channel if self.already_refunded else refund_request
        refund, created = record(data=data, actor=actor)
        return {"refund": refund.pk, "status": refund.status, "created": created, "order": order.pk}

    def close(self, source_key: str, actor) -> dict:
        """The platform closed the refund: our request is cancelled while it still waits for a
        decision; a decided one (approved, refunded …) stays as it is, and so does no request."""
        refund = refund_by_source_key(source_key)
        if refund is None:
            return {"refund": None, "outcome": "no_request"}
        if refund.status in statuses.CANCELLABLE:
            note = self.note or "closed on the sales channel"
            try:
                refund = refund_cancel(refund_id=refund.pk, actor=actor, note=note)
            except RefundNotPending:  # decided meanwhile
                refund.refresh_from_db()
                return {"refund": refund.pk, "status": refund.status, "outcome": "kept"}
            return {"refund": refund.pk, "status": refund.status, "outcome": "cancelled"}
        return {"refund": refund.pk, "status": refund.status, "outcome": "kept"}


@dataclass(frozen=True)
class NotARefund:
    """An after-sales case of a platform's refund list that moves no money back (an exchange, a
    resend, a repair): acknowledged, nothing filed."""

    case_id: str
    why: str
    key: str = "refund"

    def apply(self, connection: Connection) -> dict:
        return {"refund": None, "outcome": "ignored", "case": self.case_id, "why": self.why}


# Where a platform's refund stands, in the three words that decide what Orderflow does with it.
OPEN = "open"  # asked for, not yet refunded: a request is filed (the approval policy decides)
SUCCEEDED = "succeeded"  # the platform gave the money back: recorded (or settled) refunded by the channel
CLOSED = "closed"  # withdrawn by the buyer, refused for good, closed: a waiting request is cancelled
STATES = (OPEN, SUCCEEDED, CLOSED)


def platform_refund(
    *,
    refund_id: str,
    order_external_id: str,
    amount: Decimal,
    state: str,
    reason_text: str = "",
    note: str = "",
    lines: tuple[ChannelRefundLine, ...] = (),
) -> ChannelRefund:
    """A marketplace's refund (Taobao, Pinduoduo, JD, Douyin) as the effect that applies it."""
    if state not in STATES:
        raise ValueError(f"state is one of {STATES}")
    return ChannelRefund(
        refund_id=refund_id,
        order_external_id=order_external_id,
        amount=amount,
        already_refunded=state == SUCCEEDED,
        closed=state == CLOSED,
        reason=reason_category(reason_text),
        note=(note or reason_text)[:500],
        lines=lines,
        lines_if_on_order=True,
    )


def connection_source(connection: Connection) -> str:
    """How a connection's refunds reach us, for the actor's source: pushed, or found by polling."""
    from .connections import connector_of

    return "webhook" if connector_of(connection).inbound is not None else "poll"


# Words of a platform's reason text (退款原因, 售后原因) and the category they mean, first match wins.
# The platforms' own reason lists (Taobao's 退款原因, Pinduoduo's after_sale_reason, JD's) are free
# text as far as their list APIs show; these are the phrases their buyer forms use.
REASON_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (statuses.NO_REASON_7_DAYS, ("七天无理由", "7天无理由", "无理由", "不想要", "不喜欢", "拍错", "多拍", "拍多")),
    (statuses.DAMAGED_IN_TRANSIT, ("破损", "损坏", "压坏", "摔坏", "漏液")),
    (statuses.WRONG_ITEM, ("发错", "错发", "少件", "漏发", "与描述不符", "与商品描述不符", "不符", "假冒")),
    (statuses.QUALITY, ("质量", "做工", "瑕疵", "故障", "无法使用", "不能正常使用", "过期", "变质")),
    (statuses.NOT_RECEIVED, ("未收到", "没收到", "未送达", "未发货", "没发货", "缺货", "物流", "快递")),
    (statuses.PRICE_ADJUSTMENT, ("差价", "保价", "价格", "退差", "返现")),
)


def reason_category(text: str) -> str:
    """A platform's reason text as a reason category: the first category whose words it contains,
    else ``other``."""
    for category, words in REASON_WORDS:
        if any(word in text for word in words):
            return category
    return statuses.OTHER
