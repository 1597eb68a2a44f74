"""Reconciliation reads: a day's report, recent days, and the difference rate the dashboards show."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum

from . import categories as c
from .models import ReconciliationDay, ReconciliationDifference, Statement
from .representation import difference_representation, statement_representation


def day_summary(record: ReconciliationDay) -> dict:
    return {
        "day": record.day.isoformat(),
        "status": record.status,
        "tolerance": f"{record.tolerance:.2f}",
        "checked": record.checked,
        "differing": record.differing,
        "difference_rate": round(record.differing / record.checked, 6) if record.checked else None,
        "totals": record.totals,
        "sources": record.sources,
        "runs": record.runs,
        "run_by": record.run_by,
        "finished_at": record.finished_at.isoformat(),
        "fetch_attempts": record.fetch_attempts,
        "last_fetch_at": record.last_fetch_at.isoformat() if record.last_fetch_at else None,
        "alerted_at": record.alerted_at.isoformat() if record.alerted_at else None,
        "statements": statements_of_day(record.day),
    }


def statements_of_day(day: date) -> list[dict]:
    return [statement_representation(s) for s in Statement.objects.filter(day=day).order_by("kind", "account")]


def days_recent(*, limit: int = 31) -> list[dict]:
    return [day_summary(record) for record in ReconciliationDay.objects.order_by("-day")[:limit]]


def day_get(day: date) -> ReconciliationDay | None:
    return ReconciliationDay.objects.filter(day=day).first()


def day_differences(record: ReconciliationDay, *, category: str | None = None, status: str | None = None):
    rows = ReconciliationDifference.objects.filter(reconciliation_day=record).exclude(status=c.CLEARED)
    if category:
        rows = rows.filter(category=category)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("category", "id")


def day_report(record: ReconciliationDay, *, category: str | None = None, status: str | None = None) -> dict:
    counted = dict(
        ReconciliationDifference.objects.filter(reconciliation_day=record)
        .exclude(status=c.CLEARED)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    opened = ReconciliationDifference.objects.filter(reconciliation_day=record, status=c.OPEN).count()
    day = record.day.isoformat()
    return {
        **day_summary(record),
        "open": opened,
        "by_category": [
            {"category": name, "label": c.LABELS[name], "count": counted.get(name, 0)} for name in c.CATEGORIES
        ],
        "differences": [
            difference_representation(d, day=day) for d in day_differences(record, category=category, status=status)
        ],
    }


def difference_exists(difference_id: int) -> bool:
    return ReconciliationDifference.objects.filter(pk=difference_id).exists()


def difference_rate(*, date_from: date, date_to: date) -> tuple[int, int]:
    """(differences, records checked) over the reconciled days of [date_from, date_to]."""
    sums = ReconciliationDay.objects.filter(day__gte=date_from, day__lte=date_to).aggregate(
        differing=Sum("differing"), checked=Sum("checked")
    )
    return sums["differing"] or 0, sums["checked"] or 0


def statements_recent(*, limit: int = 100) -> list[dict]:
    return [statement_representation(s) for s in Statement.objects.order_by("-day", "-id")[:limit]]
