"""Reads of payments: what the sweep verifies, how many attempts wait unconfirmed."""

from datetime import datetime

from django.db.models import F, QuerySet

from commerce.orders import statuses

from .models import Payment, PaymentSweep


def payments_to_verify(*, created_before: datetime, limit: int = 200) -> QuerySet[Payment]:
    """Pending attempts older than ``created_before`` whose order still waits for its payment, the
    ones checked least recently first (never checked before all)."""
    return Payment.objects.filter(
        status=Payment.PENDING, created_at__lt=created_before, order__status=statuses.PENDING_PAYMENT
    ).order_by(F("last_checked_at").asc(nulls_first=True), "id")[:limit]


def payments_unconfirmed_count(*, created_before: datetime) -> int:
    return Payment.objects.filter(
        status=Payment.PENDING, created_at__lt=created_before, order__status=statuses.PENDING_PAYMENT
    ).count()


def payment_latest_for_order(*, order_id: int) -> Payment | None:
    return Payment.objects.filter(order_id=order_id).order_by("-attempt").first()


def payment_by_out_trade_no(*, out_trade_no: str) -> Payment | None:
    return Payment.objects.filter(out_trade_no=out_trade_no).first()


def payment_sweep_last_alerted() -> PaymentSweep | None:
    return PaymentSweep.objects.filter(alerted=True).order_by("-started_at", "-id").first()


def payment_refundable_for_order(*, order_id: int) -> Payment | None:
    """The order's latest attempt that took money (the one a refund goes back through)."""
    return Payment.objects.filter(order_id=order_id, status__in=Payment.MONEY_TAKEN).order_by("-attempt").first()
