"""Paying out approved refund requests through the order's payment gateway, once.

``refunds_payout_due`` runs every minute (``orderflow.schedules.services``) and pays each approved
gateway refund (``commerce.refunds``) back through the gateway connection its order was paid with:

1. ``refund_payout_begin`` marks the request ``refunding``;
2. ``payment_refund_record`` writes the gateway refund under the request's own key
   (``RefundRequest.out_request_no``, ``RFQ<id>``) before the gateway is called — the same key on
   every retry, so Alipay's ``out_request_no`` / WeChat Pay's ``out_refund_no`` move money once;
3. the gateway answers: succeeded → ``refund_paid``; refused → ``refund_failed`` with its message
   (finance or an admin sends it again: ``refund_retry`` makes it ``approved``); a timeout or
   "still processing" leaves the request ``refunding``, and a later run sends the same key again
   once ``STUCK_AFTER`` has passed.

No transaction is open while a gateway is called.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from commerce.payments.models import PaymentRefund
from commerce.payments.selectors import payment_refundable_for_order
from commerce.payments.services import payment_refund_record, payment_refund_settle
from commerce.refunds.selectors import refunds_payable
from commerce.refunds.services import refund_failed, refund_paid, refund_payout_begin
from core.actors import Actor
from core.errors import DomainError

from ..base import ProviderError
from ..models import Connection
from .gateway import REFUND_SUCCEEDED, gateway_client

logger = logging.getLogger(__name__)

PAYOUT_ACTOR = Actor.system("refund payout", source="schedule")
STUCK_AFTER = timedelta(minutes=2)

PAID = "paid"
FAILED = "failed"
PENDING = "pending"  # sent; the gateway has not confirmed yet (or could not be reached)
SKIPPED = "skipped"


def refund_payout(*, refund_id: int, actor: Actor = PAYOUT_ACTOR) -> str:
    """Pays one refund request out through its order's gateway; answers what happened (see above)."""
    refund = refund_payout_begin(refund_id=refund_id, actor=actor)
    if refund is None:
        return SKIPPED
    payment = payment_refundable_for_order(order_id=refund.order_id)
    if payment is None:
        refund_failed(refund_id=refund.pk, error="the order has no gateway payment that took money", actor=actor)
        return FAILED
    key = refund.out_request_no
    try:
        record = payment_refund_record(
            payment_id=payment.pk, out_request_no=key, amount=refund.amount, reason=refund.reason, actor=actor
        )
    except DomainError as exc:
        refund_failed(refund_id=refund.pk, error=f"{exc.code}: {exc.message}", actor=actor)
        return FAILED
    if record.status == PaymentRefund.SUCCEEDED:
        refund_paid(refund_id=refund.pk, actor=actor)
        return PAID
    connection = (
        Connection.objects.filter(pk=payment.connection_id, connector=payment.gateway, enabled=True).first()
        if payment.connection_id is not None
        else None
    )
    if connection is None:
        refund_failed(refund_id=refund.pk, error=f"no enabled {payment.gateway} connection", actor=actor)
        return FAILED
    try:
        answer = gateway_client(connection).refund(
            out_trade_no=payment.out_trade_no,
            out_request_no=key,
            amount=record.amount,
            total=payment.paid_amount or payment.amount,
            reason=refund.reason,
        )
    except ProviderError as exc:
        if exc.retryable:
            logger.info("refund %s: the gateway could not be reached (%s); sent again later", refund.pk, exc.message)
            return PENDING
        payment_refund_settle(out_request_no=key, succeeded=False, error=exc.message, actor=actor)
        refund_failed(refund_id=refund.pk, error=exc.message, actor=actor)
        return FAILED
    if answer.status != REFUND_SUCCEEDED:
        return PENDING
    payment_refund_settle(out_request_no=key, succeeded=True, gateway_refund_id=answer.refund_id, actor=actor)
    refund_paid(refund_id=refund.pk, actor=actor)
    return PAID


def refunds_payout_due(*, limit: int = 100) -> dict[str, int]:
    """One run of the payout: every approved gateway refund, and those stuck ``refunding``."""
    done = {PAID: 0, FAILED: 0, PENDING: 0, SKIPPED: 0}
    for refund_id in refunds_payable(stuck_before=timezone.now() - STUCK_AFTER, limit=limit):
        done[refund_payout(refund_id=refund_id)] += 1
    return done
