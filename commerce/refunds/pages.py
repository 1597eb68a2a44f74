"""The customer's tracking page, ``/t/refund/<token>/``: a refund's progress in Chinese, and a cancel
button while it waits for approval.

Public (no login): the signed token is the only key. The page shows the request's own progress,
amount and reason and the order number masked to its last 4 characters — never the customer's
name, phone or address, nor staff notes or gateway messages. A wrong, altered or expired token
gets a page that says so and shows nothing else. Cancelling is a POST with Django's CSRF check.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core.actors import Actor
from core.errors import DomainError

from . import statuses
from .models import RefundRequest
from .services import refund_cancel
from .sla import sla_hours
from .tracking import tracking_token_check

REASON_WORDS = {
    statuses.WRONG_ITEM: "发错货",
    statuses.DAMAGED_IN_TRANSIT: "运输破损",
    statuses.QUALITY: "质量问题",
    statuses.NO_REASON_7_DAYS: "七天无理由退货",
    statuses.NOT_RECEIVED: "未收到货",
    statuses.PRICE_ADJUSTMENT: "价格补差",
    statuses.OTHER: "其他",
}
CUSTOMER = Actor.system("customer (tracking page)", source="tracking_page")
PROBLEMS = {
    "invalid": ("链接无效", "这个退款查询链接无效或不完整。请核对链接，或联系客服重新获取。", 404),
    "expired": ("链接已过期", "这个退款查询链接已过期。请联系客服获取新的查询链接。", 410),
    "missing": ("找不到退款申请", "这个链接对应的退款申请不存在。请联系客服。", 404),
}


def mask_number(number: str) -> str:
    """The order number's last 4 characters behind a fixed mask (which hides its length too)."""
    return "****" + number[-4:]


def _local(moment: datetime | None) -> str:
    """A moment as the customer reads it: Beijing time, to the minute."""
    if moment is None:
        return ""
    return timezone.localtime(moment, ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def _steps(refund: RefundRequest) -> list[dict]:
    approved = refund.status in {statuses.APPROVED, statuses.REFUNDING, statuses.REFUNDED, statuses.FAILED}
    refunded = refund.status == statuses.REFUNDED
    return [
        {"label": "已申请", "done": True, "at": _local(refund.created_at)},
        {"label": "已批准", "done": approved, "at": _local(refund.decided_at) if approved else ""},
        {"label": "已退款", "done": refunded, "at": _local(refund.paid_at) if refunded else ""},
    ]


def _expectation(refund: RefundRequest) -> str:
    if refund.status in statuses.CANCELLABLE:
        due = _local(refund.created_at + timedelta(hours=sla_hours()[1]))
        return f"我们会在 {due}（北京时间）前完成审核。"
    if refund.status in {statuses.APPROVED, statuses.REFUNDING, statuses.FAILED}:
        return "退款将原路退回您的付款账户，通常 1–3 个工作日到账。"
    if refund.status == statuses.REFUNDED:
        return "退款已完成，请留意您的付款账户。"
    if refund.status == statuses.REJECTED:
        return "您的退款申请未通过审核。如有疑问，请联系客服。"
    return "您已取消这个退款申请。"


def _problem(request: HttpRequest, problem: str) -> HttpResponse:
    title, message, status = PROBLEMS[problem]
    return _no_store(
        render(request, "refunds/tracking_problem.html", {"title": title, "message": message}, status=status)
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@csrf_protect
def refund_tracking(request: HttpRequest, token: str) -> HttpResponse:
    check = tracking_token_check(token)
    if check.refund_id is None:
        return _problem(request, check.problem)
    refund = RefundRequest.objects.select_related("order").filter(pk=check.refund_id).first()
    if refund is None:
        return _problem(request, "missing")
    status_words = {
        statuses.REFUNDED: "已退款",
        statuses.REJECTED: "未通过",
        statuses.CANCELLED: "已取消",
    }.get(refund.status, "处理中")
    context = {
        "refund_no": refund.pk,
        "amount": f"{refund.amount:.2f}",
        "reason": REASON_WORDS.get(refund.reason, "其他"),
        "order_number": mask_number(refund.order.number),
        "status_words": status_words,
        "steps": _steps(refund),
        "expectation": _expectation(refund),
        "can_cancel": refund.status in statuses.CANCELLABLE,
        "cancelled_now": request.GET.get("cancelled") == "1" and refund.status == statuses.CANCELLED,
        "ended": refund.status in {statuses.REJECTED, statuses.CANCELLED},
        "token": token,
    }
    return _no_store(render(request, "refunds/tracking.html", context))


@require_POST
@csrf_protect
def refund_tracking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    check = tracking_token_check(token)
    if check.refund_id is None:
        return _problem(request, check.problem)
    if not RefundRequest.objects.filter(pk=check.refund_id).exists():
        return _problem(request, "missing")
    try:
        refund_cancel(refund_id=check.refund_id, actor=CUSTOMER, note="cancelled by the customer")
        said = "?cancelled=1"
    except DomainError:
        said = ""  # decided meanwhile: the page shows where it stands now, not "cancelled"
    return HttpResponseRedirect(reverse("refund-tracking", kwargs={"token": token}) + said)
