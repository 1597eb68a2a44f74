"""Refund writes: file a request, approve, reject, cancel, and record the payout.

Each service is one transaction that validates, locks the order row, changes, records the decision,
audits on the order's timeline and emits the refund event. The order row lock serialises every
refund of an order, so two approvers and a channel's refund racing on one order can never bring
the refunds past what was paid: the sum is read and the new request written under that lock.

Money moves elsewhere: a gateway payout is made by the payment connectors
(``connectors.payments.refunds``), which call ``refund_payout_begin`` and then ``refund_paid`` or
``refund_failed`` here; an offline refund is ``refunded`` when finance gives the last approval with
the payment reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.inventory.models import Reservation, Warehouse
from commerce.inventory.services import stock_restock
from commerce.orders import statuses as order_statuses
from commerce.orders.lock_objects import order_lock
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from commerce.outbox import names
from commerce.outbox.services import event_emit
from commerce.payments.models import Payment
from commerce.tickets import constants as ticket_constants
from commerce.tickets.services import ticket_close, ticket_open
from core.accounts.roles import OPERATOR, SUPERVISOR, roles_of
from core.actors import Actor
from core.errors import DomainError

from . import statuses
from .errors import (
    InvalidRefund,
    NotYourApproval,
    OrderNotPaid,
    RefundExceedsPaid,
    RefundNotFound,
    RefundNotPending,
    SelfApproval,
)
from .models import RefundDecision, RefundLine, RefundPolicy, RefundRequest, ReturnedGoods
from .policy import AUTO, DEFAULT, DIRECT, QUEUE_SLUG, policy_evaluate, policy_problems
from .representation import refund_representation
from .sla import sla_hours, sla_level, sla_rank

SUBJECT = "order"  # refunds are audited on their order's timeline
MAX_LINES = 100
NOTE_MAX = 500
_REFUNDED_ORDER_STATUSES = frozenset(
    {
        order_statuses.PAID,
        order_statuses.PROCESSING,
        order_statuses.SHIPPED,
        order_statuses.DELIVERED,
        order_statuses.COMPLETED,
    }
)


@dataclass(frozen=True)
class RefundLineInput:
    sku: str
    quantity: int


@dataclass(frozen=True)
class RefundInput:
    order_id: int
    amount: Decimal
    reason: str
    note: str = ""
    lines: tuple[RefundLineInput, ...] = ()
    return_needed: bool = False
    source_key: str = ""  # a channel's refund id (``shopify:123``): the same one twice is one request
    user: User | None = field(default=None, compare=False)


# --- the policy --------------------------------------------------------------------------------


def policy_current() -> RefundPolicy:
    """The version in force; version 1 (``policy.DEFAULT``) is written the first time it is asked for."""
    newest = RefundPolicy.objects.order_by("-version").first()
    if newest is not None:
        return newest
    try:
        with transaction.atomic():
            return RefundPolicy.objects.create(version=1, document=DEFAULT, created_by="system", note="default")
    except IntegrityError:  # written meanwhile by another request
        return RefundPolicy.objects.get(version=1)


def policy_save(*, document: dict, note: str, actor: Actor) -> RefundPolicy:
    """Saves ``document`` as the next version; requests already filed keep the version they were filed under."""
    problems = policy_problems(document)
    if problems:
        raise InvalidRefund(details=problems)
    with transaction.atomic():
        current = policy_current()
        newest = RefundPolicy.objects.select_for_update().get(pk=current.pk)
        return RefundPolicy.objects.create(
            version=newest.version + 1, document={**DEFAULT, **document}, note=note[:200], created_by=actor.label
        )


# --- filing ------------------------------------------------------------------------------------


def _paid(order: Order) -> tuple[Decimal, str]:
    """What the order paid, and how: through a gateway, or outside any (a manual order marked paid)."""
    taken = Payment.objects.filter(order=order, status__in=Payment.MONEY_TAKEN)
    if taken.exists():
        paid = sum(((p.paid_amount if p.paid_amount is not None else p.amount) for p in taken), Decimal("0"))
        return paid, statuses.GATEWAY
    if order.status in _REFUNDED_ORDER_STATUSES:
        return order.total_amount, statuses.OFFLINE
    raise OrderNotPaid(details={"order": order.pk, "status": order.status})


def _paid_by_channel(order: Order) -> tuple[Decimal, str]:
    """What a refund the channel made may be counted against: what the order paid — or, for an order
    the channel closed after it was paid (a full refund before shipping closes a Taobao trade, a
    Pinduoduo order), its total: the refund that closed it is the one being recorded."""
    try:
        return _paid(order)
    except OrderNotPaid:
        closed = order.status in (order_statuses.CANCELLED, order_statuses.CLOSED)
        if closed and order.paid_at is not None:
            return order.total_amount, statuses.OFFLINE
        raise


def _customer_facts(order: Order, amount: Decimal, reason: str) -> dict:
    customer = order.customer
    first = Order.objects.filter(customer=customer).order_by("placed_at").values_list("placed_at", flat=True).first()
    months = 0 if first is None else max(0, (timezone.now() - first).days // 30)
    orders = Order.objects.filter(customer=customer).count()
    asked = RefundRequest.objects.filter(order__customer=customer)
    kept = asked.exclude(status__in=(statuses.REJECTED, statuses.CANCELLED)).count()
    return {
        "customer": {
            "months": months,
            "orders": orders,
            "return_rate": round(kept / orders, 4) if orders else 0.0,
            "disputes": asked.filter(status=statuses.REJECTED).count(),
        },
        "refund": {"amount": float(amount), "reason": reason},
    }


def _check_lines(order: Order, lines: tuple[RefundLineInput, ...]) -> None:
    if len(lines) > MAX_LINES:
        raise InvalidRefund(details={"lines": f"at most {MAX_LINES}"})
    ordered: dict[str, int] = {}
    for order_line in order.lines.all():
        ordered[order_line.sku] = ordered.get(order_line.sku, 0) + order_line.quantity
    asked = RefundLine.objects.filter(request__order=order, request__status__in=statuses.ACTIVE)
    already: dict[str, int] = {}
    for sku, quantity in asked.values_list("sku", "quantity"):
        already[sku] = already.get(sku, 0) + quantity
    seen: set[str] = set()
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if line.sku in seen:
            raise InvalidRefund(details={where: f"{line.sku} is listed twice"})
        seen.add(line.sku)
        if line.sku not in ordered:
            raise InvalidRefund(details={where: f"{line.sku} is not on this order"})
        left = ordered[line.sku] - already.get(line.sku, 0)
        if line.quantity < 1 or line.quantity > left:
            raise InvalidRefund(details={where: f"{line.sku}: at most {left} may still be refunded"})


def refund_request(*, data: RefundInput, actor: Actor) -> tuple[RefundRequest, bool]:
    """Files a refund request and applies the policy in force; returns (request, created).

    The same ``source_key`` again (a channel delivering its refund twice) answers the stored request.
    Refuses an unpaid order, an amount that would bring the order's refunds past what it paid, and
    lines that are not on the order or already asked for.
    """
    if data.reason not in statuses.REASONS:
        raise InvalidRefund(details={"reason": f"one of {', '.join(statuses.REASONS)}"})
    if data.amount <= 0 or data.amount != data.amount.quantize(Decimal("0.01")):
        raise InvalidRefund(details={"amount": "more than 0, with at most 2 decimals"})
    if data.source_key:
        existing = RefundRequest.objects.filter(source_key=data.source_key).first()
        if existing is not None:
            return existing, False
    policy = policy_current()
    try:
        with transaction.atomic():
            order = order_lock(data.order_id)
            # Looked up again under the order's lock: a racing filing of the same channel refund has
            # committed by now, and its amount must not be counted against this one.
            existing = _by_source_key(data.source_key)
            if existing is not None:
                return existing, False
            return _file(order, data, policy, actor), True
    except IntegrityError:
        existing = RefundRequest.objects.filter(source_key=data.source_key).first() if data.source_key else None
        if existing is None:
            raise
        return existing, False


def _file(order: Order, data: RefundInput, policy: RefundPolicy, actor: Actor) -> RefundRequest:
    paid, method = _paid(order)
    _check_lines(order, data.lines)
    asked = RefundRequest.objects.filter(order=order, status__in=statuses.ACTIVE).aggregate(total=Sum("amount"))
    already = asked["total"] or Decimal("0")
    if already + data.amount > paid:
        raise RefundExceedsPaid(
            details={"amount": str(data.amount), "paid": f"{paid:.2f}", "already_requested": f"{already:.2f}"}
        )
    skus = [line.sku for line in data.lines] or list(order.lines.values_list("sku", flat=True))
    verdict = policy_evaluate(
        policy.document,
        amount=data.amount,
        reason=data.reason,
        skus=skus,
        offline=method == statuses.OFFLINE,
        facts=_customer_facts(order, data.amount, data.reason),
    )
    approved = verdict.outcome in (AUTO, DIRECT)
    refund = RefundRequest.objects.create(
        order=order,
        amount=data.amount,
        currency=order.currency,
        reason=data.reason,
        note=data.note[:NOTE_MAX],
        status=statuses.APPROVED if approved else statuses.APPROVING,
        method=method,
        queue=verdict.queue,
        return_needed=data.return_needed,
        source_key=data.source_key,
        requested_by=actor.as_dict(),
        requested_by_user=data.user,
        policy_version=policy.version,
        approvals_needed=list(verdict.approvals),
        decided_at=timezone.now() if approved else None,
    )
    RefundLine.objects.bulk_create(
        [RefundLine(request=refund, sku=line.sku, quantity=line.quantity) for line in data.lines]
    )
    _ticket_open(refund, order, actor)
    _audit(refund, "refund_requested", actor, {"amount": str(refund.amount), "why": verdict.why})
    _emit(names.REFUND_REQUESTED, refund, order, actor)
    if approved:
        RefundDecision.objects.create(
            request=refund,
            kind=RefundDecision.AUTO if verdict.outcome == AUTO else RefundDecision.DIRECT,
            actor_label=actor.label,
            policy_version=policy.version,
            note=verdict.why,
        )
        _audit(refund, "refund_approved", actor, {"by": verdict.outcome, "why": verdict.why})
        _emit(names.REFUND_APPROVED, refund, order, actor)
    return refund


def _by_source_key(source_key: str) -> RefundRequest | None:
    return RefundRequest.objects.filter(source_key=source_key).first() if source_key else None


# A channel's request still waiting for us (a decision, or our payout) that the channel has since
# refunded itself: it becomes ``refunded`` by the channel instead of a second request.
CHANNEL_SETTLES = frozenset({statuses.REQUESTED, statuses.APPROVING, statuses.APPROVED, statuses.FAILED})


def _channel_settle(refund: RefundRequest, order: Order, actor: Actor) -> RefundRequest:
    """Marks a waiting request refunded by the channel (the order and the request are locked)."""
    now = timezone.now()
    was = refund.status
    refund.status, refund.method, refund.approvals_needed = statuses.REFUNDED, statuses.CHANNEL, []
    refund.paid_at, refund.failure = now, ""
    refund.decided_at = refund.decided_at or now
    refund.save(
        update_fields=["status", "method", "approvals_needed", "paid_at", "failure", "decided_at", "updated_at"]
    )
    _ticket_close(refund, actor)
    _audit(refund, "refund_paid", actor, {"amount": str(refund.amount), "method": statuses.CHANNEL, "was": was})
    _emit(names.REFUND_PAID, refund, order, actor)
    return refund


def refund_record_channel(*, data: RefundInput, actor: Actor) -> tuple[RefundRequest, bool]:
    """A refund the sales channel has already made (its money went back there): recorded ``refunded``
    with the ``channel`` method, no approval asked, so the order's refunds and the KPIs count it.
    Idempotent on ``source_key`` (required); still refused past what the order paid.

    When the channel's earlier message already filed the request (a buyer's application, keyed the
    same) and it is still waiting (``CHANNEL_SETTLES``), that request is marked refunded by the
    channel — one request per channel refund, never two. A request already decided otherwise
    (refunded, refunding through our gateway, rejected, cancelled) is answered as it is."""
    if not data.source_key:
        raise InvalidRefund(details={"source_key": "a channel refund needs the channel's refund id"})
    existing = _by_source_key(data.source_key)
    if existing is not None and existing.status not in CHANNEL_SETTLES:
        return existing, False
    if data.reason not in statuses.REASONS:
        raise InvalidRefund(details={"reason": f"one of {', '.join(statuses.REASONS)}"})
    policy = policy_current()
    try:
        with transaction.atomic():
            order = order_lock(data.order_id)
            existing = _by_source_key(data.source_key)
            if existing is not None:
                if existing.order_id != order.pk or existing.status not in CHANNEL_SETTLES:
                    return existing, False
                refund = RefundRequest.objects.select_for_update().get(pk=existing.pk)
                if refund.status not in CHANNEL_SETTLES:
                    return refund, False
                return _channel_settle(refund, order, actor), False
            paid, _method = _paid_by_channel(order)
            _check_lines(order, data.lines)
            asked = RefundRequest.objects.filter(order=order, status__in=statuses.ACTIVE).aggregate(total=Sum("amount"))
            if (asked["total"] or Decimal("0")) + data.amount > paid:
                raise RefundExceedsPaid(details={"amount": str(data.amount), "paid": f"{paid:.2f}"})
            now = timezone.now()
            refund = RefundRequest.objects.create(
                order=order,
                amount=data.amount,
                currency=order.currency,
                reason=data.reason,
                note=data.note[:NOTE_MAX],
                status=statuses.REFUNDED,
                method=statuses.CHANNEL,
                queue="service",
                source_key=data.source_key,
                requested_by=actor.as_dict(),
                policy_version=policy.version,
                decided_at=now,
                paid_at=now,
            )
            RefundLine.objects.bulk_create(
                [RefundLine(request=refund, sku=line.sku, quantity=line.quantity) for line in data.lines]
            )
            _ticket_open(refund, order, actor)
            _ticket_close(refund, actor)
            _audit(refund, "refund_paid", actor, {"amount": str(refund.amount), "method": statuses.CHANNEL})
            _emit(names.REFUND_REQUESTED, refund, order, actor)
            _emit(names.REFUND_PAID, refund, order, actor)
    except IntegrityError:
        existing = RefundRequest.objects.filter(source_key=data.source_key).first()
        if existing is None:
            raise
        return existing, False
    return refund, True


# --- decisions ---------------------------------------------------------------------------------


def lock_request(refund_id: int) -> tuple[RefundRequest, Order]:
    """Locks the request's order, then the request (the domain's lock order); ``RefundNotFound`` if none."""
    order_id = RefundRequest.objects.filter(pk=refund_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise RefundNotFound(details={"refund": refund_id})
    order = order_lock(order_id)  # the order first, as everywhere in the domain
    return RefundRequest.objects.select_for_update().get(pk=refund_id), order


def refund_approve(*, refund_id: int, user: User, note: str = "", reference: str = "") -> RefundRequest:
    """Gives the next approval the request needs, as ``user`` in one of their roles.

    Refuses the requester themselves and a second approval by the same person. The last approval
    of an offline refund marks it refunded, with finance's payment ``reference``.
    """
    actor = Actor.user(user)
    with transaction.atomic():
        refund, order = lock_request(refund_id)
        if refund.status != statuses.APPROVING or not refund.approvals_needed:
            raise RefundNotPending(details={"status": refund.status})
        role = refund.approvals_needed[0]
        if role not in roles_of(user):
            raise NotYourApproval(details={"needs": role})
        if refund.requested_by_user_id == user.pk or refund.decisions.filter(user=user).exists():
            raise SelfApproval(details={"user": user.get_username()})
        last = len(refund.approvals_needed) == 1
        if last and refund.method == statuses.OFFLINE and not reference.strip():
            raise InvalidRefund(details={"reference": "the payment reference of the offline refund is required"})
        RefundDecision.objects.create(
            request=refund,
            kind=RefundDecision.APPROVE,
            role=role,
            user=user,
            actor_label=actor.label,
            policy_version=refund.policy_version,
            note=note[:NOTE_MAX],
        )
        refund.approvals_needed = refund.approvals_needed[1:]
        fields = ["approvals_needed", "updated_at"]
        _audit(refund, "refund_approval", actor, {"role": role, "note": note[:NOTE_MAX]})
        if last:
            refund.status, refund.decided_at = statuses.APPROVED, timezone.now()
            fields += ["status", "decided_at"]
            if refund.method == statuses.OFFLINE:
                refund.status, refund.paid_at, refund.reference = statuses.REFUNDED, timezone.now(), reference[:128]
                fields += ["paid_at", "reference"]
            refund.save(update_fields=fields)
            _audit(refund, "refund_approved", actor, {"by": "approvals"})
            _emit(names.REFUND_APPROVED, refund, order, actor)
            if refund.status == statuses.REFUNDED:
                _ticket_close(refund, actor)
                _audit(refund, "refund_paid", actor, {"reference": refund.reference, "method": statuses.OFFLINE})
                _emit(names.REFUND_PAID, refund, order, actor)
        else:
            refund.save(update_fields=fields)
    return refund


BULK_MAX = 100
APPROVED, REFUSED = "approved", "refused"


def refunds_bulk_approve(*, refund_ids: list[int], user: User, note: str = "") -> list[dict]:
    """Gives ``user``'s approval to each request, one transaction per request (``refund_approve``:
    the order's row lock, the caller's role, never their own request): one refused never undoes
    another approved. Answers per id, in the order asked (an id asked twice, once): ``approved``
    with the request's status, or ``refused`` with the error's code and message. An offline
    refund's last approval needs its payment reference, given one by one: refused here."""
    if not refund_ids:
        raise InvalidRefund(details={"ids": "at least one refund request"})
    if len(refund_ids) > BULK_MAX:
        raise InvalidRefund(details={"ids": f"at most {BULK_MAX} refund requests at once"})
    results: list[dict] = []
    for refund_id in dict.fromkeys(refund_ids):
        try:
            refund = refund_approve(refund_id=refund_id, user=user, note=note)
        except DomainError as error:
            status = RefundRequest.objects.filter(pk=refund_id).values_list("status", flat=True).first() or ""
            results.append(
                {
                    "id": refund_id,
                    "outcome": REFUSED,
                    "status": status,
                    "code": error.code,
                    "message": str(error.message),
                }
            )
        else:
            results.append({"id": refund_id, "outcome": APPROVED, "status": refund.status, "code": "", "message": ""})
    return results


