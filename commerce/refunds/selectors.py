"""Reads of refund requests."""

from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from . import statuses
from .models import RefundDecision, RefundRequest


def refund_list(
    *, status: list[str] | None = None, order_id: int | None = None, queue: str = ""
) -> QuerySet[RefundRequest]:
    refunds = RefundRequest.objects.select_related("order").prefetch_related("lines")
    if status:
        refunds = refunds.filter(status__in=status)
    if order_id is not None:
        refunds = refunds.filter(order_id=order_id)
    if queue:
        refunds = refunds.filter(queue=queue)
    return refunds.order_by("-created_at", "-id")


def refund_get(*, refund_id: int) -> RefundRequest | None:
    refunds = RefundRequest.objects.select_related("order").prefetch_related(
        "lines", "decisions", "returns", "evidence"
    )
    return refunds.filter(pk=refund_id).first()


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


def refund_by_source_key(source_key: str) -> RefundRequest | None:
    """The request filed for a channel's refund (``<connector>:<refund id>``), if any."""
    return RefundRequest.objects.filter(source_key=source_key).first() if source_key else None


def refund_summary(*, day: date, tz: tzinfo) -> dict:
    """The day's figures for the board, ``day`` being a calendar day in ``tz`` (Asia/Shanghai for people):

    ``requested`` — filed that day (count and amount); ``refunded`` — money back that day (count and
    amount); ``rejected`` — rejected that day; ``pending`` — at the day's end, filed and still
    waiting for a decision (neither decided nor cancelled by then); ``average_hours_to_refund`` — of
    the requests refunded that day, the mean time from filing to money back (None when none was).
    """
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = start + timedelta(days=1)
    filed = RefundRequest.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        n=Count("pk"), amount=Sum("amount")
    )
    paid = RefundRequest.objects.filter(status=statuses.REFUNDED, paid_at__gte=start, paid_at__lt=end)
    refunded = paid.aggregate(n=Count("pk"), amount=Sum("amount"))
    rejected = RefundRequest.objects.filter(status=statuses.REJECTED, decided_at__gte=start, decided_at__lt=end).count()
    cancelled_by_then = RefundDecision.objects.filter(request=OuterRef("pk"), kind=RefundDecision.CANCEL, at__lt=end)
    pending = (
        RefundRequest.objects.filter(created_at__lt=end)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__gte=end))
        .exclude(Exists(cancelled_by_then))
        .count()
    )
    waits = [(p - c).total_seconds() for c, p in paid.values_list("created_at", "paid_at") if p is not None]
    average = round(sum(waits) / len(waits) / 3600, 2) if waits else None
    return {
        "date": day.isoformat(),
        "requested": filed["n"],
        "requested_amount": f"{filed['amount'] or Decimal('0'):.2f}",
        "refunded": refunded["n"],
        "refunded_amount": f"{refunded['amount'] or Decimal('0'):.2f}",
        "rejected": rejected,
        "pending": pending,
        "average_hours_to_refund": average,
    }
