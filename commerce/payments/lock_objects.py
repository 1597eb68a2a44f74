"""Row locks for payments. Lock order: the order first (``commerce.orders.lock_objects``), then its
payment, then the payment's refunds."""

from .models import Payment, PaymentRefund


def payment_lock(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)


def refund_lock(refund_id: int) -> PaymentRefund:
    return PaymentRefund.objects.select_for_update().get(pk=refund_id)