def refund_decide_by_flow(*, refund_id: int, approve: bool, note: str, actor: Actor) -> RefundRequest:
    """A flow's decision on a request waiting for approval (``refund.approve`` / ``refund.reject``).

    A flow may reject at any step (with a reason), but approve only what a supervisor decides alone:
    the next approval must be the supervisor's and the amount within the policy's supervisor tier.
    Finance's approval, and anything above that tier, stays with people.
    """
    if not note.strip() and not approve:
        raise InvalidRefund(details={"reason": "a rejection needs a reason"})
    with transaction.atomic():
        refund, order = lock_request(refund_id)
        if refund.status != statuses.APPROVING or not refund.approvals_needed:
            raise RefundNotPending(details={"status": refund.status})
        role = refund.approvals_needed[0]
        if approve:
            document = RefundPolicy.objects.get(version=refund.policy_version).document
            limit = Decimal(str(document.get("supervisor_max", DEFAULT["supervisor_max"])))
            if role != SUPERVISOR or refund.approvals_needed != [SUPERVISOR] or refund.amount > limit:
                raise NotYourApproval(
                    "A flow may only give a supervisor's approval within the supervisor's tier.",
                    details={"needs": refund.approvals_needed, "amount": str(refund.amount)},
                )
        RefundDecision.objects.create(
            request=refund,
            kind=RefundDecision.APPROVE if approve else RefundDecision.REJECT,
            role=role,
            actor_label=actor.label,
            policy_version=refund.policy_version,
            note=note[:NOTE_MAX],
        )
        refund.approvals_needed = refund.approvals_needed[1:] if approve else []
        refund.status, refund.decided_at = (statuses.APPROVED if approve else statuses.REJECTED), timezone.now()
        refund.save(update_fields=["status", "decided_at", "approvals_needed", "updated_at"])
        if approve:
            _audit(refund, "refund_approved", actor, {"by": "flow", "role": role, "note": note[:NOTE_MAX]})
            _emit(names.REFUND_APPROVED, refund, order, actor)
        else:
            _ticket_close(refund, actor)
            _audit(refund, "refund_rejected", actor, {"reason": note[:NOTE_MAX]})
            _emit(names.REFUND_REJECTED, refund, order, actor, reason=note[:NOTE_MAX])
    return refund


