"""The smart audit (自动审单): the gate every paid order passes before its pick list goes to the warehouse.

``screening_gate`` is called by the warehouse push (``connectors.warehouse.fulfilment.pick_list_push``):
under the order's row lock it judges the order by the rule set in force and records the case —
passed (the push goes on) or waiting in the audit queue with the checks it failed (the push is
kept back). An operator passes a waiting order (``screening_pass``: ``screening_passed`` after
commit, and the warehouse connector sends the list) or rejects it (cancelled, stock released).
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
from .errors import NotWaiting
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
        if case is None:
            case = ScreeningCase(order=order)
        case.state, case.automatic, case.ruleset_version = state, True, rule_set.version
        case.reasons, case.facts = failed, facts
        case.save()
        if before != state or failed:
            audit_record(
                subject_type=SUBJECT,
                subject_id=order.pk,
                action="screened",
                actor=actor,
                changes={"state": state, "rule_set": rule_set.version, "failed": [f["key"] for f in failed]},
            )
    return Verdict(not failed, failed, case)


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
