"""Writes of payments: attempts, confirmations from a gateway, refunds, sweeps.

Each service is one transaction. Lock order: the order row, then the payment, then its refunds.
Nothing here calls a gateway: connectors call the gateway first, with no transaction open, and then
record what it answered through these services.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.orders.expiry import order_payment_record
from commerce.orders.lock_objects import order_lock
from commerce.orders.services import order_hold
from core.actors import Actor
from core.errors import InvalidInput
from core.time import iso_utc

from .errors import PaymentNotRefundable, RefundExceedsPayment, UnknownPayment
from .lock_objects import payment_lock, refund_lock
from .models import MAX_NOTIFICATIONS, Payment, PaymentRefund, PaymentSweep

SUBJECT = "order"  # payment changes are written into the order's timeline

# Audit actions written here.
PAYMENT_ATTEMPTED = "payment_attempted"
PAYMENT_MISMATCHED = "payment_mismatched"
PAYMENT_DUPLICATED = "payment_duplicated"
PAYMENT_REFUND = "payment_refund"

# The outcomes of ``payment_confirm`` beside ``order_payment_record``'s (paid, reopened, held, ignored).
MISMATCHED = "mismatched"
ALREADY_CONFIRMED = "already_confirmed"
PAID_TWICE = "paid_twice"

CONFIRMABLE = (Payment.PENDING, Payment.CLOSED, Payment.FAILED)


def mismatch_reason(*, out_trade_no: str, paid: Decimal, total: Decimal, currency: str) -> str:
    return (
        f"payment {out_trade_no}: the gateway took {paid:.2f} {currency} but the order's total is "
        f"{total:.2f} {currency} — refund or collect the difference, then release"
    )


def _keep(payment: Payment, notification: dict | None) -> list[str]:
    if notification is None:
        return []
    payment.notifications = [*(payment.notifications or []), notification][-MAX_NOTIFICATIONS:]
    return ["notifications"]


def payment_attempt_create(*, order_id: int, gateway: str, actor: Actor, connection_id: int | None = None) -> Payment:
    """A new attempt to pay the order through ``gateway``; its ``out_trade_no`` is the order number
    and the attempt's number (``OF2405011234567890-1``), at most 32 characters (WeChat Pay's limit).

    Locks the order, so two concurrent attempts get consecutive numbers."""
    gateway = gateway.strip()
    if not gateway:
        raise InvalidInput(details={"gateway": "required"})
    with transaction.atomic():
        order = order_lock(order_id)
        attempt = (Payment.objects.filter(order=order).count() or 0) + 1
        payment = Payment.objects.create(
            order=order,
            attempt=attempt,
            gateway=gateway[:32],
            connection_id=connection_id,
            out_trade_no=f"{order.number}-{attempt}",
            amount=order.total_amount,
            currency=order.currency,
        )
        audit_record(
            subject_type=SUBJECT,
            subject_id=order.pk,
            action=PAYMENT_ATTEMPTED,
            actor=actor,
            changes={"out_trade_no": payment.out_trade_no, "gateway": gateway, "amount": str(payment.amount)},
        )
    return payment


@dataclass(frozen=True)
class PaymentConfirmation:
    payment: Payment
    outcome: str  # order_payment_record's outcome, MISMATCHED, or ALREADY_CONFIRMED


def payment_confirm(
    *,
    out_trade_no: str,
    gateway_trade_no: str,
    amount: Decimal,
    paid_at: datetime | None,
    actor: Actor,
    source: str,
    notification: dict | None = None,
) -> PaymentConfirmation:
    """The gateway confirmed that ``amount`` was paid for the attempt ``out_trade_no``.

    Callers confirm only what the gateway itself answered (a verified query), never a notify alone.
    Idempotent: an attempt already confirmed changes nothing (``already_confirmed``) but keeps the
    notification. Otherwise, under the order's and the payment's locks, in one transaction:

    - ``amount`` equals the order's total → the attempt is ``paid`` and the order's payment is
      recorded (``order_payment_record``: pending → paid, a late payment reopened or held, a repeat
      ignored), which emits ``payment.received``;
    - any other amount → the attempt is ``mismatched``, and the order is held with a reason that
      says both amounts; the order is not marked paid and nothing is emitted but ``order.held``;
    - another attempt of the order is paid already (the customer paid twice) → this attempt is
      ``paid`` too (the money was taken), and the order is held so that one of them is refunded
      (``paid_twice``); the order's payment is not recorded again.
    """
    found = Payment.objects.filter(out_trade_no=out_trade_no).values_list("pk", "order_id").first()
    if found is None:
        raise UnknownPayment(details={"out_trade_no": out_trade_no})
    payment_id, order_id = found
    paid_at = paid_at or timezone.now()
    with transaction.atomic():
        order = order_lock(order_id)
        payment = payment_lock(payment_id)
        fields = _keep(payment, notification)
        if payment.status not in CONFIRMABLE:
            if fields:
                payment.save(update_fields=[*fields, "updated_at"])
            return PaymentConfirmation(payment, ALREADY_CONFIRMED)
        payment.gateway_trade_no = gateway_trade_no[:64]
        payment.paid_amount = amount
        payment.paid_at = paid_at
        payment.confirmed_by = source[:32]
        fields += ["gateway_trade_no", "paid_amount", "paid_at", "confirmed_by", "status", "updated_at"]
        if amount != order.total_amount:
            payment.status = Payment.MISMATCHED
            payment.save(update_fields=fields)
            reason = mismatch_reason(
                out_trade_no=out_trade_no, paid=amount, total=order.total_amount, currency=payment.currency
            )
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action=PAYMENT_MISMATCHED,
                actor=actor,
                changes={
                    "out_trade_no": out_trade_no,
                    "paid": str(amount),
                    "total": str(order.total_amount),
                    "paid_at": iso_utc(paid_at),
                    "source": source,
                },
            )
            order_hold(order_id=order.pk, reason=reason, actor=actor)
            return PaymentConfirmation(payment, MISMATCHED)
        payment.status = Payment.PAID
        payment.save(update_fields=fields)
        earlier = Payment.objects.filter(order_id=order.pk, status=Payment.PAID).exclude(pk=payment.pk).first()
        if earlier is not None:
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action=PAYMENT_DUPLICATED,
                actor=actor,
                changes={"out_trade_no": out_trade_no, "paid_before": earlier.out_trade_no, "paid": str(amount)},
            )
            reason = f"paid twice ({earlier.out_trade_no} and {out_trade_no}) — refund one of them"
            order_hold(order_id=order.pk, reason=reason[:200], actor=actor)
            return PaymentConfirmation(payment, PAID_TWICE)
        recorded = order_payment_record(order_id=order.pk, actor=actor, paid_at=paid_at)
    return PaymentConfirmation(payment, recorded.outcome)


def payment_check_claim(*, payment_id: int, now: datetime, hold: timedelta) -> bool:
    """Claims a pending attempt for one gateway query, so sweeps that overlap (a slow gateway, a
    sweep still running when the next starts) never query it twice: one conditional UPDATE that
    stamps ``last_checked_at`` unless another claim did so within ``hold``. True when claimed."""
    recent = Q(last_checked_at__isnull=False) & Q(last_checked_at__gte=now - hold)
    claimed = Payment.objects.filter(pk=payment_id, status=Payment.PENDING).exclude(recent).update(last_checked_at=now)
    return claimed == 1


def payment_checked(
    *, payment_id: int, gateway_status: str = "", closed: bool = False, notification: dict | None = None
) -> Payment:
    """The gateway was asked about the attempt (by the sweep or an action) and did not confirm it:
    counts the check; ``closed`` marks a pending attempt the gateway closed."""
    with transaction.atomic():
        payment = payment_lock(payment_id)
        fields = _keep(payment, notification)
        payment.last_checked_at = timezone.now()
        payment.check_attempts = F("check_attempts") + 1
        fields += ["last_checked_at", "check_attempts", "updated_at"]
        if closed and payment.status == Payment.PENDING:
            payment.status = Payment.CLOSED
            fields.append("status")
        payment.save(update_fields=fields)
    payment.refresh_from_db()
    return payment


def payment_refund_record(
    *, payment_id: int, out_request_no: str, amount: Decimal, reason: str, actor: Actor
) -> PaymentRefund:
    """Records a refund request before it goes to the gateway; idempotent on ``out_request_no``: the
    same key again answers the stored request (a retry sends the same key, never a second refund).

    Refuses a refund of a payment that took no money, and one that would bring the refunds of the
    payment (those not failed) past what was paid."""
    if amount <= 0:
        raise InvalidInput(details={"amount": "must be more than 0"})
    if not out_request_no or len(out_request_no) > 64:
        raise InvalidInput(details={"out_request_no": "1 to 64 characters"})
    existing = PaymentRefund.objects.filter(out_request_no=out_request_no).first()
    if existing is not None:
        return existing
    order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise UnknownPayment(details={"payment": payment_id})
    with transaction.atomic():
        order_lock(order_id)
        payment = payment_lock(payment_id)
        existing = PaymentRefund.objects.filter(out_request_no=out_request_no).first()
        if existing is not None:
            return existing
        if payment.status not in Payment.MONEY_TAKEN:
            raise PaymentNotRefundable(details={"payment": payment.out_trade_no, "status": payment.status})
        paid = payment.paid_amount if payment.paid_amount is not None else payment.amount
        asked = payment.refunds.exclude(status=PaymentRefund.FAILED).aggregate(total=Sum("amount"))["total"]
        if (asked or Decimal("0")) + amount > paid:
            raise RefundExceedsPayment(
                details={"amount": str(amount), "paid": str(paid), "already_refunding": str(asked or 0)}
            )
        refund = PaymentRefund.objects.create(
            payment=payment, out_request_no=out_request_no, amount=amount, reason=reason[:200]
        )
        audit_record(
            subject_type=SUBJECT,
            subject_id=order_id,
            action=PAYMENT_REFUND,
            actor=actor,
            changes={"out_request_no": out_request_no, "amount": str(amount), "status": refund.status},
        )
    return refund


def payment_refund_settle(
    *, out_request_no: str, succeeded: bool, gateway_refund_id: str = "", error: str = "", actor: Actor
) -> PaymentRefund:
    """What the gateway answered to a refund request. Idempotent: a refund already ``succeeded``
    stays so (and is counted into the payment's refunded amount once)."""
    found = PaymentRefund.objects.filter(out_request_no=out_request_no).values_list("pk", "payment_id").first()
    if found is None:
        raise InvalidInput(details={"out_request_no": "no refund has this request number"})
    refund_id, payment_id = found
    order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).get()
    with transaction.atomic():
        order_lock(order_id)
        payment = payment_lock(payment_id)
        refund = refund_lock(refund_id)
        refund.attempts = F("attempts") + 1
        if refund.status == PaymentRefund.SUCCEEDED:
            refund.save(update_fields=["attempts", "updated_at"])
            refund.refresh_from_db()
            return refund
        if succeeded:
            refund.status = PaymentRefund.SUCCEEDED
            refund.gateway_refund_id = gateway_refund_id[:64]
            refund.succeeded_at = timezone.now()
            refund.error = ""
            payment.refunded_amount = payment.refunded_amount + refund.amount
            paid = payment.paid_amount if payment.paid_amount is not None else payment.amount
            payment.status = Payment.REFUNDED if payment.refunded_amount >= paid else Payment.REFUNDED_PARTIALLY
            payment.save(update_fields=["refunded_amount", "status", "updated_at"])
        else:
            refund.status = PaymentRefund.FAILED
            refund.error = error[:2000]
        refund.save(update_fields=["status", "gateway_refund_id", "succeeded_at", "error", "attempts", "updated_at"])
        audit_record(
            subject_type=SUBJECT,
            subject_id=order_id,
            action=PAYMENT_REFUND,
            actor=actor,
            changes={"out_request_no": out_request_no, "status": refund.status, "error": refund.error},
        )
    refund.refresh_from_db()
    return refund


def payment_sweep_record(
    *,
    checked: int,
    repaired: int,
    unreachable: int,
    errors: int,
    unconfirmed: int,
    alerted: bool,
    details: list[dict],
    started_at: datetime,
) -> PaymentSweep:
    """Keeps what one run of the payment verification robot did."""
    with transaction.atomic():
        sweep = PaymentSweep.objects.create(
            checked=checked,
            repaired=repaired,
            unreachable=unreachable,
            errors=errors,
            unconfirmed=unconfirmed,
            alerted=alerted,
            details=details[:200],
            finished_at=timezone.now(),
        )
        PaymentSweep.objects.filter(pk=sweep.pk).update(started_at=started_at)
    sweep.refresh_from_db()
    return sweep