def refund_reject(*, refund_id: int, user: User, reason: str) -> RefundRequest:
    """Rejects a request waiting for approval; the reason is required and kept."""
    if not reason.strip():
        raise InvalidRefund(details={"reason": "a rejection needs a reason"})
    actor = Actor.user(user)
    with transaction.atomic():
        refund, order = lock_request(refund_id)
        if refund.status != statuses.APPROVING:
            raise RefundNotPending(details={"status": refund.status})
        role = refund.approvals_needed[0] if refund.approvals_needed else ""
        if role not in roles_of(user):
            raise NotYourApproval(details={"needs": role})
        if refund.requested_by_user_id == user.pk:
            raise SelfApproval(details={"user": user.get_username()})
        RefundDecision.objects.create(
            request=refund,
            kind=RefundDecision.REJECT,
            role=role,
            user=user,
            actor_label=actor.label,
            policy_version=refund.policy_version,
            note=reason[:NOTE_MAX],
        )
        refund.status, refund.decided_at, refund.approvals_needed = statuses.REJECTED, timezone.now(), []
        refund.save(update_fields=["status", "decided_at", "approvals_needed", "updated_at"])
        _ticket_close(refund, actor)
        _audit(refund, "refund_rejected", actor, {"reason": reason[:NOTE_MAX]})
        _emit(names.REFUND_REJECTED, refund, order, actor, reason=reason[:NOTE_MAX])
    return refund


