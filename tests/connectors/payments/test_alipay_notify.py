"""Alipay's notify end to end through ``/hooks/alipay/<id>/``: verify, dedup, double check, order paid."""

from decimal import Decimal
from urllib.parse import urlencode

from django.test import Client

from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.payments.models import Payment
from connectors.models import WebhookDelivery
from connectors.payments.alipay.sandbox import AlipaySimulator
from tests.connectors.conftest import VECTORS, vector

from .conftest import sandbox_connection

FORM = "application/x-www-form-urlencoded; charset=utf-8"
REAL = vector("alipay", "notify_vector_rsa2_sdk_nodejs.json")
SANDBOX_APP_KEY = (VECTORS / "alipay" / "fzlee_test_certs" / "app_private_key.pem").read_text()


def post(connection, body: bytes):
    return Client().post(f"/hooks/alipay/{connection.pk}/", data=body, content_type=FORM)


def test_a_notify_delivered_five_times_pays_the_order_once(alipay, alipay_payment):
    call = AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00")

    answers = [post(alipay, call.body) for _ in range(5)]

    assert [(a.status_code, a.content) for a in answers] == [(200, b"success")] * 5
    assert answers[0]["Content-Type"] == "text/plain"
    assert Order.objects.get().status == "paid"
    payment = Payment.objects.get()
    assert (payment.status, payment.confirmed_by, payment.paid_amount) == ("paid", "notify", Decimal("88.00"))
    assert payment.gateway_trade_no == AlipaySimulator(alipay).trade_data(payment.out_trade_no)["trade_no"]
    assert OutboxEvent.objects.filter(name="payment.received").count() == 1
    assert sorted(WebhookDelivery.objects.values_list("outcome", flat=True)) == ["duplicate"] * 4 + ["processed"]
    delivery = WebhookDelivery.objects.get(outcome="processed")
    assert delivery.topic == "trade_status_sync"
    assert delivery.result["effects"] == [
        {"key": "payment", "outcome": "paid", "out_trade_no": payment.out_trade_no, "gateway_status": "TRADE_SUCCESS"}
    ]


def test_a_notify_the_query_does_not_confirm_marks_nothing_paid(alipay, alipay_payment):
    simulator = AlipaySimulator(alipay)
    simulator.close(alipay_payment.out_trade_no, "88.00")
    # Signed with the gateway's key, but the trade is closed: only the query is believed.
    call = simulator.notify(alipay_payment.out_trade_no, trade_status="TRADE_SUCCESS", total_amount="88.00")

    answer = post(alipay, call.body)

    assert answer.content == b"success"
    assert Order.objects.get().status == "pending_payment"
    assert Payment.objects.get().status == "closed"
    assert OutboxEvent.objects.filter(name="payment.received").count() == 0
    assert WebhookDelivery.objects.get().result["effects"][0]["outcome"] == "not_paid"


def test_a_notify_naming_another_amount_than_the_query_marks_nothing_paid(alipay, alipay_payment):
    simulator = AlipaySimulator(alipay)
    simulator.pay(alipay_payment.out_trade_no, "88.00", drop_notify=True)
    call = simulator.notify(alipay_payment.out_trade_no, total_amount="0.01")

    post(alipay, call.body)

    assert Order.objects.get().status == "pending_payment"
    assert Payment.objects.get().status == "pending"
    assert WebhookDelivery.objects.get().result["effects"][0]["outcome"] == "query_disagrees"


def test_a_payment_of_another_amount_than_the_total_holds_the_order(alipay, alipay_payment):
    call = AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "80.00")

    post(alipay, call.body)

    order = Order.objects.get()
    assert (order.status, order.on_hold) == ("pending_payment", True)
    assert "took 80.00 CNY but the order's total is 88.00 CNY" in order.hold_reason
    assert Payment.objects.get().status == "mismatched"
    assert OutboxEvent.objects.filter(name="order.held").count() == 1
    assert OutboxEvent.objects.filter(name="payment.received").count() == 0


def test_the_real_alipay_notify_is_verified_and_acknowledged(db):
    connection = sandbox_connection(
        "alipay",
        app_id=REAL["params"]["app_id"],
        app_private_key=SANDBOX_APP_KEY,
        alipay_public_key=REAL["alipay_public_key_base64_der_spki"],
    )

    answer = post(connection, urlencode(REAL["params"]).encode())

    assert (answer.status_code, answer.content) == (200, b"success")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.verified, delivery.dedup_key) == (True, REAL["params"]["notify_id"])
    # The double check asks the simulated gateway, whose answers are signed with the test key that
    # this connection's (real) Alipay key does not verify: the answer is not believed, nothing is paid.
    assert delivery.outcome == "failed"
    assert delivery.error.startswith("payment: gateway_unreachable")


def test_one_byte_tampered_notifies_are_401_kept_as_rejected_and_change_nothing(alipay, alipay_payment):
    call = AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00")
    body = call.body
    amount = body.replace(b"total_amount=88.00", b"total_amount=88.01")
    at = body.index(b"sign=") + 5
    sign = body[:at] + (b"A" if body[at : at + 1] != b"A" else b"B") + body[at + 1 :]
    wrong_key = sandbox_connection(
        "alipay",
        "another key",
        app_id="2021000000000000",
        app_private_key=SANDBOX_APP_KEY,
        alipay_public_key=(VECTORS / "alipay" / "fzlee_test_certs" / "app_public_key.pem").read_text(),
    )

    answers = [post(alipay, amount), post(alipay, sign), post(wrong_key, body)]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert {a.json()["code"] for a in answers} == {"bad_signature"}
    assert list(WebhookDelivery.objects.values_list("outcome", flat=True)) == ["rejected"] * 3
    assert Order.objects.get().status == "pending_payment"
    assert OutboxEvent.objects.filter(name="payment.received").count() == 0


def test_bad_input_is_refused_and_changes_nothing(alipay, alipay_payment, settings):
    settings.ORDERFLOW_CONNECTOR_WEBHOOK_MAX_BYTES = 4096
    good = AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00").body

    answers = [
        post(alipay, b""),
        post(alipay, b"\xff\xfe not utf-8"),
        post(alipay, b"a=1&&&=b"),
        post(alipay, good + b"&total_amount=1.00"),
        post(alipay, good.replace(b"sign=", b"nosign=")),
        post(alipay, good + b"&pad=" + b"x" * 5000),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400, 400, 401, 413]
    assert Order.objects.get().status == "pending_payment"
    assert set(WebhookDelivery.objects.values_list("outcome", flat=True)) == {"rejected"}
