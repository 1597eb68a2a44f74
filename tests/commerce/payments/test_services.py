"""Payment attempts, confirmations and refunds through the order centre."""

from decimal import Decimal

import pytest

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.payments.errors import RefundExceedsPayment, UnknownPayment
from commerce.payments.models import Payment, PaymentRefund
from commerce.payments.services import (
    ALREADY_CONFIRMED,
    MISMATCHED,
    PAID_TWICE,
    payment_attempt_create,
    payment_confirm,
    payment_refund_record,
    payment_refund_settle,
)
from tests.factories import TEST_ACTOR, ChannelFactory, ProductFactory, StockItemFactory, create_order


@pytest.fixture
def order(db):
    channel = ChannelFactory(code="own")
    ProductFactory(sku="TEA-001", price=Decimal("88.00"))
    StockItemFactory(sku="TEA-001", on_hand=10)
    return create_order(channel)


def _confirm(payment, amount="88.00", **extra):
    return payment_confirm(
        out_trade_no=payment.out_trade_no,
        gateway_trade_no="2024050122001400000000000001",
        amount=Decimal(amount),
        paid_at=None,
        actor=TEST_ACTOR,
        source="notify",
        **extra,
    )


def test_an_attempt_is_numbered_after_the_order(order):
    first = payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)
    second = payment_attempt_create(order_id=order.pk, gateway="wechatpay", actor=TEST_ACTOR, connection_id=7)

    assert first.out_trade_no == f"{order.number}-1"
    assert second.out_trade_no == f"{order.number}-2"
    assert (second.amount, second.currency, second.status, second.connection_id) == (
        Decimal("88.00"),
        "CNY",
        "pending",
        7,
    )
    assert len(second.out_trade_no) <= 32


def test_a_matching_confirmation_pays_the_order_once(order):
    payment = payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)

    outcomes = [_confirm(payment, notification={"n": i}).outcome for i in range(3)]

    assert outcomes == ["paid", ALREADY_CONFIRMED, ALREADY_CONFIRMED]
    assert Order.objects.get(pk=order.pk).status == "paid"
    payment.refresh_from_db()
    assert payment.status == "paid"
    assert payment.paid_amount == Decimal("88.00")
    assert payment.notifications == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert OutboxEvent.objects.filter(name="payment.received").count() == 1


def test_an_amount_other_than_the_total_holds_the_order_with_the_reason(order):
    payment = payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)

    result = _confirm(payment, amount="80.00")

    assert result.outcome == MISMATCHED
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert order.on_hold is True
    assert order.hold_reason == (
        f"payment {payment.out_trade_no}: the gateway took 80.00 CNY but the order's total is 88.00 CNY "
        "— refund or collect the difference, then release"
    )
    assert Payment.objects.get().status == "mismatched"
    assert OutboxEvent.objects.filter(name="payment.received").count() == 0
    assert AuditEntry.objects.filter(action="payment_mismatched").count() == 1


def test_an_unknown_trade_number_is_refused(order):
    with pytest.raises(UnknownPayment):
        payment_confirm(
            out_trade_no="nope", gateway_trade_no="x", amount=Decimal("1"), paid_at=None, actor=TEST_ACTOR, source="t"
        )


def test_a_refund_is_recorded_once_per_request_number_and_never_past_the_payment(order):
    payment = payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)
    _confirm(payment)

    first = payment_refund_record(
        payment_id=payment.pk, out_request_no="RF-1", amount=Decimal("50.00"), reason="damaged", actor=TEST_ACTOR
    )
    again = payment_refund_record(
        payment_id=payment.pk, out_request_no="RF-1", amount=Decimal("50.00"), reason="damaged", actor=TEST_ACTOR
    )
    with pytest.raises(RefundExceedsPayment):
        payment_refund_record(
            payment_id=payment.pk, out_request_no="RF-2", amount=Decimal("38.01"), reason="", actor=TEST_ACTOR
        )
    payment_refund_settle(out_request_no="RF-1", succeeded=True, gateway_refund_id="R1", actor=TEST_ACTOR)
    payment_refund_settle(out_request_no="RF-1", succeeded=True, gateway_refund_id="R1", actor=TEST_ACTOR)

    assert first.pk == again.pk
    assert PaymentRefund.objects.get().status == "succeeded"
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.status) == (Decimal("50.00"), "refunded_partially")


def test_a_second_paid_attempt_holds_the_order_for_a_refund_and_records_the_payment_once(order):
    first = payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)
    second = payment_attempt_create(order_id=order.pk, gateway="wechatpay", actor=TEST_ACTOR)
    _confirm(first)

    twice = _confirm(second)

    assert twice.outcome == PAID_TWICE
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["paid", "paid"]
    order.refresh_from_db()
    assert (order.status, order.on_hold) == ("paid", True)
    assert order.hold_reason == f"paid twice ({first.out_trade_no} and {second.out_trade_no}) — refund one of them"
    assert OutboxEvent.objects.filter(name="payment.received").count() == 1
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="payment_duplicated").count() == 1
    assert _confirm(second).outcome == ALREADY_CONFIRMED
