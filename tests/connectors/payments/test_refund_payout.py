"""Approved refund requests paid out through the order's gateway sandbox: once, whatever retries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.payments.models import Payment, PaymentRefund
from commerce.refunds.models import RefundRequest
from commerce.refunds.services import RefundInput, refund_request, refund_retry
from connectors.base import InboundRequest
from connectors.payments.alipay.sandbox import REFUND_TIMEOUT, AlipaySimulator
from connectors.payments.refunds import refund_payout, refunds_payout_due
from connectors.services.deliveries import delivery_receive
from tests.factories import TEST_ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(alipay, alipay_payment, order):
    call = AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00")
    delivery_receive(connection=alipay, request=InboundRequest(body=call.body, headers=call.headers, query={}))
    assert Order.objects.get().status == "paid"
    return alipay_payment


def _approved(order, amount="30.00"):
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal(amount), reason="damaged_in_transit"), actor=TEST_ACTOR
    )
    assert refund.status == "approved"
    return refund


def test_an_approved_refund_is_paid_through_the_gateway_with_its_own_key(alipay, paid, order):
    refund = _approved(order)

    assert refunds_payout_due() == {"paid": 1, "failed": 0, "pending": 0, "skipped": 0}

    refund.refresh_from_db()
    assert (refund.status, refund.paid_at is not None) == ("refunded", True)
    simulator = AlipaySimulator(alipay)
    assert [r["out_request_no"] for r in simulator.refunds(paid.out_trade_no)] == [f"RFQ{refund.pk}"]
    assert simulator.trade_data(paid.out_trade_no)["refunded"] == "30.00"
    assert Payment.objects.get().refunded_amount == Decimal("30.00")
    assert list(OutboxEvent.objects.filter(name="refund.paid").values_list("subject_id", flat=True)) == [str(refund.pk)]
    assert refunds_payout_due() == {"paid": 0, "failed": 0, "pending": 0, "skipped": 0}  # nothing left


def test_a_payout_that_times_out_is_sent_again_with_the_same_key_and_pays_once(alipay, paid, order):
    refund = _approved(order)
    simulator = AlipaySimulator(alipay)
    simulator.fault_set(REFUND_TIMEOUT)

    assert refund_payout(refund_id=refund.pk) == "pending"
    assert RefundRequest.objects.get(pk=refund.pk).status == "refunding"
    assert refunds_payout_due() == {"paid": 0, "failed": 0, "pending": 0, "skipped": 0}  # not stuck yet
    RefundRequest.objects.filter(pk=refund.pk).update(updated_at=timezone.now() - timedelta(minutes=3))

    assert refunds_payout_due()["paid"] == 1
    assert refund_payout(refund_id=refund.pk) == "skipped"  # a late duplicate run

    assert RefundRequest.objects.get(pk=refund.pk).status == "refunded"
    assert [r["out_request_no"] for r in simulator.refunds(paid.out_trade_no)] == [f"RFQ{refund.pk}"]
    assert simulator.trade_data(paid.out_trade_no)["refunded"] == "30.00"
    assert PaymentRefund.objects.get().status == "succeeded"
    assert OutboxEvent.objects.filter(name="refund.paid").count() == 1


def test_a_refused_payout_fails_with_the_gateways_message_and_is_retried_with_the_same_key(alipay, paid, order):
    refund = _approved(order)
    simulator = AlipaySimulator(alipay)
    simulator.close(paid.out_trade_no, "88.00")  # the trade was closed at the gateway: it refuses refunds

    assert refund_payout(refund_id=refund.pk) == "failed"
    failed = RefundRequest.objects.get(pk=refund.pk)
    assert failed.status == "failed" and failed.failure
    assert OutboxEvent.objects.filter(name="refund.failed").count() == 1

    refund_retry(refund_id=refund.pk, actor=TEST_ACTOR)
    assert RefundRequest.objects.get(pk=refund.pk).status == "approved"
    refund_payout(refund_id=refund.pk)
    assert PaymentRefund.objects.get().out_request_no == f"RFQ{refund.pk}"  # still one request, one key
