"""Risk reads: the review queue, an order's hits, the rules with their false-positive rates."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from commerce.orders.models import Order

from .models import RiskHit, RiskRule


def review_queue(*, state: str = RiskHit.PENDING) -> QuerySet[Order]:
    """Orders with a hit in ``state`` (pending: waiting for review), newest first, with their hits."""
    hits = RiskHit.objects.select_related("rule", "decided_by").order_by("pk")
    return (
        Order.objects.filter(Exists(RiskHit.objects.filter(order=OuterRef("pk"), state=state)))
        .select_related("channel", "customer")
        .prefetch_related(Prefetch("risk_hits", queryset=hits))
        .order_by("-created_at", "-id")
    )


def rules_with_rates() -> QuerySet[RiskRule]:
    """Each rule with its hit counts; ``false_positive_rate`` = approved / decided (None before any decision)."""
    return RiskRule.objects.annotate(
        hits_total=Count("hits"),
        hits_pending=Count("hits", filter=Q(hits__state=RiskHit.PENDING)),
        hits_approved=Count("hits", filter=Q(hits__state=RiskHit.APPROVED)),
        hits_rejected=Count("hits", filter=Q(hits__state=RiskHit.REJECTED)),
    ).order_by("id")


def false_positive_rate(rule) -> float | None:
    decided = rule.hits_approved + rule.hits_rejected
    return round(rule.hits_approved / decided, 4) if decided else None


def review_queue_order(*, order_id: int) -> Order:
    """One order as the queue shows it, whatever its hits' states."""
    hits = RiskHit.objects.select_related("rule", "decided_by").order_by("pk")
    return (
        Order.objects.select_related("channel", "customer")
        .prefetch_related(Prefetch("risk_hits", queryset=hits))
        .get(pk=order_id)
    )
