"""Risk writes: the arrival check that holds an order, the review's decisions, the blacklist, the rules.

The arrival check runs inside the order's creation transaction (``commerce.orders.signals``): the
order is committed held or not at all, so nothing downstream (a flow, the warehouse gate) ever
sees it unheld. Decisions lock the order row first (the order centre's lock order), then its hits.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from commerce.audit.services import audit_record
from commerce.orders import statuses as order_statuses
from commerce.orders.lock_objects import order_lock
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from commerce.orders.services import order_hold, order_release, order_transition
from commerce.outbox import names
from commerce.outbox.services import event_emit
from commerce.screening.services import screening_recheck
from core.actors import Actor
from core.errors import InvalidInput

from .conditions import condition_holds, condition_problem, groups_read, var_paths
from .errors import NothingToReview
from .facts import order_facts, sighting_for
from .lock_objects import window_keys_lock
from .models import BlacklistEntry, RiskHit, RiskRule, RiskSighting
from .representation import hit_representation, risk_representation

SUBJECT = "order"
FLAGGED = "risk_flagged"
APPROVED = "risk_approved"
REJECTED = "risk_rejected"
BLACKLISTED = "risk_blacklisted"


def _evidence(condition, facts: dict) -> dict:
    """The facts the condition read, by path: what the reviewer sees beside the rule."""
    found: list[str] = []
    var_paths(condition, found)
    evidence = {}
    for path in found:
        value: object = facts
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        evidence[path] = value
    return evidence


def order_risk_check(sender=None, *, order: Order, actor: Actor, **_kwargs) -> Order | None:
    """The ``order_placed`` receiver: writes the order's sighting under its IP's lock, evaluates the
    enabled rules on its facts and, when any holds, records the hits, holds the order with their
    names as the reason and emits ``risk.flagged``. Answers the held order, or None.

    Inside the creation transaction: the IP's lock (``lock_objects``) is kept until its commit.
    """
    # Read on every order: the three columns the check uses, not whole rules.
    rules = list(RiskRule.objects.filter(enabled=True).values("id", "key", "condition"))
    if not rules:
        return None
    now = timezone.now()
    sighting = sighting_for(order, now=now)
    if sighting.client_ip:
        window_keys_lock([f"ip:{sighting.client_ip}"])
    sighting.save(force_insert=True)
    facts = order_facts(order, sighting, groups=groups_read(rule["condition"] for rule in rules), now=now)
    held_by = [rule for rule in rules if condition_holds(rule["condition"], facts)]
    if not held_by:
        return None
    hits = RiskHit.objects.bulk_create(
        [RiskHit(order=order, rule_id=rule["id"], evidence=_evidence(rule["condition"], facts)) for rule in held_by]
    )
    keys = [rule["key"] for rule in held_by]
    reason = "风险审核 / risk review: " + ", ".join(keys)
    held = order_hold(order_id=order.pk, reason=reason[:200], actor=actor).order
    audit_record(
        subject_type=SUBJECT,
        subject_id=order.pk,
        action=FLAGGED,
        actor=actor,
        changes={"rules": keys, "evidence": {key: hit.evidence for key, hit in zip(keys, hits, strict=True)}},
    )
    _emit(held, names.RISK_FLAGGED, actor, decision="", note="")
    return held


def _emit(order: Order, name: str, actor: Actor, *, decision: str, note: str) -> None:
    event_emit(
        name=name,
        subject_type=SUBJECT,
        subject_id=order.pk,
        payload={"order": order_representation(order), "risk": risk_representation(order, decision, note)},
        actor=actor,
    )


def _pending(order_id: int) -> list[RiskHit]:
    hits = list(RiskHit.objects.select_for_update().filter(order_id=order_id, state=RiskHit.PENDING).order_by("pk"))
    if not hits:
        raise NothingToReview(details={"order": order_id})
    return hits


def _decide(hits: list[RiskHit], state: str, user, note: str) -> None:
    now = timezone.now()
    RiskHit.objects.filter(pk__in=[hit.pk for hit in hits]).update(
        state=state, decided_by=user, decided_at=now, note=note[:200]
    )


def risk_approve(*, order_id: int, user, note: str = "") -> Order:
    """The review found the order fine: its pending hits are approved (false positives), its hold is
    released and ``risk.cleared`` announces it, so the order goes on through its flows. Raises
    ``NothingToReview`` when no hit is pending (decided meanwhile)."""
    actor = Actor.user(user, source="risk review")
    with transaction.atomic():
        order_lock(order_id)
        hits = _pending(order_id)
        _decide(hits, RiskHit.APPROVED, user, note)
        order = order_release(order_id=order_id, actor=actor, note=f"risk review approved {note}".strip()).order
        audit_record(
            subject_type=SUBJECT,
            subject_id=order_id,
            action=APPROVED,
            actor=actor,
            changes={"rules": [hit.rule.key for hit in hits], "note": note},
        )
        _emit(order, names.RISK_CLEARED, actor, decision=RiskHit.APPROVED, note=note)
        # An order the warehouse gate kept back for its hold goes on now, if nothing else fails.
        screening_recheck(order_id=order_id)
    return order


def risk_reject(*, order_id: int, user, reason: str, blacklist: list[str] | None = None) -> Order:
    """The review found fraud: the hits are rejected, the hold released and the order cancelled
    (its reserved stock goes back), ``risk.cleared`` with the decision ``rejected``; the order's
    ``blacklist`` kinds (phone, address, account, ip) go on the blacklist in the same transaction."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(details={"reason": "say why the order is rejected"})
    actor = Actor.user(user, source="risk review")
    with transaction.atomic():
        order_lock(order_id)
        hits = _pending(order_id)
        _decide(hits, RiskHit.REJECTED, user, reason)
        order_release(order_id=order_id, actor=actor, note=f"risk review rejected: {reason}")
        order_transition(
            order_id=order_id, to=order_statuses.CANCELLED, actor=actor, reason=f"risk review: {reason}"[:200]
        )
        audit_record(
            subject_type=SUBJECT,
            subject_id=order_id,
            action=REJECTED,
            actor=actor,
            changes={"rules": [hit.rule.key for hit in hits], "reason": reason},
        )
        if blacklist:
            risk_blacklist_order(order_id=order_id, kinds=blacklist, user=user, reason=reason)
        order = order_lock(order_id)
        _emit(order, names.RISK_CLEARED, actor, decision=RiskHit.REJECTED, note=reason)
    return order


