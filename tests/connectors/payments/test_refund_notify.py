"""Refund notifies from the gateways, double-checked with a refund query before anything is recorded."""

from decimal import Decimal

import pytest

from commerce.outbox.models import OutboxEvent
from commerce.payments.models import Payment, PaymentRefund
from commerce.payments.services import payment_attempt_create
from commerce.refunds.models import RefundRequest
from commerce.refunds.services import RefundInput, refund_request
from connectors.base import InboundRequest
from connectors.models import WebhookDelivery
from connectors.payments.alipay.sandbox import REFUND_TIMEOUT, AlipaySimulator
from connectors.payments.refunds import refund_payout, refunds_payout_due
from connectors.payments.wechatpay.sandbox import WechatPaySimulator
from connectors.services.deliveries import delivery_receive
from tests.factories import TEST_ACTOR

from .conftest import sandbox_connection

pytestmark = pytest.mark.django_db


def _deliver(connection, call):
    return delivery_receive(
        connection=connection, request=InboundRequest(body=call.body, headers=call.headers, query={})
    )


def _refund(order, amount="30.00"):
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal(amount), reason="quality"), actor=TEST_ACTOR
    )
    assert refund.status == "approved"
    return refund


def test_an_alipay_refund_whose_answer_was_lost_is_confirmed_by_its_notify(alipay, alipay_payment, order):
    simulator = AlipaySimulator(alipay)
    _deliver(alipay, simulator.pay(alipay_payment.out_trade_no, "88.00"))
    refund = _refund(order)
    simulator.fault_set(REFUND_TIMEOUT)
    assert refund_payout(refund_id=refund.pk) == "pending"

    notify = simulator.notify(
        alipay_payment.out_trade_no, out_biz_no=refund.out_request_no, refund_fee="30.00", gmt_refund="2026-12-06"
    )
    _deliver(alipay, notify)

    assert RefundRequest.objects.get(pk=refund.pk).status == "refunded"
    assert PaymentRefund.objects.get().status == "succeeded"
    assert Payment.objects.get().refunded_amount == Decimal("30.00")
    assert refunds_payout_due()["paid"] == 0  # nothing left to pay
    assert len(simulator.refunds(alipay_payment.out_trade_no)) == 1
    assert OutboxEvent.objects.filter(name="refund.paid").count() == 1


def test_an_alipay_refund_notify_for_a_refund_orderflow_never_asked_changes_nothing(alipay, alipay_payment, order):
    simulator = AlipaySimulator(alipay)
    _deliver(alipay, simulator.pay(alipay_payment.out_trade_no, "88.00"))

    _deliver(alipay, simulator.notify(alipay_payment.out_trade_no, out_biz_no="RFQ999", refund_fee="1.00"))

    delivery = WebhookDelivery.objects.order_by("-id").first()
    assert delivery.outcome == "processed"
    assert delivery.result["effects"][0]["outcome"] == "unknown_refund"
    assert not PaymentRefund.objects.exists()


def test_a_wechat_refund_notification_delivered_three_times_records_the_refund_once(order):
    wechat = sandbox_connection("wechatpay")
    payment = payment_attempt_create(order_id=order.pk, gateway="wechatpay", actor=TEST_ACTOR, connection_id=wechat.pk)
    simulator = WechatPaySimulator(wechat)
    _deliver(wechat, simulator.pay(payment.out_trade_no, "88.00"))
    refund = _refund(order)
    assert refund_payout(refund_id=refund.pk) == "paid"

    call = simulator.refund_notify(refund.out_request_no)
    for _ in range(3):
        _deliver(wechat, call)

    assert RefundRequest.objects.get(pk=refund.pk).status == "refunded"
    assert PaymentRefund.objects.get().status == "succeeded"
    assert Payment.objects.get().refunded_amount == Decimal("30.00")
    assert OutboxEvent.objects.filter(name="refund.paid").count() == 1
    outcomes = sorted(WebhookDelivery.objects.filter(topic="REFUND.SUCCESS").values_list("outcome", flat=True))
    assert outcomes == ["duplicate", "duplicate", "processed"]


def test_a_forged_wechat_refund_notification_is_refused_before_anything(order):
    wechat = sandbox_connection("wechatpay")
    payment = payment_attempt_create(order_id=order.pk, gateway="wechatpay", actor=TEST_ACTOR, connection_id=wechat.pk)
    simulator = WechatPaySimulator(wechat)
    _deliver(wechat, simulator.pay(payment.out_trade_no, "88.00"))
    refund = _refund(order)
    refund_payout(refund_id=refund.pk)
    call = simulator.refund_notify(refund.out_request_no)
    forged = call.body.replace(b"REFUND.SUCCESS", b"REFUND.CLOSED")

    answer = delivery_receive(connection=wechat, request=InboundRequest(body=forged, headers=call.headers, query={}))

    assert getattr(answer, "status", 200) == 401
    assert not WebhookDelivery.objects.filter(topic="REFUND.CLOSED").exclude(outcome="rejected").exists()
