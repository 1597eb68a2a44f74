"""``payment.query`` and ``payment.refund``: a missed payment repaired, a retried refund paid once."""

import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.payments.models import Payment, PaymentRefund
from connectors.base import InboundRequest
from connectors.payments.actions import PaymentQuery, refund_request_no
from connectors.payments.actions import PaymentRefund as RefundAction
from connectors.payments.alipay.sandbox import REFUND_TIMEOUT, AlipaySimulator
from connectors.services.deliveries import delivery_receive
from runtime.actions import handler_for
from runtime.actions.base import ActionRun
from runtime.errors import RetryableFailure, TerminalFailure
from tests.factories import TEST_ACTOR


def _run(order, execution_id=41, node_id="refund-node"):
    return ActionRun(
        execution_id=execution_id,
        node_id=node_id,
        key=f"{execution_id}:{node_id}",
        actor=TEST_ACTOR,
        context={"order": {"id": order.pk}},
        now=timezone.now(),
    )


def _paid(alipay, payment):
    call = AlipaySimulator(alipay).pay(payment.out_trade_no, "88.00")
    delivery_receive(connection=alipay, request=InboundRequest(body=call.body, headers=call.headers, query={}))
    assert Order.objects.get().status == "paid"


def test_both_actions_are_registered():
    assert isinstance(handler_for("payment.query"), PaymentQuery)
    assert isinstance(handler_for("payment.refund"), RefundAction)


def test_query_repairs_a_payment_whose_notify_was_lost(alipay, alipay_payment, order):
    AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00", drop_notify=True)

    output = PaymentQuery().perform({}, _run(order))

    assert output == {"out_trade_no": alipay_payment.out_trade_no, "gateway_status": "TRADE_SUCCESS", "outcome": "paid"}
    assert Order.objects.get().status == "paid"
    assert Payment.objects.get().confirmed_by == "query"


def test_a_refund_retried_after_a_timeout_sends_the_same_key_and_moves_money_once(alipay, alipay_payment, order):
    _paid(alipay, alipay_payment)
    simulator = AlipaySimulator(alipay)
    simulator.fault_set(REFUND_TIMEOUT)
    run = _run(order)

    with pytest.raises(RetryableFailure) as timed_out:
        RefundAction().perform({"amount": "30.00", "reason": "破损"}, run)
    output = RefundAction().perform({"amount": "30.00", "reason": "破损"}, run)  # the runner's retry
    again = RefundAction().perform({"amount": "30.00", "reason": "破损"}, run)  # a replay after success

    assert timed_out.value.code == "timeout"
    key = refund_request_no(run)
    assert key == "RF41-" + hashlib.sha256(b"refund-node").hexdigest()[:12]
    assert output == {"out_request_no": key, "amount": "30.00", "status": "succeeded"}
    assert again == output
    assert [r["out_request_no"] for r in simulator.refunds(alipay_payment.out_trade_no)] == [key]
    assert simulator.trade_data(alipay_payment.out_trade_no)["refunded"] == "30.00"
    refund = PaymentRefund.objects.get()
    assert (refund.out_request_no, refund.status, refund.amount) == (key, "succeeded", Decimal("30.00"))
    payment = Payment.objects.get()
    assert (payment.status, payment.refunded_amount) == ("refunded_partially", Decimal("30.00"))


def test_a_refund_past_the_payment_fails_without_calling_the_gateway(alipay, alipay_payment, order):
    _paid(alipay, alipay_payment)

    with pytest.raises(TerminalFailure) as refused:
        RefundAction().perform({"amount": "88.01"}, _run(order))

    assert refused.value.code == "refund_exceeds_payment"
    assert AlipaySimulator(alipay).refunds(alipay_payment.out_trade_no) == []


def test_a_refund_of_an_unpaid_order_is_terminal(alipay, alipay_payment, order):
    with pytest.raises(TerminalFailure) as refused:
        RefundAction().perform({"amount": "1.00"}, _run(order))

    assert refused.value.code == "no_payment"
