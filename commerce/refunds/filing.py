"""The customer's refund filing link: a signed, expiring token per order, and the filing it allows.

The token is Django's ``TimestampSigner`` over the order id with its own salt (not the tracking
link's: a tracking token never opens a filing form, nor the other way round), refused after
``ORDERFLOW_REFUND_FILING_DAYS`` (7 by default). An operator issues it from the order or the refund
board ("发送退款链接", ``POST /api/v1/refunds/filing-link/``); flows get it from the
``refund.filing_link`` action.

A request filed through it goes through ``refund_request`` — the order's row lock, the paid cap,
the approval policy — with its evidence images in the same transaction, all or nothing. At most
``ORDERFLOW_REFUND_FILING_PER_HOUR`` (3) requests per order per hour are filed this way: counted
under the order's row lock, so a burst cannot pass it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commerce.orders.lock_objects import order_lock
from commerce.orders.models import Order
from core.actors import Actor
from core.errors import Conflict

from . import statuses
from .errors import EvidenceLimit, InvalidRefund
from .evidence import evidence_attach, evidence_check, evidence_max_files
from .models import RefundLine, RefundRequest
from .services import RefundInput, RefundLineInput, lock_request, refund_request

SALT = "orderflow.refunds.filing"
MAX_TOKEN_LENGTH = 200
SOURCE = "tracking_page"
CUSTOMER = Actor.system("customer (refund link)", source=SOURCE)


class FilingRateLimited(Conflict):
    code = "refund_filing_rate_limited"
    http_status = 429
    message = _("Too many refund requests were filed for this order in the last hour.")


def filing_days() -> int:
    return int(getattr(settings, "ORDERFLOW_REFUND_FILING_DAYS", 7))


def filing_per_hour() -> int:
    return int(getattr(settings, "ORDERFLOW_REFUND_FILING_PER_HOUR", 3))


def public_url() -> str:
    """Where customers reach this site (``ORDERFLOW_PUBLIC_URL``, e.g. ``https://shop.example.com``), for
    links made outside a request (flows); empty makes a path."""
    return str(getattr(settings, "ORDERFLOW_PUBLIC_URL", "") or "")


def filing_token(order_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(order_id))


def filing_path(order_id: int) -> str:
    return reverse("refund-filing", kwargs={"token": filing_token(order_id)})


def filing_link(*, order_id: int, base_url: str) -> dict:
    """The link an operator sends (``base_url`` + path) and when it stops working."""
    if not Order.objects.filter(pk=order_id).exists():
        raise InvalidRefund(details={"order": f"no order has id {order_id}"})
    expires = timezone.now() + timedelta(days=filing_days())
    return {"order": order_id, "url": base_url.rstrip("/") + filing_path(order_id), "expires_at": expires.isoformat()}


@dataclass(frozen=True)
class FilingCheck:
    order_id: int | None
    problem: str  # "" when valid, else "expired" or "invalid"


def filing_token_check(token: str) -> FilingCheck:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return FilingCheck(None, "invalid")
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=timedelta(days=filing_days()))
    except signing.SignatureExpired:
        return FilingCheck(None, "expired")
    except signing.BadSignature:
        return FilingCheck(None, "invalid")
    if not value.isdigit():
        return FilingCheck(None, "invalid")
    return FilingCheck(int(value), "")


def filing_lines(order: Order) -> list[dict]:
    """The order's lines as the form offers them: per SKU, how many were bought, how many may still be
    asked for (not in an active request) and the unit amount refunded for each."""
    bought: dict[str, dict] = {}
    for line in order.lines.all():
        entry = bought.setdefault(line.sku, {"sku": line.sku, "title": line.title, "quantity": 0, "total": Decimal(0)})
        entry["quantity"] += line.quantity
        entry["total"] += line.line_total
    asked: dict[str, int] = {}
    active = RefundLine.objects.filter(request__order=order, request__status__in=statuses.ACTIVE)
    for sku, quantity in active.values_list("sku", "quantity"):
        asked[sku] = asked.get(sku, 0) + quantity
    return [
        {
            "sku": entry["sku"],
            "title": entry["title"],
            "quantity": entry["quantity"],
            "left": max(entry["quantity"] - asked.get(entry["sku"], 0), 0),
            "unit": (entry["total"] / entry["quantity"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        }
        for entry in bought.values()
    ]


def refund_file_by_customer(
    *, order_id: int, lines: list[RefundLineInput], reason: str, note: str, images: list[tuple[str, bytes]]
) -> RefundRequest:
    """Files the customer's request for ``lines`` (the amount is what those units cost on the order),
    with its images, in one transaction; refused (nothing written) past the hourly limit, past what
    the order paid, or with a file that is not a JPEG, PNG or WebP image within the size limit."""
    if not lines:
        raise InvalidRefund(details={"lines": "choose at least one item and its quantity"})
    if reason not in statuses.REASONS:
        raise InvalidRefund(details={"reason": f"one of {', '.join(statuses.REASONS)}"})
    if len(images) > evidence_max_files():
        raise EvidenceLimit(details={"file": f"at most {evidence_max_files()} images per refund request"})
    for name, content in images:
        evidence_check(content=content, name=name)
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise InvalidRefund(details={"order": f"no order has id {order_id}"})
    units = {entry["sku"]: entry["unit"] for entry in filing_lines(order)}
    amount = Decimal(0)
    for index, line in enumerate(lines):
        if line.sku not in units:
            raise InvalidRefund(details={f"lines[{index}]": f"{line.sku} is not on this order"})
        amount += units[line.sku] * line.quantity
    if amount <= 0:
        raise InvalidRefund(details={"lines": "the chosen items cost nothing: there is nothing to refund"})
    with transaction.atomic():
        order_lock(order_id)
        since = timezone.now() - timedelta(hours=1)
        recent = RefundRequest.objects.filter(order_id=order_id, requested_by__source=SOURCE, created_at__gte=since)
        if recent.count() >= filing_per_hour():
            raise FilingRateLimited(details={"order": "try again in an hour, or contact customer service"})
        refund, _created = refund_request(
            data=RefundInput(order_id=order_id, amount=amount, reason=reason, note=note, lines=tuple(lines)),
            actor=CUSTOMER,
        )
        refund, _order = lock_request(refund.pk)
        for name, content in images:
            evidence_attach(refund=refund, content=content, name=name, actor=CUSTOMER)
    return refund
