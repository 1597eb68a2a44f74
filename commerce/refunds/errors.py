from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


class RefundNotFound(NotFound):
    code = "not_found"
    message = _("No refund request has this id.")


class RefundExceedsPaid(Conflict):
    code = "refund_exceeds_paid"
    message = _("The refunds of this order would return more than was paid.")


class OrderNotPaid(Conflict):
    code = "order_not_paid"
    message = _("This order has not been paid: there is nothing to refund.")


class RefundNotPending(Conflict):
    code = "refund_not_pending"
    message = _("This refund request is not waiting for this step.")


class NotYourApproval(Forbidden):
    code = "not_your_approval"
    message = _("The approval this refund needs next is not yours to give.")


class SelfApproval(Forbidden):
    code = "self_approval"
    message = _("A refund cannot be approved by the person who requested it, nor twice by the same person.")


class InvalidRefund(InvalidInput):
    code = "invalid_refund"
    message = _("The refund request is not valid.")


class InvalidEvidence(InvalidInput):
    code = "invalid_evidence"
    message = _("Evidence must be a JPEG, PNG or WebP image.")


class EvidenceTooLarge(DomainError):
    code = "evidence_too_large"
    http_status = 413
    message = _("The image is larger than an evidence file may be.")


class EvidenceLimit(Conflict):
    code = "evidence_limit"
    message = _("This refund request already has as many evidence images as it may have.")


class EvidenceNotFound(NotFound):
    code = "not_found"
    message = _("This refund request has no evidence file with this id.")
