"""A difference as the API, the ``reconciliation.difference`` event and the exports show it; a statement
as the API shows it."""

from core.time import iso_utc

from . import categories as c
from .models import ReconciliationDifference, Statement


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


def statement_representation(statement: Statement) -> dict:
    return {
        "id": statement.pk,
        "day": statement.day.isoformat(),
        "kind": statement.kind,
        "account": statement.account,
        "file_name": statement.file_name,
        "file_format": statement.file_format,
        "lines": statement.lines_count,
        "credit_total": f"{statement.credit_total:.2f}",
        "digest": statement.digest,
        "uploaded_by": statement.uploaded_by,
        "uploaded_at": iso_utc(statement.uploaded_at),
    }