def refund_cancel(*, refund_id: int, actor: Actor, note: str = "") -> RefundRequest:
    """Withdraws a request still waiting (by the customer or an operator); a decided one stays."""
    with transaction.atomic():
        refund, _order = lock_request(refund_id)
        if refund.status not in statuses.CANCELLABLE:
            raise RefundNotPending(details={"status": refund.status})
        RefundDecision.objects.create(
            request=refund,
            kind=RefundDecision.CANCEL,
            actor_label=actor.label,
            policy_version=refund.policy_version,
            note=note[:NOTE_MAX],
        )
        refund.status, refund.approvals_needed = statuses.CANCELLED, []
        refund.save(update_fields=["status", "approvals_needed", "updated_at"])
        _ticket_close(refund, actor)
        _audit(refund, "refund_cancelled", actor, {"note": note[:NOTE_MAX]})
    return refund


# --- the payout (called by the payment connectors) ---------------------------------------------


def refund_payout_begin(*, refund_id: int, actor: Actor) -> RefundRequest | None:
    """Marks an approved (or failed) gateway refund ``refunding`` and answers it; one already
    ``refunding`` (a payout that timed out or is still processing) is answered as it is, to be sent
    again with the same key. None when there is nothing to pay (paid, not a gateway refund…)."""
    with transaction.atomic():
        refund, _order = lock_request(refund_id)
        if refund.method != statuses.GATEWAY:
            return None
        if refund.status == statuses.REFUNDING:
            return refund
        if refund.status not in statuses.PAYABLE:
            return None
        refund.status, refund.failure = statuses.REFUNDING, ""
        refund.save(update_fields=["status", "failure", "updated_at"])
        _audit(refund, "refund_refunding", actor, {"out_request_no": refund.out_request_no})
    return refund