def _order_keys(order: Order) -> dict[str, str]:
    sighting = RiskSighting.objects.filter(order=order).first() or sighting_for(order, now=timezone.now())
    return {
        BlacklistEntry.PHONE: sighting.phone,
        BlacklistEntry.ADDRESS: sighting.address_key,
        BlacklistEntry.ACCOUNT: order.buyer_account,
        BlacklistEntry.IP: sighting.client_ip or "",
    }


def risk_blacklist_order(*, order_id: int, kinds: list[str], user, reason: str = "") -> list[BlacklistEntry]:
    """Puts the order's phone, address, account and/or IP on the blacklist (each once); audited on the
    order. A kind the order has no value for (no IP from its channel) is refused, naming it."""
    actor = Actor.user(user, source="risk review")
    with transaction.atomic():
        order = order_lock(order_id)
        keys = _order_keys(order)
        missing = {kind: "this order has none" for kind in kinds if not keys.get(kind)}
        if missing:
            raise InvalidInput(details={"kinds": missing})
        entries = [
            BlacklistEntry.objects.get_or_create(
                kind=kind, value=keys[kind], defaults={"reason": reason[:200] or order.number, "created_by": user}
            )[0]
            for kind in kinds
        ]
        audit_record(
            subject_type=SUBJECT,
            subject_id=order.pk,
            action=BLACKLISTED,
            actor=actor,
            changes={"entries": [{"kind": e.kind, "value": e.value} for e in entries], "reason": reason},
        )
    return entries


def blacklist_add(*, kind: str, value: str, reason: str, user) -> tuple[BlacklistEntry, bool]:
    from .facts import normalised

    value = normalised(kind, value)
    if not value:
        raise InvalidInput(details={"value": "nothing left once spaces and punctuation are taken out"})
    with transaction.atomic():
        entry, created = BlacklistEntry.objects.get_or_create(
            kind=kind, value=value, defaults={"reason": reason[:200], "created_by": user}
        )
        if created:
            audit_record(
                subject_type="risk_blacklist",
                subject_id=entry.pk,
                action="created",
                actor=Actor.user(user),
                changes={"kind": kind, "value": value, "reason": reason},
            )
    return entry, created


def blacklist_remove(*, entry_id: int, user) -> None:
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry_id)
        audit_record(
            subject_type="risk_blacklist",
            subject_id=entry.pk,
            action="deleted",
            actor=Actor.user(user),
            changes={"kind": entry.kind, "value": entry.value},
        )
        entry.delete()


def rule_update(*, rule_id: int, user, changes: dict) -> RiskRule:
    """Changes a rule's names, condition or switch; the change (old and new) is audited."""
    if "condition" in changes:
        problem = condition_problem(changes["condition"])
        if problem:
            raise InvalidInput(details={"condition": problem})
    with transaction.atomic():
        rule = RiskRule.objects.select_for_update().get(pk=rule_id)
        diff = {name: [getattr(rule, name), value] for name, value in changes.items() if getattr(rule, name) != value}
        for name, value in changes.items():
            setattr(rule, name, value)
        rule.save()
        if diff:
            audit_record(
                subject_type="risk_rule", subject_id=rule.pk, action="updated", actor=Actor.user(user), changes=diff
            )
    return rule


def rule_create(*, key: str, name_zh: str, name_en: str, condition, enabled: bool, user) -> RiskRule:
    problem = condition_problem(condition)
    if problem:
        raise InvalidInput(details={"condition": problem})
    try:
        with transaction.atomic():
            rule = RiskRule.objects.create(
                key=key, name_zh=name_zh, name_en=name_en, condition=condition, enabled=enabled
            )
    except IntegrityError:
        raise InvalidInput(details={"key": f"a rule with the key {key!r} exists"}) from None
    with transaction.atomic():
        audit_record(
            subject_type="risk_rule",
            subject_id=rule.pk,
            action="created",
            actor=Actor.user(user),
            changes={"key": key, "condition": condition, "enabled": enabled},
        )
    return rule


__all__ = ["hit_representation"]
