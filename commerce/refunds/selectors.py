"""Reads of refund requests."""

from django.db.models import Q, QuerySet

from . import statuses
from .models import RefundRequest


def refund_list(
    *, status: list[str] | None = None, order_id: int | None = None, queue: str = ""
) -> QuerySet[RefundRequest]:
    refunds = RefundRequest.objects.prefetch_related("lines")
    if status:
        refunds = refunds.filter(status__in=status)
    if order_id is not None:
        refunds = refunds.filter(order_id=order_id)
    if queue:
        refunds = refunds.filter(queue=queue)
    return refunds.order_by("-created_at", "-id")


def refund_get(*, refund_id: int) -> RefundRequest | None:
    return RefundRequest.objects.prefetch_related("lines", "decisions").filter(pk=refund_id).first()


def refunds_payable(*, stuck_before, limit: int = 100) -> list[int]:
    """Gateway refunds to pay out, oldest first: approved ones not started, and payouts still
    ``refunding`` since before ``stuck_before`` (timed out, or the gateway still processing)."""
    due = RefundRequest.objects.filter(method=statuses.GATEWAY).filter(
        Q(status=statuses.APPROVED) | Q(status=statuses.REFUNDING, updated_at__lt=stuck_before)
    )
    return list(due.order_by("decided_at", "pk").values_list("pk", flat=True)[:limit])


def refund_by_out_request_no(*, out_request_no: str) -> RefundRequest | None:
    """The request a gateway refund key names (``RFQ<id>``, ``RefundRequest.out_request_no``), if any."""
    if not out_request_no.startswith("RFQ") or not out_request_no[3:].isdigit():
        return None
    return RefundRequest.objects.filter(pk=int(out_request_no[3:])).first()
