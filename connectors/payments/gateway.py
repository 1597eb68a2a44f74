"""What every payment gateway's client answers, in Orderflow's words, and the effect of a notify.

A gateway client (``alipay.client.AlipayClient``, ``wechatpay.client.WechatPayClient``) offers:

``trade(out_trade_no) -> GatewayTrade``
    The gateway's own view of the attempt, from a signed answer whose signature was verified.
``refund(out_trade_no, out_request_no, amount, total, reason) -> GatewayRefund``
    Asks for a refund under the idempotency key ``out_request_no``: the same key again never moves
    money twice (the gateway answers the refund it already made).
``refund_status(out_trade_no, out_request_no) -> GatewayRefund``

A notify is never trusted alone: ``PaymentNotified.apply`` asks the gateway (``trade``) and
confirms only what the verified answer says (the "double check").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext_lazy as _

from commerce.customers.models import CustomerWechatIdentity
from commerce.customers.services import InvalidWechatIdentity, customer_wechat_identity_record
from commerce.orders.selectors import order_customer_id
from commerce.payments.selectors import payment_by_out_trade_no
from commerce.payments.services import payment_checked, payment_confirm
from core.errors import DomainError

from ..base import ProviderError

if TYPE_CHECKING:
    from ..models import Connection

# A trade's status, whatever the gateway calls it.
PAID = "paid"
WAITING = "waiting"
CLOSED = "closed"
NOT_FOUND = "not_found"

# A refund's status.
REFUND_SUCCEEDED = "succeeded"
REFUND_PROCESSING = "processing"
REFUND_FAILED = "failed"


@dataclass(frozen=True)
class GatewayTrade:
    out_trade_no: str
    status: str  # PAID, WAITING, CLOSED, NOT_FOUND
    gateway_status: str  # the gateway's own word (TRADE_SUCCESS, NOTPAY, …)
    trade_no: str = ""
    amount: Decimal | None = None  # what was paid (yuan)
    paid_at: datetime | None = None
    raw: dict = field(default_factory=dict)  # the verified answer, kept on the payment
    # Who paid, to a WeChat app: the trade's ``appid`` and ``payer.openid`` (WeChat Pay only).
    payer_appid: str = ""
    payer_openid: str = ""

    @property
    def paid(self) -> bool:
        return self.status == PAID


@dataclass(frozen=True)
class GatewayRefund:
    out_request_no: str
    status: str  # REFUND_SUCCEEDED, REFUND_PROCESSING, REFUND_FAILED
    refund_id: str = ""
    amount: Decimal | None = None
    money_moved: bool = True  # False: the gateway had already refunded under this key
    raw: dict = field(default_factory=dict)


class GatewayClient(Protocol):
    def trade(self, out_trade_no: str) -> GatewayTrade: ...

    def refund(
        self, *, out_trade_no: str, out_request_no: str, amount: Decimal, total: Decimal, reason: str
    ) -> GatewayRefund: ...

    def refund_status(self, *, out_trade_no: str, out_request_no: str) -> GatewayRefund: ...


class GatewayUnreachable(DomainError):
    """The gateway could not be asked to double-check a notify: the delivery fails (replayable), and
    the payment sweep asks again later."""

    code = "gateway_unreachable"
    http_status = 503
    message = _("The payment gateway could not be reached to confirm the payment.")


def gateway_client(connection: Connection) -> Any:
    from ..services.connections import connection_client

    return connection_client(connection)


def trade_confirm(
    *, connection: Connection, trade: GatewayTrade, source: str, notification: dict | None = None
) -> dict:
    """Records what the gateway answered about an attempt: confirms a paid trade (``payment_confirm``)
    or counts the check. Returns what was done, for a delivery's or a sweep's record."""
    from ..services.connections import connection_actor

    payment = payment_by_out_trade_no(out_trade_no=trade.out_trade_no)
    if payment is None:
        return {"outcome": "unknown_payment", "out_trade_no": trade.out_trade_no}
    kept = {"source": source, "answer": trade.raw, **({"notify": notification} if notification else {})}
    if trade.paid and trade.amount is not None:
        done = payment_confirm(
            out_trade_no=trade.out_trade_no,
            gateway_trade_no=trade.trade_no,
            amount=trade.amount,
            paid_at=trade.paid_at,
            actor=connection_actor(connection, source=f"{source}:{connection.connector}"),
            source=source,
            notification=kept,
        )
        _payer_record(payment, trade)
        return {"outcome": done.outcome, "out_trade_no": trade.out_trade_no, "gateway_status": trade.gateway_status}
    payment_checked(
        payment_id=payment.pk, gateway_status=trade.gateway_status, closed=trade.status == CLOSED, notification=kept
    )
    return {"outcome": "not_paid", "out_trade_no": trade.out_trade_no, "gateway_status": trade.gateway_status}


def _payer_record(payment, trade: GatewayTrade) -> None:
    """The payer's openid under the trade's app, from the gateway's verified answer, kept for the
    order's customer (``CustomerWechatIdentity``): the WeChat template messages address it. A value
    not in WeChat's form is left out — it never fails a payment."""
    if not (trade.paid and trade.payer_appid and trade.payer_openid):
        return
    customer_id = order_customer_id(order_id=payment.order_id)
    if customer_id is None:
        return
    try:
        customer_wechat_identity_record(
            customer_id=customer_id,
            appid=trade.payer_appid,
            openid=trade.payer_openid,
            source=CustomerWechatIdentity.PAYMENT,
            seen_at=trade.paid_at,
        )
    except InvalidWechatIdentity:
        pass


