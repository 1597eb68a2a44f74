"""Reconciling crafted bills against real orders: every category, the tolerance, re-runs, resolving."""

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce.audit.models import AuditEntry
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from commerce.payments.models import PaymentRefund
from commerce.reconciliation import categories as c
from commerce.reconciliation.errors import DifferenceNotOpen
from commerce.reconciliation.models import BillLine, ReconciliationDay, ReconciliationDifference
from commerce.reconciliation.services import difference_resolve, reconciliation_apply
from commerce.shipments.models import Shipment
from commerce.tickets.models import Ticket
from core.errors import InvalidInput
from tests.factories import TEST_ACTOR, create_order

from .helpers import DAY, at, bills, paid_order, pay_line, pending_order, refund_line

pytestmark = pytest.mark.django_db


def _found(day=DAY) -> dict[str, str]:
    return {
        d.key: d.category
        for d in ReconciliationDifference.objects.filter(reconciliation_day__day=day).exclude(status=c.CLEARED)
    }


def test_an_exact_bill_reconciles_without_differences(channel, stocked):
    _order, payment = paid_order(channel, "E-1")

    record = reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "199.00")), actor=TEST_ACTOR)

    assert (record.status, record.checked, record.differing) == (c.COMPLETE, 1, 0)
    assert record.totals["bill_payments"] == 1 and record.totals["bill_payments_amount"] == "199.00"
    assert _found() == {}
    assert BillLine.objects.filter(reconciliation_day=record).count() == 1


@pytest.mark.parametrize(
    ("billed", "differs"), [("199.50", False), ("198.50", False), ("199.51", True), ("198.49", True)]
)
def test_the_tolerance_is_half_a_yuan_either_way(channel, stocked, billed, differs):
    _order, payment = paid_order(channel, "E-1")

    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, billed)), actor=TEST_ACTOR)

    expected = {f"amount_mismatch:{payment.out_trade_no}": c.AMOUNT_MISMATCH} if differs else {}
    assert _found() == expected


def test_the_tolerance_can_be_set_per_run(channel, stocked):
    _order, payment = paid_order(channel, "E-1")

    record = reconciliation_apply(
        day=DAY, bills=bills(pay_line(payment.out_trade_no, "200.00")), actor=TEST_ACTOR, tolerance=Decimal("1.00")
    )

    assert record.tolerance == Decimal("1.00")
    assert _found() == {}


def test_every_category_is_found_on_one_crafted_day(channel, stocked):
    _a, matched = paid_order(channel, "MATCHED")
    _b, off = paid_order(channel, "OFF-BY-ONE")
    _c, unbilled = paid_order(channel, "UNBILLED")
    _d, early = paid_order(channel, "EARLY", paid_at=at(DAY - timedelta(days=1), 23, 59))
    twice, twice_payment = paid_order(channel, "TWICE")
    _f, pending = pending_order(channel, "PENDING")
    _g, refunded = paid_order(channel, "REFUNDED")
    _h, foreign = paid_order(channel, "FOREIGN", gateway="wechatpay")
    PaymentRefund.objects.create(
        payment=matched, out_request_no="RFQ-UNBILLED", amount=Decimal("5.00"), status="succeeded",
        succeeded_at=at(hour=14),
    )  # fmt: skip
    shipped = create_order(channel, external_id="SHIPPED", lines=(("TEA-001", 1),))
    Shipment.objects.create(order=shipped, courier="kuaidi100", carrier="yuantong", tracking_no="YT1")
    Shipment.objects.filter(order=shipped).update(created_at=at(hour=16))
    day_bills = bills(
        pay_line(matched.out_trade_no, "199.00"),
        pay_line(off.out_trade_no, "198.00"),
        pay_line(early.out_trade_no, "199.00", when=at(hour=0, minute=1)),
        pay_line(twice_payment.out_trade_no, "199.00", trade_no="T-A"),
        pay_line(f"{twice.number}-9", "199.00", trade_no="T-B"),
        pay_line(pending.out_trade_no, "199.00"),
        pay_line("CONSOLE-1", "50.00", memo="线下补款"),
        pay_line(refunded.out_trade_no, "199.00"),
        refund_line(refunded.out_trade_no, "CONSOLE-REFUND-1", "20.00"),
        pay_line(foreign.out_trade_no, "199.00", gateway="wechatpay", currency="USD"),
    )

    record = reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)

    assert _found() == {
        f"amount_mismatch:{off.out_trade_no}": c.AMOUNT_MISMATCH,
        f"missing_payment:{unbilled.out_trade_no}": c.MISSING_PAYMENT,
        f"cross_period:{early.out_trade_no}": c.CROSS_PERIOD,
        f"duplicate_payment:{twice.number}": c.DUPLICATE_PAYMENT,
        f"unsettled:{pending.out_trade_no}": c.UNSETTLED,
        "missing_order:alipay:TRADE-CONSOLE-1": c.MISSING_ORDER,
        "refunded_not_offset:alipay:CONSOLE-REFUND-1": c.REFUNDED_NOT_OFFSET,
        f"unsettled:shipped:{shipped.number}": c.UNSETTLED,
        f"amount_mismatch:{foreign.out_trade_no}": c.AMOUNT_MISMATCH,
        "refund_missing_in_bill:RFQ-UNBILLED": c.REFUND_MISSING_IN_BILL,
    }
    assert {d.category for d in ReconciliationDifference.objects.all()} == set(c.CATEGORIES)
    assert record.differing == 10
    cross = ReconciliationDifference.objects.get(category=c.CROSS_PERIOD)
    assert cross.detail == {"orderflow_day": "2026-11-30", "bill_day": "2026-12-01"}
    currency = ReconciliationDifference.objects.get(key__startswith="amount_mismatch", currency="USD")
    assert (currency.order_number, currency.detail["order_currency"]) == (foreign.order.number, "CNY")


