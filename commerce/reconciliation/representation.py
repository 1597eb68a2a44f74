"""A difference as the API, the ``reconciliation.difference`` event and the exports show it."""

from core.time import iso_utc

from . import categories as c
from .models import ReconciliationDifference


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def difference_representation(difference: ReconciliationDifference, *, day: str | None = None) -> dict:
    return {
        "id": difference.pk,
        "day": day or difference.reconciliation_day.day.isoformat(),
        "category": difference.category,
        "category_label": c.LABELS[difference.category],
        "status": difference.status,
        "order_id": difference.order_id,
        "order_number": difference.order_number,
        "gateway": difference.gateway,
        "out_trade_no": difference.out_trade_no,
        "expected_amount": _money(difference.expected_amount),
        "actual_amount": _money(difference.actual_amount),
        "currency": difference.currency,
        "detail": difference.detail,
        "ticket_id": difference.ticket_id,
        "resolution": difference.resolution,
        "resolved_by": difference.resolved_by,
        "resolved_at": iso_utc(difference.resolved_at),
    }
