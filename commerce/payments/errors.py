from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, NotFound


class UnknownPayment(NotFound):
    code = "unknown_payment"
    message = _("No payment attempt has this trade number.")


class RefundExceedsPayment(Conflict):
    code = "refund_exceeds_payment"
    message = _("The refunds would return more than was paid.")


class PaymentNotRefundable(Conflict):
    code = "payment_not_refundable"
    message = _("This payment took no money that could be refunded.")