def test_an_order_number_in_the_memo_finds_the_order(channel, stocked):
    order = create_order(channel, external_id="OFFLINE", lines=(("TEA-001", 1),))

    reconciliation_apply(
        day=DAY, bills=bills(pay_line("ALI-MANUAL-77", "199.00", memo=f"补单 {order.number} 客服")), actor=TEST_ACTOR
    )
    assert _found() == {}

    reconciliation_apply(
        day=DAY, bills=bills(pay_line("ALI-MANUAL-77", "150.00", memo=f"补单 {order.number}")), actor=TEST_ACTOR
    )
    difference = ReconciliationDifference.objects.get()
    assert (difference.category, difference.order_id, difference.detail["matched_by"]) == (
        c.AMOUNT_MISMATCH,
        order.pk,
        "order_number",
    )


def test_a_refund_orderflow_made_offsets_the_bill_refund(channel, stocked):
    _order, payment = paid_order(channel, "E-1")
    PaymentRefund.objects.create(payment=payment, out_request_no="RFQ1", amount=Decimal("20.00"), status="succeeded")

    reconciliation_apply(
        day=DAY,
        bills=bills(pay_line(payment.out_trade_no, "199.00"), refund_line(payment.out_trade_no, "RFQ1", "20.00")),
        actor=TEST_ACTOR,
    )
    assert _found() == {}

    reconciliation_apply(
        day=DAY,
        bills=bills(pay_line(payment.out_trade_no, "199.00"), refund_line(payment.out_trade_no, "RFQ1", "25.00")),
        actor=TEST_ACTOR,
    )
    assert _found() == {"amount_mismatch:refund:RFQ1": c.AMOUNT_MISMATCH}


def test_a_payment_billed_the_next_day_is_cross_period_not_missing(channel, stocked):
    _order, payment = paid_order(channel, "LATE", paid_at=at(hour=23, minute=59))
    reconciliation_apply(
        day=DAY + timedelta(days=1),
        bills=bills(pay_line(payment.out_trade_no, "199.00", when=at(DAY + timedelta(days=1), 0, 0))),
        actor=TEST_ACTOR,
    )

    reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)

    assert _found() == {f"cross_period:{payment.out_trade_no}": c.CROSS_PERIOD}


def test_a_gateway_whose_bill_failed_is_not_judged(channel, stocked, monkeypatch):
    from django.utils import timezone

    paid_order(channel, "E-1")
    monkeypatch.setattr(timezone, "now", lambda: at(DAY + timedelta(days=1), 3))
    failed = [bill for bill in bills() if bill.gateway == "wechatpay"]
    from commerce.reconciliation.sources import BillFetch

    record = reconciliation_apply(
        day=DAY, bills=[BillFetch("alipay", 7, error="timeout: no answer"), *failed], actor=TEST_ACTOR
    )

    assert record.status == c.PARTIAL
    assert record.sources[0] == {
        "gateway": "alipay",
        "connection_id": 7,
        "lines": 0,
        "error": "timeout: no answer",
        "summary": {},
        "state": c.PARTIAL,
    }
    assert _found() == {}


