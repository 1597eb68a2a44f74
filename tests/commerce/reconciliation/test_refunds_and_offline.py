"""Refunds against the bills' refund lines, and orders paid outside the gateways against uploaded
bank / cash-on-delivery statements (crafted data, ``reconciliation_apply``)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce.payments.models import PaymentRefund
from commerce.reconciliation import categories as c
from commerce.reconciliation.models import ReconciliationDifference
from commerce.reconciliation.services import reconciliation_apply, statement_upload
from tests.factories import TEST_ACTOR

from .helpers import (
    DAY,
    at,
    bills,
    manual_channel,
    offline_order,
    paid_order,
    pay_line,
    refund_line,
    statement_csv,
)

pytestmark = pytest.mark.django_db


def _found(day=DAY) -> dict[str, str]:
    return {
        d.key: d.category
        for d in ReconciliationDifference.objects.filter(reconciliation_day__day=day).exclude(status=c.CLEARED)
    }


def _refund(payment, no: str, amount: str, *, when=None) -> PaymentRefund:
    return PaymentRefund.objects.create(
        payment=payment, out_request_no=no, amount=Decimal(amount), status="succeeded", succeeded_at=when or at(hour=14)
    )


def _upload(body: bytes, *, day=DAY, account="ICBC-0001", kind=c.BANK):
    return statement_upload(day=day, kind=kind, account=account, file_name="bank.csv", content=body, actor=TEST_ACTOR)


# --- refunds -----------------------------------------------------------------------------------


def test_a_refund_orderflow_paid_that_the_bill_lacks_is_flagged(channel, stocked):
    _order, payment = paid_order(channel, "R-1")
    _refund(payment, "RF-MISSING", "20.00")

    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "199.00")), actor=TEST_ACTOR)

    difference = ReconciliationDifference.objects.get()
    assert (difference.key, difference.category, difference.expected_amount, difference.order_id) == (
        "refund_missing_in_bill:RF-MISSING",
        c.REFUND_MISSING_IN_BILL,
        Decimal("20.00"),
        payment.order_id,
    )
    assert difference.detail == {"out_request_no": "RF-MISSING"}


def test_a_billed_refund_matches_ours_by_request_number_within_the_tolerance(channel, stocked):
    _order, payment = paid_order(channel, "R-1", gateway="wechatpay")
    _refund(payment, "RF-1", "20.00")
    day_bills = bills(
        pay_line(payment.out_trade_no, "199.00", gateway="wechatpay"),
        refund_line(payment.out_trade_no, "RF-1", "20.50", gateway="wechatpay"),
    )

    reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)
    assert _found() == {}  # 0.50 apart: matches

    day_bills[1] = day_bills[1].__class__(
        "wechatpay",
        None,
        lines=(day_bills[1].lines[0], refund_line(payment.out_trade_no, "RF-1", "20.51", gateway="wechatpay")),
    )
    reconciliation_apply(day=DAY, bills=day_bills, actor=TEST_ACTOR)
    assert _found() == {"amount_mismatch:refund:RF-1": c.AMOUNT_MISMATCH}


def test_a_bill_refund_we_have_no_record_of_is_refunded_not_offset(channel, stocked):
    _order, payment = paid_order(channel, "R-1")

    reconciliation_apply(
        day=DAY,
        bills=bills(pay_line(payment.out_trade_no, "199.00"), refund_line(payment.out_trade_no, "CONSOLE-9", "9.90")),
        actor=TEST_ACTOR,
    )

    assert _found() == {"refunded_not_offset:alipay:CONSOLE-9": c.REFUNDED_NOT_OFFSET}


def test_a_refund_billed_the_next_day_is_cross_period(channel, stocked):
    _order, payment = paid_order(channel, "R-1")
    _refund(payment, "RF-LATE", "20.00", when=at(hour=23, minute=59))
    next_day = DAY + timedelta(days=1)
    reconciliation_apply(
        day=next_day, bills=bills(refund_line(payment.out_trade_no, "RF-LATE", "20.00")), actor=TEST_ACTOR
    )
    assert _found(next_day) == {}

    reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "199.00")), actor=TEST_ACTOR)

    assert _found() == {"cross_period:refund:RF-LATE": c.CROSS_PERIOD}


def test_a_refund_of_a_gateway_whose_bill_failed_is_not_judged(channel, stocked):
    from commerce.reconciliation.sources import BillFetch

    _order, payment = paid_order(channel, "R-1")
    _refund(payment, "RF-1", "20.00")

    reconciliation_apply(
        day=DAY, bills=[BillFetch("alipay", None, error="isp.bill_not_exist: 账单不存在")], actor=TEST_ACTOR
    )

    assert _found() == {}


# --- offline payments and statements -----------------------------------------------------------


def test_without_a_statement_offline_paid_orders_are_unsettled_not_ignored(stocked):
    order = offline_order(manual_channel(), "MAN-1")

    record = reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)

    assert _found() == {f"unsettled:offline-unconfirmed:{order.number}": c.UNSETTLED}
    difference = ReconciliationDifference.objects.get()
    assert (difference.gateway, difference.detail) == ("offline", {"reason": "offline_payment_not_confirmed"})
    assert (record.checked, record.totals["offline_orders"], record.totals["statements"]) == (1, 1, False)


def test_a_statement_confirms_offline_payments_by_reference_or_memo(stocked):
    manual = manual_channel()
    by_reference = offline_order(manual, "MAN-1")
    by_memo = offline_order(manual, "MAN-2")
    reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)
    assert len(_found()) == 2

    _upload(
        statement_csv(
            f"2026-12-01 09:12,199.00,CNY,{by_reference.number},货款,王芳,B001",
            f"2026-12-01,199.50,,,转账 订单{by_memo.number} 谢谢,李雷,B002",
        )
    )
    record = reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)

    assert _found() == {}  # both confirmed; the earlier "unsettled" ones are cleared
    assert set(ReconciliationDifference.objects.values_list("status", flat=True)) == {c.CLEARED}
    assert (record.totals["statement_credits"], record.totals["statement_credits_amount"]) == (2, "398.50")


def test_statement_differences_each_in_its_category(channel, stocked):
    manual = manual_channel()
    short = offline_order(manual, "MAN-SHORT")
    missing = offline_order(manual, "MAN-MISSING")
    twice = offline_order(manual, "MAN-TWICE")
    unpaid = offline_order(manual, "MAN-UNPAID")
    type(unpaid).objects.filter(pk=unpaid.pk).update(paid_at=None, status="pending_payment")
    early = offline_order(manual, "MAN-EARLY", paid_at=at(DAY - timedelta(days=1), 18))
    gateway_order, _payment = paid_order(channel, "GW-ALSO-BANK")
    _upload(
        statement_csv(
            f"2026-12-01,198.49,CNY,{short.number},,,S1",
            f"2026-12-01,199.00,CNY,{twice.number},,,S2",
            f"2026-12-01,199.00,CNY,{twice.number},,,S3",
            f"2026-12-01,199.00,CNY,{unpaid.number},,,S4",
            f"2026-12-01,199.00,CNY,{early.number},,,S5",
            f"2026-12-01,199.00,CNY,{gateway_order.number},,,S6",
            "2026-12-01,88.00,CNY,,no order here,,S7",
        )
    )

    reconciliation_apply(day=DAY, bills=bills(pay_line(_payment.out_trade_no, "199.00")), actor=TEST_ACTOR)

    assert _found() == {
        f"amount_mismatch:offline:{short.number}": c.AMOUNT_MISMATCH,
        f"missing_payment:offline:{missing.number}": c.MISSING_PAYMENT,
        f"duplicate_payment:offline:{twice.number}": c.DUPLICATE_PAYMENT,
        f"unsettled:offline:{unpaid.number}": c.UNSETTLED,
        f"cross_period:offline:{early.number}": c.CROSS_PERIOD,
        f"duplicate_payment:offline:{gateway_order.number}": c.DUPLICATE_PAYMENT,
        "missing_order:offline:bank:ICBC-0001:S7": c.MISSING_ORDER,
    }
    mismatch = ReconciliationDifference.objects.get(category=c.AMOUNT_MISMATCH)
    assert (mismatch.expected_amount, mismatch.actual_amount, mismatch.detail["difference"]) == (
        Decimal("199.00"),
        Decimal("198.49"),
        "-0.51",
    )


@pytest.mark.parametrize(("credited", "differs"), [("199.50", False), ("198.50", False), ("199.51", True)])
def test_statement_amounts_use_the_same_tolerance(stocked, credited, differs):
    order = offline_order(manual_channel(), "MAN-1")
    _upload(statement_csv(f"2026-12-01,{credited},CNY,{order.number},,,S1"))

    reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)

    assert _found() == ({f"amount_mismatch:offline:{order.number}": c.AMOUNT_MISMATCH} if differs else {})


def test_an_offline_payment_on_the_next_days_statement_is_cross_period(stocked):
    order = offline_order(manual_channel(), "MAN-1", paid_at=at(hour=23, minute=50))
    _upload(statement_csv(f"2026-12-02,199.00,CNY,{order.number},,,S1"), day=DAY + timedelta(days=1))
    _upload(statement_csv("2026-12-01,5.00,CNY,OTHER,,,S9"), account="CMB-2")

    reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)

    assert _found()[f"cross_period:offline:{order.number}"] == c.CROSS_PERIOD


def test_a_gbk_bank_export_is_read(stocked):
    order = offline_order(manual_channel(), "MAN-1")
    export = "\r\n".join(
        [
            "账号:6222020200001234567",
            "户名:杭州茶叶有限公司",
            "交易日期,交易时间,收入金额,支出金额,余额,币种,对方户名,摘要,附言,交易流水号",
            f'20261201,101500,"1,99.00",,10199.00,人民币,王芳,转账,货款{order.number},HZ0001',
            "20261201,110000,,50.00,10149.00,人民币,快递费,转账,,HZ0002",
            "合计,,199.00,50.00,,,,,,",
        ]
    ).encode("gbk")

    outcome = _upload(export)

    assert (outcome.outcome, outcome.statement.file_format, outcome.statement.lines_count) == ("created", "bank_cn", 1)
    line = outcome.statement.lines.get()
    assert (line.amount, line.currency, line.payer, line.serial) == (Decimal("199.00"), "CNY", "王芳", "HZ0001")
    reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)
    assert _found() == {}