def refund_paid(*, refund_id: int, actor: Actor) -> RefundRequest:
    """The gateway moved the money. Idempotent: a refund already refunded stays so, announced once."""
    with transaction.atomic():
        refund, order = lock_request(refund_id)
        if refund.status == statuses.REFUNDED:
            return refund
        refund.status, refund.paid_at, refund.failure = statuses.REFUNDED, timezone.now(), ""
        refund.save(update_fields=["status", "paid_at", "failure", "updated_at"])
        _ticket_close(refund, actor)
        _audit(refund, "refund_paid", actor, {"out_request_no": refund.out_request_no, "method": statuses.GATEWAY})
        _emit(names.REFUND_PAID, refund, order, actor)
    return refund


def refund_failed(*, refund_id: int, error: str, actor: Actor) -> RefundRequest:
    """The gateway refused the payout: ``failed`` with its message; a retry sends the same key."""
    with transaction.atomic():
        refund, order = lock_request(refund_id)
        if refund.status != statuses.REFUNDING:
            return refund
        refund.status, refund.failure = statuses.FAILED, error[:2000]
        refund.save(update_fields=["status", "failure", "updated_at"])
        _audit(refund, "refund_failed", actor, {"error": refund.failure})
        _emit(names.REFUND_FAILED, refund, order, actor, reason=refund.failure)
    return refund