def test_each_difference_is_a_finance_ticket_and_an_event(channel, stocked):
    _order, payment = paid_order(channel, "E-1")

    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "150.00")), actor=TEST_ACTOR)

    difference = ReconciliationDifference.objects.get()
    ticket = Ticket.objects.get(pk=difference.ticket_id)
    assert (ticket.queue, ticket.assignee_role, ticket.order_id, ticket.status) == (
        "finance",
        "finance",
        payment.order_id,
        "open",
    )
    assert ticket.title == f"对账差异 金额不符 / Amount mismatch: {payment.order.number}"
    event = OutboxEvent.objects.get(name=names.RECONCILIATION_DIFFERENCE)
    assert event.payload["difference"]["id"] == difference.pk
    assert event.payload["difference"]["expected_amount"] == "199.00"
    assert event.payload["difference"]["actual_amount"] == "150.00"


def _state() -> tuple:
    differences = sorted(
        (d.key, d.category, d.status, d.ticket_id, str(d.expected_amount), str(d.actual_amount), d.resolution)
        for d in ReconciliationDifference.objects.all()
    )
    lines = sorted(BillLine.objects.values_list("out_trade_no", "kind", "amount", "reconciliation_day__day"))
    tickets = sorted(Ticket.objects.values_list("id", "status", "resolution"))
    days = sorted(ReconciliationDay.objects.values_list("day", "runs", "checked", "differing", "totals"))
    return differences, lines, tickets, days, OutboxEvent.objects.count(), AuditEntry.objects.count()


def test_running_a_day_again_changes_nothing(channel, stocked):
    _order, payment = paid_order(channel, "E-1")
    paid_order(channel, "E-2")
    day_bills = bills(pay_line(payment.out_trade_no, "150.00"), pay_line("X-1", "9.00"))
    reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)
    before = _state()

    reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)

    assert _state() == before


def test_a_resolved_difference_stays_resolved_and_a_fixed_one_is_cleared(channel, stocked):
    _order, payment = paid_order(channel, "E-1")
    day_bills = bills(pay_line(payment.out_trade_no, "150.00"), pay_line("X-1", "9.00"))
    reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)
    mismatch = ReconciliationDifference.objects.get(category=c.AMOUNT_MISMATCH)
    unknown = ReconciliationDifference.objects.get(category=c.MISSING_ORDER)

    difference_resolve(difference_id=mismatch.pk, reason="买家少付，已线下补齐", actor=TEST_ACTOR)
    reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)
    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "150.00")), actor=TEST_ACTOR)

    mismatch.refresh_from_db()
    unknown.refresh_from_db()
    assert (mismatch.status, mismatch.resolution) == (c.RESOLVED, "买家少付，已线下补齐")
    assert Ticket.objects.get(pk=mismatch.ticket_id).resolution == "买家少付，已线下补齐"
    assert unknown.status == c.CLEARED
    assert Ticket.objects.get(pk=unknown.ticket_id).status == "closed"
    assert Ticket.objects.count() == 2
    assert ReconciliationDay.objects.get(day=DAY).differing == 1


def test_resolving_is_audited_and_happens_once(channel, stocked):
    _order, payment = paid_order(channel, "E-1")
    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "150.00")), actor=TEST_ACTOR)
    difference = ReconciliationDifference.objects.get()

    difference_resolve(difference_id=difference.pk, reason="  差额为运费  ", actor=TEST_ACTOR)

    entry = AuditEntry.objects.get(subject_type=c.SUBJECT, subject_id=str(difference.pk))
    assert (entry.action, entry.changes["reason"]) == ("resolved", "差额为运费")
    with pytest.raises(DifferenceNotOpen):
        difference_resolve(difference_id=difference.pk, reason="again", actor=TEST_ACTOR)
    with pytest.raises(InvalidInput):
        difference_resolve(difference_id=difference.pk, reason="   ", actor=TEST_ACTOR)