@dataclass  # not frozen: ``base.Effect`` declares ``key`` a plain attribute
class PaymentNotified:
    """A gateway notified a payment. Applied by asking the gateway (a signed, verified query) and
    confirming only what that answer says: a notify whose query says "not paid" or names another
    amount than the notify does marks nothing paid. Safe to repeat (``payment_confirm`` is)."""

    out_trade_no: str
    notified_amount: Decimal | None
    notification: dict
    key: str = "payment"

    def apply(self, connection: Connection) -> dict:
        try:
            trade = gateway_client(connection).trade(self.out_trade_no)
        except ProviderError as exc:
            raise GatewayUnreachable(details={"out_trade_no": self.out_trade_no, "error": exc.message}) from None
        if trade.paid and self.notified_amount is not None and trade.amount != self.notified_amount:
            payment = payment_by_out_trade_no(out_trade_no=self.out_trade_no)
            if payment is not None:
                payment_checked(
                    payment_id=payment.pk,
                    gateway_status=trade.gateway_status,
                    notification={"source": "notify", "answer": trade.raw, "notify": self.notification},
                )
            return {
                "outcome": "query_disagrees",
                "out_trade_no": self.out_trade_no,
                "notified": str(self.notified_amount),
                "queried": str(trade.amount),
            }
        return trade_confirm(connection=connection, trade=trade, source="notify", notification=self.notification)


@dataclass  # not frozen: ``base.Effect`` declares ``key`` a plain attribute
class RefundNotified:
    """A gateway notified a refund's outcome. Like a payment, it is double-checked: the refund's
    status is asked of the gateway (``refund_status``, signed both ways) and only that answer is
    recorded — on the gateway refund (``payment_refund_settle``) and, when the key is a refund
    request's (``RFQ<id>``), on the request (``refund_paid`` / ``refund_failed``). Safe to repeat."""

    out_trade_no: str
    out_request_no: str
    notification: dict
    key: str = "refund"

    def apply(self, connection: Connection) -> dict:
        from commerce.payments.models import PaymentRefund
        from commerce.payments.services import payment_refund_settle
        from commerce.refunds.selectors import refund_by_out_request_no
        from commerce.refunds.services import refund_failed, refund_paid

        from ..services.connections import connection_actor

        if not PaymentRefund.objects.filter(out_request_no=self.out_request_no).exists():
            return {"outcome": "unknown_refund", "out_request_no": self.out_request_no}
        try:
            answer = gateway_client(connection).refund_status(
                out_trade_no=self.out_trade_no, out_request_no=self.out_request_no
            )
        except ProviderError as exc:
            raise GatewayUnreachable(details={"out_request_no": self.out_request_no, "error": exc.message}) from None
        if answer.status == REFUND_PROCESSING:
            return {"outcome": "processing", "out_request_no": self.out_request_no}
        actor = connection_actor(connection, source=f"notify:{connection.connector}")
        succeeded = answer.status == REFUND_SUCCEEDED
        payment_refund_settle(
            out_request_no=self.out_request_no,
            succeeded=succeeded,
            gateway_refund_id=answer.refund_id,
            error="" if succeeded else f"the gateway reports the refund {answer.raw.get('status', 'failed')}",
            actor=actor,
        )
        request = refund_by_out_request_no(out_request_no=self.out_request_no)
        if request is not None:
            if succeeded:
                refund_paid(refund_id=request.pk, actor=actor)
            else:
                refund_failed(refund_id=request.pk, error="the gateway reports the refund failed", actor=actor)
        return {
            "outcome": answer.status,
            "out_request_no": self.out_request_no,
            "refund_request": getattr(request, "pk", None),
        }