def refund_retry(*, refund_id: int, actor: Actor) -> RefundRequest:
    """Sends a failed payout again: ``failed`` → ``approved``, for the payout to pick up with the same key."""
    with transaction.atomic():
        refund, _order = lock_request(refund_id)
        if refund.status != statuses.FAILED:
            raise RefundNotPending(details={"status": refund.status})
        refund.status = statuses.APPROVED
        refund.save(update_fields=["status", "updated_at"])
        _audit(refund, "refund_retried", actor, {"failure": refund.failure})
    return refund


# --- returns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnLineInput:
    sku: str
    quantity: int
    condition: str  # ReturnedGoods.SELLABLE or ReturnedGoods.DAMAGED


_NO_RETURNS = frozenset({statuses.REJECTED, statuses.CANCELLED})


def _return_warehouse(order: Order, sku: str) -> str:
    """Where a returned ``sku`` goes back on hand: the warehouse the order took it from, else the
    first active warehouse by priority (an order whose stock was never reserved here, e.g. imported)."""
    taken = (
        Reservation.objects.filter(order=order, stock_item__sku=sku, stock_item__warehouse__active=True)
        .order_by("id")
        .values_list("stock_item__warehouse__code", flat=True)
        .first()
    )
    if taken:
        return taken
    first = Warehouse.objects.filter(active=True).order_by("priority", "code").values_list("code", flat=True).first()
    if first is None:
        raise InvalidRefund(details={"warehouse": "no active warehouse to restock returned goods in"})
    return first


