"""The payment verification robot: a lost callback is repaired within one sweep."""

from datetime import timedelta

from django.utils import timezone

from commerce.inbox.models import Notification
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.payments.models import Payment, PaymentSweep
from commerce.payments.services import payment_attempt_create
from connectors.payments.alipay.sandbox import AlipaySimulator
from connectors.payments.sweep import payments_sweep
from connectors.payments.tasks import payments_sweep_task
from connectors.sandbox import sandbox_outage_set
from orderflow.schedules.services import SCHEDULES
from tests.connectors.payments.conftest import sandbox_connection
from tests.factories import TEST_ACTOR, create_order

LATER = timedelta(minutes=6)


def test_a_payment_whose_notify_was_lost_is_found_by_one_sweep(alipay, alipay_payment):
    assert AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00", drop_notify=True) is None

    sweep = payments_sweep(now=timezone.now() + LATER)

    assert Order.objects.get().status == "paid"
    payment = Payment.objects.get()
    assert (payment.status, payment.confirmed_by) == ("paid", "sweep")
    assert (sweep.checked, sweep.repaired, sweep.unreachable, sweep.errors, sweep.unconfirmed) == (1, 1, 0, 0, 0)
    assert OutboxEvent.objects.filter(name="payment.received").count() == 1
    assert payments_sweep(now=timezone.now() + LATER).checked == 0  # nothing left to verify


def test_a_young_attempt_is_left_to_its_notify(alipay, alipay_payment):
    AlipaySimulator(alipay).pay(alipay_payment.out_trade_no, "88.00", drop_notify=True)

    assert payments_sweep().checked == 0
    assert Order.objects.get().status == "pending_payment"


def test_an_unpaid_attempt_is_counted_and_an_unreachable_gateway_recorded(alipay, alipay_payment, settings):
    settings.ORDERFLOW_PAYMENT_SWEEP_CLAIM_SECONDS = 0  # the sweeps below run a minute apart
    first = payments_sweep(now=timezone.now() + LATER)  # the gateway has no such trade yet
    sandbox_outage_set(alipay, down=True)
    second = payments_sweep(now=timezone.now() + LATER)

    assert (first.checked, first.repaired, first.unreachable, first.unconfirmed) == (1, 0, 0, 1)
    assert (second.checked, second.repaired, second.unreachable, second.unconfirmed) == (1, 0, 1, 1)
    payment = Payment.objects.get()
    assert (payment.status, payment.check_attempts) == ("pending", 1)
    assert payment.last_checked_at is not None
    assert PaymentSweep.objects.count() == 2


def test_finance_is_alerted_once_an_hour_when_too_many_attempts_wait(alipay, alipay_payment, settings):
    settings.ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT = 0

    first = payments_sweep(now=timezone.now() + LATER)
    second = payments_sweep(now=timezone.now() + LATER)

    assert (first.alerted, second.alerted) == (True, False)
    note = Notification.objects.get()
    assert note.to_role == "finance"
    assert "1 payments still unconfirmed" in note.title


def test_the_sweep_is_scheduled_every_minute(db):
    spec = next(spec for spec in SCHEDULES if spec.name == "payments.sweep")

    assert (spec.func, spec.minutes) == ("connectors.payments.tasks.payments_sweep_task", 1)
    assert payments_sweep_task()["checked"] == 0


def test_an_attempt_without_a_gateway_connection_is_an_error(order):
    payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)
    create_order(order.channel, external_id="E-2")

    sweep = payments_sweep(now=timezone.now() + LATER)

    assert (sweep.checked, sweep.errors) == (1, 1)
    assert sweep.details == [{"out_trade_no": Payment.objects.get().out_trade_no, "outcome": "no_connection"}]


def test_overlapping_sweeps_ask_the_gateway_about_an_attempt_once(alipay, alipay_payment, settings):
    first = payments_sweep(now=timezone.now() + LATER)
    overlapping = payments_sweep(now=timezone.now() + LATER)  # started while the first still ran
    settings.ORDERFLOW_PAYMENT_SWEEP_CLAIM_SECONDS = 0  # as if the hold had passed: the next minute
    next_minute = payments_sweep(now=timezone.now() + LATER)

    assert (first.checked, overlapping.checked, next_minute.checked) == (1, 0, 1)
    assert Payment.objects.get().check_attempts == 2


def test_a_gateway_that_is_down_is_asked_once_a_run_and_the_rest_wait_unclaimed(alipay, alipay_payment, settings):
    settings.ORDERFLOW_PAYMENT_SWEEP_CLAIM_SECONDS = 0
    channel = alipay_payment.order.channel
    waiting = [
        payment_attempt_create(
            order_id=create_order(channel, external_id=f"E-{i}").pk,
            gateway="alipay",
            actor=TEST_ACTOR,
            connection_id=alipay.pk,
        )
        for i in range(3)
    ]
    other = sandbox_connection("alipay", name="another Alipay app")
    elsewhere = payment_attempt_create(
        order_id=create_order(channel, external_id="E-other").pk,
        gateway="alipay",
        actor=TEST_ACTOR,
        connection_id=other.pk,
    )
    AlipaySimulator(other).pay(elsewhere.out_trade_no, "88.00", drop_notify=True)
    sandbox_outage_set(alipay, down=True)

    sweep = payments_sweep(now=timezone.now() + LATER)

    assert (sweep.checked, sweep.repaired, sweep.unreachable, sweep.errors) == (2, 1, 4, 0)
    outcomes = {d["out_trade_no"]: d["outcome"] for d in sweep.details}
    assert outcomes[alipay_payment.out_trade_no] == "unreachable"
    assert [outcomes[p.out_trade_no] for p in waiting] == ["not_asked"] * 3
    assert outcomes[elsewhere.out_trade_no] == "paid"
    claimed = dict(Payment.objects.values_list("out_trade_no", "last_checked_at"))
    assert [claimed[p.out_trade_no] for p in waiting] == [None] * 3  # not claimed: the next run asks
    assert claimed[alipay_payment.out_trade_no] is not None

    sandbox_outage_set(alipay, down=False)
    after = payments_sweep(now=timezone.now() + LATER)

    assert (after.checked, after.unreachable) == (4, 0)


def test_an_answer_about_one_attempt_does_not_stop_the_others(alipay, alipay_payment, settings, monkeypatch):
    """A refusal that names the request (a platform's own error code) is that attempt's alone: the
    connection's other attempts are still asked."""
    from connectors.base import ProviderError
    from connectors.payments.alipay import client as alipay_client

    channel = alipay_payment.order.channel
    second = payment_attempt_create(
        order_id=create_order(channel, external_id="E-2").pk,
        gateway="alipay",
        actor=TEST_ACTOR,
        connection_id=alipay.pk,
    )
    asked = []

    def trade(self, out_trade_no):
        asked.append(out_trade_no)
        raise ProviderError(
            "Alipay refused alipay.trade.query: invalid parameter", retryable=False, code="ACQ.INVALID_PARAMETER"
        )

    monkeypatch.setattr(alipay_client.AlipayClient, "trade", trade)

    sweep = payments_sweep(now=timezone.now() + LATER)

    assert asked == [alipay_payment.out_trade_no, second.out_trade_no]
    assert (sweep.checked, sweep.unreachable) == (2, 2)
