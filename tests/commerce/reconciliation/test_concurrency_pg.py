"""Runs of one day at the same moment (PostgreSQL): the day's row lock queues them, so the day gets
one snapshot and each difference one work item."""

import pytest

from commerce.outbox.models import OutboxEvent
from commerce.reconciliation.models import BillLine, ReconciliationDay, ReconciliationDifference
from commerce.reconciliation.services import reconciliation_apply
from commerce.tickets.models import Ticket
from tests.concurrency import at_once
from tests.factories import TEST_ACTOR

from .helpers import DAY, bills, paid_order, pay_line


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_runs_of_one_day_at_once_file_each_difference_once(channel, stocked):
    _order, payment = paid_order(channel, "E-1")
    day_bills = bills(pay_line(payment.out_trade_no, "150.00"), pay_line("X-1", "9.00"), pay_line("X-2", "8.00"))

    at_once(lambda _i: reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR).pk, 5)

    assert ReconciliationDay.objects.count() == 1
    assert ReconciliationDifference.objects.count() == 3
    assert Ticket.objects.filter(queue="finance").count() == 3
    assert OutboxEvent.objects.filter(name="reconciliation.difference").count() == 3
    assert BillLine.objects.count() == 3
    assert ReconciliationDay.objects.get().runs == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_first_uploads_of_one_accounts_day_at_once_store_one_statement():
    from datetime import date

    from commerce.reconciliation.models import Statement, StatementLine
    from commerce.reconciliation.services import statement_upload

    from .helpers import statement_csv

    body = statement_csv("2026-12-01,199.00,CNY,OF2612010000000001,货款,王芳,B001")

    outcomes = at_once(
        lambda _i: (
            statement_upload(
                day=date(2026, 12, 1),
                kind="bank",
                account="ICBC-0001",
                file_name="bank.csv",
                content=body,
                actor=TEST_ACTOR,
            ).outcome
        ),
        4,
    )

    assert sorted(outcomes) == ["created", "unchanged", "unchanged", "unchanged"]
    assert (Statement.objects.count(), StatementLine.objects.count()) == (1, 1)
