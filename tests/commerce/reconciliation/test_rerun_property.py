"""Property: reconciling a day a second time with the same data changes nothing at all."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.audit.models import AuditEntry
from commerce.outbox.models import OutboxEvent
from commerce.reconciliation.models import BillLine, ReconciliationDay, ReconciliationDifference
from commerce.reconciliation.services import reconciliation_apply
from commerce.tickets.models import Ticket
from tests.factories import TEST_ACTOR

from .helpers import DAY, at, bills, paid_order, pay_line, refund_line

pytestmark = pytest.mark.django_db

_examples = itertools.count()

# Per order: billed or not, the offset billed (fen), billed twice, refunded in the bill.
ORDER_CASE = st.tuples(st.booleans(), st.integers(-120, 120), st.booleans(), st.booleans())
UNKNOWN = st.lists(st.integers(1, 99_999), max_size=3)


def _snapshot(day) -> tuple:
    differences = sorted(
        (d.key, d.category, d.status, d.ticket_id, d.expected_amount, d.actual_amount, d.currency, str(d.detail))
        for d in ReconciliationDifference.objects.filter(reconciliation_day__day=day)
    )
    lines = list(
        BillLine.objects.filter(reconciliation_day__day=day)
        .order_by("id")
        .values_list("out_trade_no", "kind", "amount")
    )
    record = ReconciliationDay.objects.values_list("runs", "checked", "differing", "totals", "status").get(day=day)
    return (
        differences,
        lines,
        record,
        sorted(Ticket.objects.values_list("id", "status")),
        OutboxEvent.objects.count(),
        AuditEntry.objects.count(),
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(ORDER_CASE, min_size=1, max_size=5), unknown=UNKNOWN, paid_late=st.booleans())
def test_a_second_run_of_a_day_changes_nothing(channel, stocked, cases, unknown, paid_late):
    n = next(_examples)
    day = DAY + timedelta(days=n)
    lines = []
    for i, (billed, offset, twice, refunded) in enumerate(cases):
        paid_at = at(day - timedelta(days=1), 23, 59) if paid_late and i == 0 else at(day)
        _order, payment = paid_order(channel, f"P{n}-{i}", paid_at=paid_at)
        if not billed:
            continue
        amount = Decimal("199.00") + Decimal(offset) / 100
        lines.append(pay_line(payment.out_trade_no, amount, when=at(day)))
        if twice:
            lines.append(pay_line(payment.out_trade_no, amount, trade_no=f"AGAIN-{n}-{i}", when=at(day)))
        if refunded:
            lines.append(refund_line(payment.out_trade_no, f"R{n}-{i}", "10.00"))
    lines += [pay_line(f"UNKNOWN-{n}-{k}", Decimal(k) / 100, when=at(day)) for k in unknown]
    reconciliation_apply(day=day, bills=bills(*lines), actor=TEST_ACTOR)
    first = _snapshot(day)

    reconciliation_apply(day=day, bills=bills(*lines), actor=TEST_ACTOR)

    assert _snapshot(day) == first
