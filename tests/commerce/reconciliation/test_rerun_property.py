"""Property: reconciling a day a second time with the same data changes nothing at all — gateway
bills with refunds (ours and theirs), offline-paid orders and the day's uploaded statement included."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.audit.models import AuditEntry
from commerce.outbox.models import OutboxEvent
from commerce.payments.models import PaymentRefund
from commerce.reconciliation.models import BillLine, ReconciliationDay, ReconciliationDifference
from commerce.reconciliation.services import reconciliation_apply, statement_upload
from commerce.tickets.models import Ticket
from tests.factories import TEST_ACTOR

from .helpers import DAY, at, bills, manual_channel, offline_order, paid_order, pay_line, refund_line, statement_csv

pytestmark = pytest.mark.django_db

_examples = itertools.count()

# Per order: billed or not, the offset billed (fen), billed twice, refunded in the bill, refunded by us.
ORDER_CASE = st.tuples(st.booleans(), st.integers(-120, 120), st.booleans(), st.booleans(), st.booleans())
UNKNOWN = st.lists(st.integers(1, 99_999), max_size=3)
# Per offline-paid order: on the statement or not, the offset credited (fen), credited twice.
OFFLINE_CASE = st.tuples(st.booleans(), st.integers(-120, 120), st.booleans())


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
@given(
    cases=st.lists(ORDER_CASE, min_size=1, max_size=5),
    unknown=UNKNOWN,
    paid_late=st.booleans(),
    offline=st.lists(OFFLINE_CASE, max_size=3),
    uploaded=st.booleans(),
)
def test_a_second_run_of_a_day_changes_nothing(channel, stocked, cases, unknown, paid_late, offline, uploaded):
    n = next(_examples)
    day = DAY - timedelta(days=n)  # each example its own day, none in the future
    type(stocked).objects.filter(pk=stocked.pk).update(on_hand=F("on_hand") + 10)  # the examples share the stock
    lines = []
    for i, (billed, offset, twice, refunded, ours) in enumerate(cases):
        paid_at = at(day - timedelta(days=1), 23, 59) if paid_late and i == 0 else at(day)
        _order, payment = paid_order(channel, f"P{n}-{i}", paid_at=paid_at)
        if ours:
            PaymentRefund.objects.create(
                payment=payment, out_request_no=f"R{n}-{i}", amount=Decimal("10.00"), status="succeeded",
                succeeded_at=at(day, 14),
            )  # fmt: skip
        if not billed:
            continue
        amount = Decimal("199.00") + Decimal(offset) / 100
        lines.append(pay_line(payment.out_trade_no, amount, when=at(day)))
        if twice:
            lines.append(pay_line(payment.out_trade_no, amount, trade_no=f"AGAIN-{n}-{i}", when=at(day)))
        if refunded:
            lines.append(refund_line(payment.out_trade_no, f"R{n}-{i}", "10.00"))
    lines += [pay_line(f"UNKNOWN-{n}-{k}", Decimal(k) / 100, when=at(day)) for k in unknown]
    credits = []
    manual = manual_channel()
    for i, (listed, offset, twice) in enumerate(offline):
        order = offline_order(manual, f"M{n}-{i}", paid_at=at(day))
        amount = Decimal("199.00") + Decimal(offset) / 100
        if listed:
            credits += [f"{day.isoformat()},{amount},CNY,{order.number},,,S{i}-{k}" for k in range(1 + twice)]
    if uploaded:
        credits.append(f"{day.isoformat()},1.00,CNY,NOBODY,,,X{n}")
        statement_upload(
            day=day, kind="bank", account="ICBC", file_name="b.csv", content=statement_csv(*credits), actor=TEST_ACTOR
        )
    reconciliation_apply(day=day, bills=bills(*lines), actor=TEST_ACTOR)
    first = _snapshot(day)

    reconciliation_apply(day=day, bills=bills(*lines), actor=TEST_ACTOR)

    assert _snapshot(day) == first
