"""The risk review's JSON shapes: a hit, and the ``risk`` object of ``risk.flagged`` / ``risk.cleared``."""

from core.time import iso_utc

from .models import RiskHit


def hit_representation(hit: RiskHit) -> dict:
    return {
        "id": hit.pk,
        "rule": hit.rule.key,
        "rule_name": {"zh": hit.rule.name_zh, "en": hit.rule.name_en},
        "evidence": hit.evidence,
        "state": hit.state,
        "decided_by": hit.decided_by.get_username() if hit.decided_by is not None else None,
        "decided_at": iso_utc(hit.decided_at),
        "note": hit.note,
        "created_at": iso_utc(hit.created_at),
    }


def risk_representation(order, decision: str, note: str) -> dict:
    """The order's hits (newest review first) and the decision just taken ('' while pending)."""
    hits = RiskHit.objects.filter(order=order).select_related("rule", "decided_by").order_by("pk")
    return {"hits": [hit_representation(hit) for hit in hits], "decision": decision, "note": note}
