"""A refund request as the API, the outbox events and flows see it (``builder.events.REFUND_SCHEMA``)."""

from .models import RefundRequest
from .sla import sla_level


def refund_representation(refund: RefundRequest, *, lines=None) -> dict:
    if lines is None:
        lines = refund.lines.all()
    return {
        "id": refund.pk,
        "order_id": refund.order_id,
        "amount": f"{refund.amount:.2f}",
        "currency": refund.currency,
        "reason": refund.reason,
        "note": refund.note,
        "status": refund.status,
        "method": refund.method,
        "queue": refund.queue,
        "return_needed": refund.return_needed,
        "return_tracking_no": refund.return_tracking_no,
        "approvals_needed": list(refund.approvals_needed),
        "policy_version": refund.policy_version,
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in lines],
        "requested_by": refund.requested_by.get("label", ""),
        "created_at": refund.created_at.isoformat(),
        "decided_at": refund.decided_at.isoformat() if refund.decided_at else None,
        "paid_at": refund.paid_at.isoformat() if refund.paid_at else None,
        "failure": refund.failure,
        "sla": sla_level(refund),
        "ticket_number": refund.ticket_number,
    }
