"""WeChat Pay v3: the real and synthetic notify vectors, probes, the window, and the paths end to end."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.payments.models import Payment, PaymentRefund
from commerce.payments.services import payment_attempt_create
from connectors.models import WebhookDelivery
from connectors.payments.actions import PaymentRefund as RefundAction
from connectors.payments.sweep import payments_sweep
from connectors.payments.wechatpay import signing
from connectors.payments.wechatpay.manifest import CONNECTOR
from connectors.payments.wechatpay.sandbox import REFUND_TIMEOUT, SANDBOX_CREDENTIALS, WechatPaySimulator
from runtime.actions.base import ActionRun
from runtime.errors import RetryableFailure
from tests.connectors.conftest import VECTORS, vector
from tests.factories import TEST_ACTOR

from .conftest import sandbox_connection

REAL = vector("wechatpay", "notify_vector_wechatpay_go.json")
SYNTHETIC = vector("wechatpay", "notify_synthetic_transaction_success.json")
AES = vector("wechatpay", "aesgcm_vector_wechatpay_go.json")
SYNTHETIC_KEY = (VECTORS / "wechatpay" / "synthetic_platform_public_key_TESTONLY.pem").read_text()


def _meta(headers: dict) -> dict:
    return {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}


def post(connection, body: bytes, headers: dict):
    return Client().post(
        f"/hooks/wechatpay/{connection.pk}/", data=body, content_type="application/json", **_meta(headers)
    )


@pytest.fixture
def clock(monkeypatch):
    def pin(at: float):
        monkeypatch.setattr(CONNECTOR.inbound, "clock", lambda: at)

    return pin


@pytest.fixture
def wechat(db):
    return sandbox_connection("wechatpay")


@pytest.fixture
def wechat_payment(order, wechat):
    return payment_attempt_create(order_id=order.pk, gateway="wechatpay", actor=TEST_ACTOR, connection_id=wechat.pk)


def test_the_real_notify_verifies_and_decrypts_with_its_16_byte_key():
    key = signing.public_key(REAL["wechatpay_platform_certificate_pem"])
    headers = REAL["headers"]
    body = REAL["body"].encode()
    resource = json.loads(body)["resource"]

    assert signing.verify(
        key,
        signing.message(headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body),
        headers["Wechatpay-Signature"],
    )
    plain = signing.decrypt(REAL["apiv3_key"], resource["nonce"], resource["ciphertext"], resource["associated_data"])
    assert plain.decode() == REAL["expected_plaintext"]
    assert signing.decrypt(AES["apiv3_key"], AES["nonce"], AES["ciphertext"], AES["associated_data"]) == b"Hello World"


def test_the_synthetic_notify_verifies_and_decrypts_with_a_32_byte_key():
    headers = SYNTHETIC["headers"]
    body = SYNTHETIC["body"].encode()
    resource = json.loads(body)["resource"]

    assert signing.verify(
        signing.public_key(SYNTHETIC_KEY),
        signing.message(headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body),
        headers["Wechatpay-Signature"],
    )
    plain = signing.decrypt(SYNTHETIC["apiv3_key"], resource["nonce"], resource["ciphertext"], "transaction")
    assert plain.decode() == SYNTHETIC["expected_plaintext"]
    with pytest.raises(signing.Undecryptable):
        signing.decrypt(SYNTHETIC["apiv3_key"][:-1] + "X", resource["nonce"], resource["ciphertext"], "transaction")


def test_the_real_notify_end_to_end_is_acknowledged_and_kept(db, clock):
    connection = sandbox_connection(
        "wechatpay",
        "real vector",
        **{
            **SANDBOX_CREDENTIALS,
            "apiv3_key": REAL["apiv3_key"],
            "platform_public_key": REAL["wechatpay_platform_certificate_pem"],
            "platform_serial": REAL["headers"]["Wechatpay-Serial"],
        },
    )
    clock(int(REAL["headers"]["Wechatpay-Timestamp"]) + 10)

    answer = post(connection, REAL["body"].encode(), REAL["headers"])

    assert (answer.status_code, answer.json()) == (200, {"code": "SUCCESS", "message": "成功"})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.topic) == ("ignored", "PAYSCORE.USER_OPEN_SERVICE")
    assert delivery.dedup_key == "3119dfba-e649-5eec-ab1e-3412bc4d2e17"


def test_tampered_probed_stale_or_mistyped_notifies_are_refused_and_kept(wechat, clock):
    clock(int(SYNTHETIC["headers"]["Wechatpay-Timestamp"]))
    headers = dict(SYNTHETIC["headers"])
    body = SYNTHETIC["body"].encode()
    sign = headers["Wechatpay-Signature"]

    answers = [
        post(wechat, body.replace(b"EV-2018", b"EV-2019"), headers),
        post(wechat, body, {**headers, "Wechatpay-Signature": ("A" if sign[0] != "A" else "B") + sign[1:]}),
        post(wechat, body, {**headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + sign}),
        post(wechat, body, {**headers, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA1024"}),
        post(wechat, body, {**headers, "Wechatpay-Timestamp": str(int(headers["Wechatpay-Timestamp"]) - 300)}),
        post(wechat, b"{not json", headers),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401, 401, 401, 401]
    assert [a.json()["code"] for a in answers] == [
        "bad_signature",
        "bad_signature",
        "signature_probe",
        "bad_signature",
        "stale",
        "bad_signature",
    ]
    assert set(WebhookDelivery.objects.values_list("outcome", flat=True)) == {"rejected"}


def test_the_synthetic_notify_outside_its_window_is_stale(wechat, clock):
    stamp = int(SYNTHETIC["headers"]["Wechatpay-Timestamp"])
    clock(stamp + 299)
    inside = post(wechat, SYNTHETIC["body"].encode(), SYNTHETIC["headers"])
    clock(stamp + 301)
    outside = post(wechat, SYNTHETIC["body"].encode(), {**SYNTHETIC["headers"]})

    assert inside.status_code == 200  # verified; its out_trade_no is no attempt of ours: nothing paid
    assert (outside.status_code, outside.json()["code"]) == (401, "stale")


def test_a_notification_delivered_five_times_pays_once_after_the_query(wechat, wechat_payment):
    call = WechatPaySimulator(wechat).pay(wechat_payment.out_trade_no, "88.00")

    answers = [post(wechat, call.body, dict(call.headers)) for _ in range(5)]

    assert {a.status_code for a in answers} == {200}
    assert Order.objects.get().status == "paid"
    assert Payment.objects.get().status == "paid"
    assert OutboxEvent.objects.filter(name="payment.received").count() == 1
    assert sorted(WebhookDelivery.objects.values_list("outcome", flat=True)) == ["duplicate"] * 4 + ["processed"]


def test_a_probe_from_the_simulator_is_refused(wechat):
    call = WechatPaySimulator(wechat).probe()

    answer = post(wechat, call.body, dict(call.headers))

    assert (answer.status_code, answer.json()["code"]) == (401, "signature_probe")
    assert WebhookDelivery.objects.get().outcome == "rejected"


def test_a_notification_the_query_does_not_confirm_pays_nothing(wechat, wechat_payment):
    simulator = WechatPaySimulator(wechat)
    simulator.pay(wechat_payment.out_trade_no, "88.00", drop_notify=True)
    call = simulator.notify(wechat_payment.out_trade_no, amount={"total": 1, "currency": "CNY"})

    post(wechat, call.body, dict(call.headers))

    assert Order.objects.get().status == "pending_payment"
    assert WebhookDelivery.objects.get().result["effects"][0]["outcome"] == "query_disagrees"


def test_a_lost_notification_is_repaired_by_one_sweep(wechat, wechat_payment):
    WechatPaySimulator(wechat).pay(wechat_payment.out_trade_no, "88.00", drop_notify=True)

    sweep = payments_sweep(now=timezone.now() + timezone.timedelta(minutes=6))

    assert (sweep.checked, sweep.repaired) == (1, 1)
    assert Order.objects.get().status == "paid"


def test_a_refund_retried_after_a_timeout_sends_the_same_out_refund_no_and_moves_money_once(
    wechat, wechat_payment, order
):
    simulator = WechatPaySimulator(wechat)
    call = simulator.pay(wechat_payment.out_trade_no, "88.00")
    post(wechat, call.body, dict(call.headers))
    simulator.fault_set(REFUND_TIMEOUT)
    run = ActionRun(
        execution_id=7,
        node_id="refund",
        key="7:refund",
        actor=TEST_ACTOR,
        context={"order": {"id": order.pk}},
        now=timezone.now(),
    )

    with pytest.raises(RetryableFailure):
        RefundAction().perform({"amount": 88}, run)
    output = RefundAction().perform({"amount": 88}, run)

    assert output["status"] == "succeeded"
    assert [r["out_refund_no"] for r in simulator.refunds()] == [output["out_request_no"]]
    assert simulator.trade_data(wechat_payment.out_trade_no)["refunded"] == 8800
    assert PaymentRefund.objects.get().status == "succeeded"
    assert Payment.objects.get().status == "refunded"


def test_a_confirmed_payment_keeps_the_payers_openid_under_the_trades_appid(wechat, wechat_payment, order):
    from commerce.customers.models import CustomerWechatIdentity

    call = WechatPaySimulator(wechat).pay(
        wechat_payment.out_trade_no, "88.00", appid="wx0rderf10wsandbox", openid="oSrvAcct0000000000000000001"
    )

    for _ in range(2):  # a repeated notify keeps one row
        post(wechat, call.body, dict(call.headers))

    identity = CustomerWechatIdentity.objects.get()
    assert (identity.customer_id, identity.appid, identity.openid, identity.source) == (
        order.customer_id,
        "wx0rderf10wsandbox",
        "oSrvAcct0000000000000000001",
        "wechatpay",
    )


def test_a_notify_the_query_does_not_confirm_keeps_no_openid(wechat, wechat_payment):
    from commerce.customers.models import CustomerWechatIdentity

    simulator = WechatPaySimulator(wechat)
    simulator.pay(wechat_payment.out_trade_no, "88.00", drop_notify=True)
    call = simulator.notify(wechat_payment.out_trade_no, amount={"total": 1, "currency": "CNY"})

    post(wechat, call.body, dict(call.headers))

    assert not CustomerWechatIdentity.objects.exists()


def test_an_openid_not_in_wechats_form_never_fails_the_payment(wechat, wechat_payment):
    from commerce.customers.models import CustomerWechatIdentity

    call = WechatPaySimulator(wechat).pay(wechat_payment.out_trade_no, "88.00", openid="<script>")

    answer = post(wechat, call.body, dict(call.headers))

    assert answer.status_code == 200
    assert Order.objects.get().status == "paid"
    assert not CustomerWechatIdentity.objects.exists()
