"""The smart audit (自动审单): the gate every paid order passes before it goes to the warehouse.

``screening_gate`` judges the order under its row lock by the rule set in force and records the
case — passed, or waiting in the audit queue with the checks it failed. Every path by which an
order leaves for the warehouse calls it (``screening_require`` raises ``AwaitingAudit`` for the
paths that refuse):

* the pick-list push (``connectors.warehouse.fulfilment.pick_list_push``: answers ``awaiting_audit``
  and sends nothing);
* the e-waybill request (``connectors.couriers.waybills.parcel_waybill_request``, from the API,
  the waybill batch and the ``shipment.waybill`` flow action: ``screening_require`` for each order
  in the parcel);
* a person's or a flow's move of a paid order to ``processing`` (``order_transition`` sends
  ``order_to_warehouse``; ``screening_transition_gate`` answers it).

An operator passes a waiting order (``screening_pass``: ``screening_passed`` after commit, and the
warehouse connector sends the list) or rejects it (cancelled, stock released). A waiting order is
released automatically once its checks hold: judged again when its hold is released
(``order_released``, and the risk review's approval) and by the minute's sweep
(``screening_recheck_waiting``: stock allocated later, the address corrected, a new rule set).
Every verdict and decision is in the order's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction

from commerce.audit.services import audit_record
from commerce.orders import statuses as order_statuses
from commerce.orders.lock_objects import order_lock
from commerce.orders.services import order_transition
from core.actors import Actor
from core.errors import InvalidInput

from .conditions import condition_holds, document_problems
from .errors import AwaitingAudit, NotWaiting
from .facts import order_facts
from .models import ScreeningCase, ScreeningRuleSet
from .signals import screening_passed

SUBJECT = "order"
GATE_ACTOR = Actor.system("smart audit", source="screening")
SHIPPABLE = (order_statuses.PAID, order_statuses.PROCESSING)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reasons: list[dict]
    case: ScreeningCase


def rule_set_current() -> ScreeningRuleSet:
    return ScreeningRuleSet.objects.order_by("-version").first() or ScreeningRuleSet(version=0, document={"checks": []})


def _judge(order, rule_set: ScreeningRuleSet) -> tuple[list[dict], dict]:
    facts = order_facts(order)
    failed = [
        {"key": check["key"], "name_zh": check["name_zh"], "name_en": check["name_en"]}
        for check in rule_set.document.get("checks", [])
        if not condition_holds(check["condition"], facts)
    ]
    if order.status not in SHIPPABLE:
        failed.insert(0, {"key": "not_paid", "name_zh": "订单未支付或已结束", "name_en": "Order not paid, or ended"})
    return failed, facts


def screening_gate(*, order_id: int, actor: Actor = GATE_ACTOR) -> Verdict:
    """Judges the order at the warehouse gate (see the module's docstring). An order passed by an
    operator stays passed; a rejected one stays rejected; otherwise it is judged again each time,
    so an order that waited for its stock passes once the stock is there. One transaction."""
    with transaction.atomic():
        order = order_lock(order_id)
        case = ScreeningCase.objects.filter(order=order).first()
        if case is not None and case.state == ScreeningCase.PASSED and not case.automatic:
            return Verdict(True, [], case)
        if case is not None and case.state == ScreeningCase.REJECTED:
            return Verdict(False, case.reasons, case)
        rule_set = rule_set_current()
        failed, facts = _judge(order, rule_set)
        state = ScreeningCase.WAITING if failed else ScreeningCase.PASSED
        before = case.state if case is not None else None
        before_failed = [r.get("key") for r in case.reasons] if case is not None else []
        if case is None:
            case = ScreeningCase(order=order)
        case.state, case.automatic, case.ruleset_version = state, True, rule_set.version
        case.reasons, case.facts = failed, facts
        case.save()
        # Judged again and again (the sweep, each path's call): only a change is written to the timeline.
        if before != state or before_failed != [f["key"] for f in failed]:
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action="screened",
                actor=actor,
                changes={"state": state, "rule_set": rule_set.version, "failed": [f["key"] for f in failed]},
            )
    return Verdict(not failed, failed, case)


def screening_require(*, order_id: int, path: str) -> Verdict:
    """The gate for a path that sends the order to the warehouse now (``path``: ``waybill``,
    ``transition``): judges it (``screening_gate``, its own transaction, so a refusal is recorded
    in the audit queue) and raises ``AwaitingAudit`` with the failed checks when it does not pass."""
    verdict = screening_gate(order_id=order_id)
    if not verdict.passed:
        raise AwaitingAudit(details={"order": order_id, "path": path, "reasons": verdict.reasons})
    return verdict


def screening_transition_gate(sender=None, *, order_id: int, actor: Actor, path: str, **_signal) -> None:
    """``order_to_warehouse`` receiver: a paid order moved to ``processing`` by a person or a flow
    must pass the gate first. An order in another status is left to the status machine to judge."""
    from commerce.orders.models import Order

    status = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
    if status == order_statuses.PAID:
        screening_require(order_id=order_id, path=path)


def screening_released(sender=None, *, order_id: int, **_signal) -> None:
    """``order_released`` receiver (after the commit that took the order off hold)."""
    with transaction.atomic():
        screening_recheck(order_id=order_id)


def screening_recheck_waiting(*, limit: int = 200) -> int:
    """The sweep: judges the waiting orders again, least recently judged first (at most ``limit``),
    each in its own transaction; those that pass now are sent on (``screening_passed`` after their
    commit). Answers how many passed."""
    waiting = list(
        ScreeningCase.objects.filter(state=ScreeningCase.WAITING)
        .order_by("updated_at", "id")
        .values_list("order_id", flat=True)[:limit]
    )
    passed = 0
    for order_id in waiting:
        with transaction.atomic():
            passed += screening_recheck(order_id=order_id)
    return passed


def _waiting(order_id: int) -> ScreeningCase:
    case = ScreeningCase.objects.select_for_update().filter(order_id=order_id).first()
    if case is None or case.state != ScreeningCase.WAITING:
        raise NotWaiting(details={"order": order_id})
    return case


def screening_pass(*, order_id: int, user, note: str = "") -> ScreeningCase:
    """An operator lets a waiting order through; after commit ``screening_passed`` sends it on."""
    actor = Actor.user(user, source="audit queue")
    with transaction.atomic():
        order_lock(order_id)
        case = _waiting(order_id)
        case.state, case.automatic, case.decided_by, case.note = ScreeningCase.PASSED, False, user, note[:200]
        case.save()
        audit_record(
            subject_type=SUBJECT,
            subject_id=order_id,
            action="screening_passed",
            actor=actor,
            changes={"failed": [r["key"] for r in case.reasons], "note": note},
        )
        transaction.on_commit(partial(screening_passed.send, sender=ScreeningCase, order_id=order_id))
    return case


def screening_reject(*, order_id: int, user, reason: str) -> ScreeningCase:
    """An operator refuses a waiting order: cancelled, its stock released, the case rejected."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(details={"reason": "say why the order is rejected"})
    actor = Actor.user(user, source="audit queue")
    with transaction.atomic():
        order_lock(order_id)
        case = _waiting(order_id)
        order_transition(order_id=order_id, to=order_statuses.CANCELLED, actor=actor, reason=f"audit: {reason}"[:200])
        case.state, case.decided_by, case.note = ScreeningCase.REJECTED, user, reason[:200]
        case.save()
        audit_record(
            subject_type=SUBJECT,
            subject_id=order_id,
            action="screening_rejected",
            actor=actor,
            changes={"reason": reason},
        )
    return case


def screening_recheck(*, order_id: int) -> bool:
    """Judges a waiting order again (its hold was released, its stock came); when it now passes,
    ``screening_passed`` sends it on after commit. Answers whether it passed."""
    if not ScreeningCase.objects.filter(order_id=order_id, state=ScreeningCase.WAITING).exists():
        return False
    verdict = screening_gate(order_id=order_id)
    if verdict.passed:
        transaction.on_commit(partial(screening_passed.send, sender=ScreeningCase, order_id=order_id))
    return verdict.passed


def rule_set_save(*, document, note: str, user) -> ScreeningRuleSet:
    """Writes the next version of the rule set (versions are never changed)."""
    problems = document_problems(document)
    if problems:
        raise InvalidInput(details=problems)
    with transaction.atomic():
        version = rule_set_current().version + 1
        try:
            with transaction.atomic():
                rule_set = ScreeningRuleSet.objects.create(
                    version=version, document=document, note=note[:200], created_by=user
                )
        except IntegrityError:
            raise InvalidInput(details={"version": "another version was saved meanwhile; reload"}) from None
        audit_record(
            subject_type="screening_rule_set",
            subject_id=rule_set.pk,
            action="created",
            actor=Actor.user(user),
            changes={"version": version, "note": note},
        )
    return rule_set