def refund_return_receive(
    *, refund_id: int, lines: list[ReturnLineInput], tracking_no: str = "", actor: Actor
) -> RefundRequest:
    """Records goods received back against a request, all lines or none.

    Sellable goods go back on hand through ``inventory.stock_restock`` (one ``return`` movement in
    the stock ledger, in the warehouse the order took them from). Damaged goods are quarantined:
    recorded here as ``ReturnedGoods`` with ``disposition="quarantine"`` and kept off every stock
    row. Not a quarantine warehouse, because every active warehouse is reserved from and pushed to
    the channels as available (``inventory.selectors.channel_stock``) and an inactive one takes no
    stock rows; not a new ledger kind, because that changes the inventory ledger and its replay
    for units that are not stock at all.

    Under the order's row lock (then the stock rows, the domain's lock order): a request rejected
    or cancelled takes no returns; per SKU, what was received so far plus these lines may not pass
    the request's lines (or, for a request without lines, the order's), nor what the order had
    across all its requests. ``tracking_no``, when
    given, becomes the request's return tracking number.
    """
    if not lines:
        raise InvalidRefund(details={"lines": "at least one line"})
    if len(lines) > MAX_LINES:
        raise InvalidRefund(details={"lines": f"at most {MAX_LINES}"})
    seen: set[tuple[str, str]] = set()
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if line.condition not in ReturnedGoods.CONDITIONS:
            raise InvalidRefund(details={where: f"condition is one of {', '.join(ReturnedGoods.CONDITIONS)}"})
        if line.quantity < 1:
            raise InvalidRefund(details={where: "quantity must be at least 1"})
        if (line.sku, line.condition) in seen:
            raise InvalidRefund(details={where: f"{line.sku} ({line.condition}) is listed twice"})
        seen.add((line.sku, line.condition))
    tracking_no = tracking_no.strip()
    with transaction.atomic():
        refund, order = lock_request(refund_id)
        if refund.status in _NO_RETURNS:
            raise RefundNotPending(details={"status": refund.status})
        allowed: dict[str, int] = {}
        source = list(refund.lines.values_list("sku", "quantity")) or list(order.lines.values_list("sku", "quantity"))
        for sku, quantity in source:
            allowed[sku] = allowed.get(sku, 0) + quantity
        received: dict[str, int] = {}
        for sku, quantity in refund.returns.values_list("sku", "quantity"):
            received[sku] = received.get(sku, 0) + quantity
        ordered: dict[str, int] = {}
        for sku, quantity in order.lines.values_list("sku", "quantity"):
            ordered[sku] = ordered.get(sku, 0) + quantity
        back: dict[str, int] = {}  # received against any request of the order
        for sku, quantity in ReturnedGoods.objects.filter(request__order=order).values_list("sku", "quantity"):
            back[sku] = back.get(sku, 0) + quantity
        for index, line in enumerate(lines):
            where = f"lines[{index}]"
            if line.sku not in allowed:
                raise InvalidRefund(details={where: f"{line.sku} is not on this refund"})
            received[line.sku] = received.get(line.sku, 0) + line.quantity
            back[line.sku] = back.get(line.sku, 0) + line.quantity
            if received[line.sku] > allowed[line.sku]:
                raise InvalidRefund(details={where: f"{line.sku}: at most {allowed[line.sku]} in all may come back"})
            if back[line.sku] > ordered.get(line.sku, 0):
                raise InvalidRefund(
                    details={where: f"{line.sku}: the order had {ordered.get(line.sku, 0)}, all of them came back"}
                )
        received_now: list[ReturnedGoods] = []
        for line in lines:
            warehouse = ""
            if line.condition == ReturnedGoods.SELLABLE:
                warehouse = _return_warehouse(order, line.sku)
                stock_restock(
                    sku=line.sku,
                    warehouse_code=warehouse,
                    quantity=line.quantity,
                    actor=actor,
                    order_id=order.pk,
                    reason=f"refund {refund.pk}: returned goods",
                )
            received_now.append(
                ReturnedGoods.objects.create(
                    request=refund,
                    sku=line.sku,
                    quantity=line.quantity,
                    condition=line.condition,
                    disposition=ReturnedGoods.RESTOCKED if warehouse else ReturnedGoods.QUARANTINE,
                    warehouse=warehouse,
                    tracking_no=tracking_no,
                    actor_label=actor.label,
                )
            )
        if tracking_no:
            refund.return_tracking_no = tracking_no
        refund.save(update_fields=["return_tracking_no", "updated_at"])
        _audit(
            refund,
            "refund_return_received",
            actor,
            {
                "tracking_no": tracking_no,
                "lines": [{"sku": ln.sku, "quantity": ln.quantity, "condition": ln.condition} for ln in lines],
            },
        )
        _emit(
            names.REFUND_RETURNED,
            refund,
            order,
            actor,
            returned=[
                {
                    "sku": r.sku,
                    "quantity": r.quantity,
                    "condition": r.condition,
                    "disposition": r.disposition,
                    "warehouse": r.warehouse,
                }
                for r in received_now
            ],
            tracking_no=tracking_no,
        )
    return refund


