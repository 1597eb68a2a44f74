"""The customer's tracking page, ``/t/refund/<token>/``: a refund's progress in Chinese, and a cancel
button while it waits for approval.

Public (no login): the signed token is the only key. The page shows the request's own progress,
amount and reason and the order number masked to its last 4 characters — never the customer's
name, phone or address, nor staff notes or gateway messages. A wrong, altered or expired token
gets a page that says so and shows nothing else. Cancelling is a POST with Django's CSRF check.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from commerce.orders.models import Order
from core.actors import Actor
from core.errors import DomainError

from . import statuses
from .evidence import evidence_response
from .models import RefundEvidence, RefundRequest
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


Answer = TypeVar("Answer", bound=HttpResponseBase)


def _no_store(response: Answer) -> Answer:
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: the signed link never leaves the site in a Referer, while the
    # page's own forms still carry their Origin (browsers send "Origin: null" under no-referrer,
    # which Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
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
        "filed_now": request.GET.get("filed") == "1",
        "evidence": [
            {"id": e.pk, "url": reverse("refund-tracking-evidence", kwargs={"token": token, "evidence_id": e.pk})}
            for e in refund.evidence.all()
        ],
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


# --- the customer's filing page: /t/refund/file/<token>/ -------------------------------------------

FILING_PROBLEMS = {
    "invalid": ("链接无效", "这个退款申请链接无效或不完整。请核对链接，或联系客服重新获取。", 404),
    "expired": ("链接已过期", "这个退款申请链接已过期。请联系客服获取新的链接。", 410),
    "missing": ("找不到订单", "这个链接对应的订单不存在。请联系客服。", 404),
}
FILING_ERRORS = {
    "invalid_evidence": "图片需为 JPEG、PNG 或 WebP 格式，请重新选择。",
    "evidence_too_large": "每张图片不能超过 {mb} MB，请压缩后重新上传。",
    "evidence_limit": "最多上传 {files} 张图片，请删减后再提交。",
    "refund_exceeds_paid": "申请的金额超过了订单尚可退款的金额，请减少数量或联系客服。",
    "order_not_paid": "这个订单尚未付款，无需申请退款。",
    "refund_filing_rate_limited": "这个订单的退款申请提交过于频繁，请一小时后再试，或联系客服。",
}


def _filing_problem(request: HttpRequest, problem: str) -> HttpResponse:
    title, message, status = FILING_PROBLEMS[problem]
    return _no_store(
        render(request, "refunds/tracking_problem.html", {"title": title, "message": message}, status=status)
    )


def _filing_error(error: DomainError) -> str:
    from .evidence import evidence_max_bytes, evidence_max_files

    words = FILING_ERRORS.get(error.code)
    if words is not None:
        return words.format(mb=evidence_max_bytes() // (1024 * 1024), files=evidence_max_files())
    if error.code == "invalid_refund" and any(str(key).startswith("lines") for key in error.details):
        return "请选择要退的商品，数量不能超过尚可退的件数。"
    if error.code == "invalid_refund" and "reason" in error.details:
        return "请选择退款原因。"
    return "申请没有提交成功，请检查后重试，或联系客服。"


@method_decorator(csrf_protect, name="dispatch")
class RefundFilingPage(View):
    """The form a customer files a request on: the order's lines and quantities still refundable,
    a reason category, a note and up to 9 images. Shows the masked order number and the lines'
    titles and amounts — never the customer's name, phone or address, nor other requests' notes."""

    http_method_names = ["get", "post"]
    accepts_uploads = True  # multipart with images: the upload body limit (core.api.middleware)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._page(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        from .filing import filing_token_check, refund_file_by_customer
        from .services import RefundLineInput
        from .tracking import tracking_path

        check = filing_token_check(token)
        if check.order_id is None:
            return _filing_problem(request, check.problem)
        order = Order.objects.filter(pk=check.order_id).first()
        if order is None:
            return _filing_problem(request, "missing")
        lines = []
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("qty-") and value.strip():
                if not value.strip().isdigit():
                    return self._page(request, token, error="数量需为整数。", status=400)
                if int(value) > 0:
                    lines.append(RefundLineInput(sku=key[4:], quantity=int(value)))
        note = request.POST.get("note", "").strip()
        if len(note) > 500:
            return self._page(request, token, error="补充说明最多 500 字。", status=400)
        images = [(upload.name or "", upload.read()) for upload in request.FILES.getlist("images")]
        try:
            refund = refund_file_by_customer(
                order_id=order.pk, lines=lines, reason=request.POST.get("reason", ""), note=note, images=images
            )
        except DomainError as error:
            return self._page(request, token, error=_filing_error(error), status=error.http_status)
        return HttpResponseRedirect(tracking_path(refund.pk) + "?filed=1")

    def _page(self, request: HttpRequest, token: str, *, error: str = "", status: int = 200) -> HttpResponse:
        from .evidence import evidence_max_bytes, evidence_max_files
        from .filing import filing_lines, filing_token_check

        check = filing_token_check(token)
        if check.order_id is None:
            return _filing_problem(request, check.problem)
        order = Order.objects.filter(pk=check.order_id).first()
        if order is None:
            return _filing_problem(request, "missing")
        context = {
            "order_number": mask_number(order.number),
            "lines": [{**line, "unit": f"{line['unit']:.2f}"} for line in filing_lines(order)],
            "reasons": [(reason, REASON_WORDS[reason]) for reason in statuses.REASONS],
            "chosen_reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "note": request.POST.get("note", "") if request.method == "POST" else "",
            "error": error,
            "max_files": evidence_max_files(),
            "max_mb": evidence_max_bytes() // (1024 * 1024),
            "token": token,
        }
        return _no_store(render(request, "refunds/filing.html", context, status=status))


# --- the customer's own evidence, through their tracking link -------------------------------------


@require_GET
def refund_tracking_evidence(request: HttpRequest, token: str, evidence_id: int) -> HttpResponseBase:
    """One image of the request the tracking token names (404 for any other request's)."""
    check = tracking_token_check(token)
    if check.refund_id is None:
        return _problem(request, check.problem)
    evidence = RefundEvidence.objects.filter(request_id=check.refund_id, pk=evidence_id).first()
    if evidence is None:
        return _problem(request, "missing")
    return _no_store(evidence_response(evidence))