# --- the SLA clock ------------------------------------------------------------------------------

SLA_ACTOR = Actor.system("refund SLA check", source="schedule")


def refunds_sla_check(*, now: datetime | None = None, limit: int = 500) -> int:
    """The SLA check (``sla``): announces each level a running request reached since the last one
    announced; returns how many were announced."""
    now = now or timezone.now()
    first = timedelta(hours=sla_hours()[0])
    due = RefundRequest.objects.filter(status__in=statuses.CLOCK_RUNNING, created_at__lte=now - first).exclude(
        sla_level=statuses.RED
    )
    announced = 0
    for refund_id in due.order_by("created_at", "pk").values_list("pk", flat=True)[:limit]:
        announced += _sla_announce(refund_id, now)
    return announced


def _sla_announce(refund_id: int, now: datetime) -> int:
    with transaction.atomic():
        order_id = RefundRequest.objects.values_list("order_id", flat=True).get(pk=refund_id)
        order = order_lock(order_id)
        refund = RefundRequest.objects.select_for_update().get(pk=refund_id)
        level = sla_level(refund, now=now)
        if sla_rank(level) <= sla_rank(refund.sla_level):
            return 0
        refund.sla_level = level
        refund.save(update_fields=["sla_level", "updated_at"])
        hours = round((now - refund.created_at).total_seconds() / 3600, 1)
        audit_record(
            subject_type="order",
            subject_id=order_id,
            action="refund_sla_breached",
            actor=SLA_ACTOR,
            changes={"refund": refund.pk, "level": level, "hours": hours},
        )
        event_emit(
            name=names.REFUND_SLA_BREACHED,
            subject_type="refund",
            subject_id=refund.pk,
            payload={
                "order": order_representation(order),
                "refund": refund_representation(refund),
                "level": level,
                "hours_waiting": hours,
            },
            actor=SLA_ACTOR,
        )
    return 1


# --- the ticket --------------------------------------------------------------------------------


def _ticket_open(refund: RefundRequest, order: Order, actor: Actor) -> None:
    """Opens the request's one ticket in the queue the policy routed it to, for the role whose
    approval it needs first (operators when none). Called once, in the transaction that files the
    request; the one-to-one column makes a second ticket impossible."""
    if refund.ticket_id:
        return
    queue = refund.queue if QUEUE_SLUG.fullmatch(refund.queue) else ticket_constants.SERVICE
    ticket = ticket_open(
        title=f"退款申请 #{refund.pk} · 订单 {order.number} · ¥{refund.amount:.2f}",
        queue=queue,
        priority=ticket_constants.NORMAL,
        assignee_role=refund.approvals_needed[0] if refund.approvals_needed else OPERATOR,
        due_at=refund.created_at + timedelta(hours=sla_hours()[1]),
        order_id=order.pk,
        actor=actor,
    )
    refund.ticket = ticket
    refund.save(update_fields=["ticket"])


_ENDINGS = {
    statuses.REFUNDED: "退款完成 / refunded",
    statuses.REJECTED: "退款被拒绝 / rejected",
    statuses.CANCELLED: "退款申请已取消 / cancelled",
}


def _ticket_close(refund: RefundRequest, actor: Actor) -> None:
    """Closes the request's ticket as the request ends (idempotent, as ``ticket_close`` is)."""
    if refund.ticket_id:
        ticket_close(ticket_id=refund.ticket_id, actor=actor, resolution=_ENDINGS.get(refund.status, refund.status))


# --- the trail ---------------------------------------------------------------------------------


def _audit(refund: RefundRequest, action: str, actor: Actor, changes: dict) -> None:
    audit_record(
        subject_type=SUBJECT,
        subject_id=refund.order_id,
        action=action,
        actor=actor,
        changes={"refund": refund.pk, "status": refund.status, **changes},
    )


def _emit(name: str, refund: RefundRequest, order: Order, actor: Actor, **extra) -> None:
    event_emit(
        name=name,
        subject_type="refund",
        subject_id=refund.pk,
        payload={"order": order_representation(order), "refund": refund_representation(refund), **extra},
        actor=actor,
    )
