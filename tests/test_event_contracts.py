"""Every available event, emitted by its real service, carries exactly the context the catalog declares.

For each event the catalog offers as available (``builder.events``, ``EventSpec.unavailable`` unset)
an emitter below drives the commerce service that emits it; the context the runtime builds from
each outbox event (``runtime.dispatch.event_context`` plus ``steps``, as the engine runs it) must
validate against that event's declared context schema. Declaring an event available without an
emitter here fails ``test_each_available_event_is_emitted_and_fits_its_declared_context``; a
service that emits an event still declared unavailable fails it too.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from builder.events import EVENTS, event_context_schema
from commerce.inventory.models import StockItem
from commerce.orders import services as order_services
from commerce.orders.expiry import order_payment_record, orders_expire_unpaid
from commerce.orders.models import Order
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from commerce.shipments.services import TrackingInput, shipment_create, shipments_stalled_check, tracking_events_apply
from runtime.dispatch import event_context, outbox_drain
from runtime.models import Execution
from tests.factories import TEST_ACTOR, create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db

AVAILABLE = [spec.name for spec in EVENTS.values() if spec.available]


def _order(channel) -> Order:
    return create_order(channel, lines=(("TEA-001", 2),))


def _pay(channel) -> Order:
    order = _order(channel)
    order_services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR, reason="payment received")
    return order


def _cancel(channel) -> None:
    order = _order(channel)
    order_services.order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR, reason="buyer asked")


def _hold(channel) -> None:
    order_services.order_hold(order_id=_pay(channel).pk, reason="address check", actor=TEST_ACTOR)


def _payment(channel) -> None:
    order_payment_record(order_id=_order(channel).pk, actor=TEST_ACTOR)


def _low_stock(channel) -> None:
    StockItem.objects.update(safety_stock=99)  # 100 on hand: reserving 2 leaves 98 available, below 99
    create_order(channel, lines=(("TEA-001", 2),))


def _expire(channel) -> None:
    _order(channel)
    assert orders_expire_unpaid(now=timezone.now() + timedelta(minutes=16)) == 1


def _shipment(channel) -> Order:
    order = _pay(channel)
    shipment_create(order_id=order.pk, courier="kuaidi100", carrier="yuantong", tracking_no="YT1", actor=TEST_ACTOR)
    return order


def _track(channel, *statuses: str) -> None:
    _shipment(channel)
    start = timezone.now() - timedelta(hours=len(statuses))
    events = [
        TrackingInput(occurred_at=start + timedelta(hours=n), status=status, code=str(n), description=status)
        for n, status in enumerate(statuses)
    ]
    tracking_events_apply(courier="kuaidi100", tracking_no="YT1", events=events, actor=TEST_ACTOR, source="tests")


def _notification_failed(channel) -> None:
    from connectors.notify.channels import OutgoingMessage
    from connectors.notify.services import notification_send
    from connectors.services.connections import ConnectionInput, connection_create

    sms = connection_create(
        data=ConnectionInput(connector="aliyun_sms", name="短信", credentials={}, settings={}, sandbox=True)
    )
    order = _order(channel)
    log = notification_send(
        connection=sms,
        message=OutgoingMessage(recipient="12345", template="SMS_1"),  # not a mobile number: refused for good
        idempotency_key="contract",
        order_id=order.pk,
        actor=TEST_ACTOR,
    )
    assert log.status == "dead"


def _refund(channel, *, amount: str = "30.00"):
    from decimal import Decimal

    from commerce.refunds.services import RefundInput, refund_request
    from tests.factories import pay_through_gateway

    order = _order(channel)
    pay_through_gateway(order)
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal(amount), reason="quality"), actor=TEST_ACTOR
    )
    return refund


def _refund_rejected(channel) -> None:
    from commerce.refunds.services import refund_reject
    from tests.factories import make_user

    refund = _refund(channel, amount="120.00")
    refund_reject(refund_id=refund.pk, user=make_user("sup", "supervisor"), reason="used goods")


def _refund_paid_or_failed(channel, *, fail: bool) -> None:
    from commerce.refunds.services import refund_failed, refund_paid, refund_payout_begin

    refund = _refund(channel)
    refund_payout_begin(refund_id=refund.pk, actor=TEST_ACTOR)
    if fail:
        refund_failed(refund_id=refund.pk, error="ACQ.TRADE_HAS_CLOSE", actor=TEST_ACTOR)
    else:
        refund_paid(refund_id=refund.pk, actor=TEST_ACTOR)


def _refund_overdue(channel) -> None:
    from commerce.refunds.models import RefundRequest
    from commerce.refunds.services import refunds_sla_check

    refund = _refund(channel, amount="120.00")
    RefundRequest.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(hours=13))
    assert refunds_sla_check() == 1


def _refund_returned(channel) -> None:
    from commerce.refunds.services import ReturnLineInput, refund_return_receive

    refund = _refund(channel, amount="120.00")
    refund_return_receive(
        refund_id=refund.pk,
        lines=[ReturnLineInput(sku="TEA-001", quantity=1, condition="damaged")],
        tracking_no="SF1",
        actor=TEST_ACTOR,
    )


def _timeout(channel) -> None:
    from commerce.timeouts.services import orders_timeout_check

    order = _pay(channel)
    Order.objects.filter(pk=order.pk).update(status_changed_at=timezone.now() - timedelta(hours=3))
    assert orders_timeout_check() == 1


def _stall(channel) -> None:
    _track(channel, "in_transit")
    assert shipments_stalled_check(now=timezone.now() + timedelta(hours=5)) == 1


def _alert(channel) -> None:
    from insights.alerts.services import raise_alert

    raise_alert(
        rule="sync_delay_over_threshold",
        key=f"sync_delay_over_threshold:{channel.code}",
        severity="critical",
        title={"zh": "同步延迟", "en": "Sync delayed"},
        message={"zh": "订单晚到", "en": "Orders arrived late"},
        channel=channel.code,
        drilldown=[{"dimension": "sku", "rows": [{"key": "TEA-001", "label": "西湖龙井", "value": 3}]}],
    )


def _difference(channel) -> None:
    from commerce.reconciliation.services import reconciliation_apply
    from tests.commerce.reconciliation.helpers import DAY, bills, paid_order, pay_line

    _order, payment = paid_order(channel, "RECON-1")
    reconciliation_apply(
        day=DAY,
        bills=bills(pay_line(payment.out_trade_no, "150.00"), pay_line("CONSOLE-1", "9.90", memo="补款")),
        actor=TEST_ACTOR,
    )


def _risk_flagged(channel):
    from tests.factories import order_input

    data = order_input(channel)
    data = order_services.OrderInput(
        **{**data.__dict__, "customer": order_services.CustomerInput(name="张伟", phone="17012345678")}
    )
    return order_services.order_place(data=data, actor=TEST_ACTOR).order


def _risk_cleared(channel) -> None:
    from commerce.risk.services import risk_approve
    from tests.factories import make_user

    risk_approve(order_id=_risk_flagged(channel).pk, user=make_user("op", "operator"), note="known buyer")


EMITTERS = {
    names.ORDER_CREATED: _order,
    names.ORDER_PAID: _pay,
    names.ORDER_STATUS_CHANGED: _pay,
    names.ORDER_CANCELLED: _cancel,
    names.ORDER_HELD: _hold,
    names.ORDER_TIMEOUT: _timeout,
    names.PAYMENT_RECEIVED: _payment,
    names.INVENTORY_LOW_STOCK: _low_stock,
    names.INVENTORY_RESERVATION_EXPIRED: _expire,
    names.SHIPMENT_CREATED: _shipment,
    names.SHIPMENT_UPDATED: lambda channel: _track(channel, "in_transit", "out_for_delivery"),
    names.SHIPMENT_SIGNED: lambda channel: _track(channel, "in_transit", "signed"),
    names.SHIPMENT_STALLED: _stall,
    names.SHIPMENT_EXCEPTION: lambda channel: _track(channel, "exception"),
    names.NOTIFICATION_FAILED: _notification_failed,
    names.REFUND_REQUESTED: _refund,
    names.REFUND_APPROVED: _refund,
    names.REFUND_REJECTED: _refund_rejected,
    names.REFUND_PAID: lambda channel: _refund_paid_or_failed(channel, fail=False),
    names.REFUND_FAILED: lambda channel: _refund_paid_or_failed(channel, fail=True),
    names.REFUND_SLA_BREACHED: _refund_overdue,
    names.REFUND_RETURNED: _refund_returned,
    names.RECONCILIATION_DIFFERENCE: _difference,
    names.INSIGHTS_ALERT: _alert,
    names.RISK_FLAGGED: _risk_flagged,
    names.RISK_CLEARED: _risk_cleared,
}


def _runtime_context(event: OutboxEvent) -> dict:
    """The context a run on ``event`` starts from, as the dispatcher stores it and the engine extends it."""
    return {**event_context(event), "steps": {}}


def _problems(context: dict, name: str) -> list[str]:
    validator = Draft202012Validator(event_context_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(context)]


def test_the_available_events_are_those_some_service_emits():
    assert AVAILABLE == [
        names.ORDER_CREATED,
        names.ORDER_PAID,
        names.ORDER_STATUS_CHANGED,
        names.ORDER_CANCELLED,
        names.ORDER_TIMEOUT,
        names.ORDER_HELD,
        names.PAYMENT_RECEIVED,
        names.SHIPMENT_CREATED,
        names.SHIPMENT_UPDATED,
        names.SHIPMENT_SIGNED,
        names.SHIPMENT_STALLED,
        names.SHIPMENT_EXCEPTION,
        names.INVENTORY_LOW_STOCK,
        names.INVENTORY_RESERVATION_EXPIRED,
        names.REFUND_REQUESTED,
        names.REFUND_APPROVED,
        names.REFUND_REJECTED,
        names.REFUND_PAID,
        names.REFUND_FAILED,
        names.REFUND_SLA_BREACHED,
        names.REFUND_RETURNED,
        names.NOTIFICATION_FAILED,
        names.RECONCILIATION_DIFFERENCE,
        names.INSIGHTS_ALERT,
        names.RISK_FLAGGED,
        names.RISK_CLEARED,
    ]


@pytest.mark.parametrize("name", AVAILABLE)
def test_each_available_event_is_emitted_and_fits_its_declared_context(name, channel, stocked):
    emit = EMITTERS.get(name)
    assert emit is not None, f"{name} is declared available, but no emitter here drives the service that emits it"

    emit(channel)

    emitted = list(OutboxEvent.objects.order_by("id"))
    assert name in [event.name for event in emitted]
    for event in emitted:
        assert EVENTS[event.name].available, f"{event.name} is emitted but still declared unavailable"
        assert _problems(_runtime_context(event), event.name) == [], event.name


def test_an_expired_reservation_carries_the_order_its_reservations_and_stock(channel, stocked):
    order = _order(channel)

    orders_expire_unpaid(now=timezone.now() + timedelta(minutes=16))

    event = OutboxEvent.objects.get(name=names.INVENTORY_RESERVATION_EXPIRED)
    context = _runtime_context(event)
    assert sorted(context) == ["event", "order", "reservations", "steps", "stock"]
    assert (context["order"]["id"], context["order"]["status"]) == (order.pk, "cancelled")
    assert [(r["sku"], r["quantity"]) for r in context["reservations"]] == [("TEA-001", 2)]
    assert [(s["sku"], s["on_hand"], s["reserved"]) for s in context["stock"]] == [("TEA-001", 100, 0)]


def test_a_flow_on_an_expired_reservation_acts_on_its_order(channel, stocked):
    flow = publish(event_flow(names.INVENTORY_RESERVATION_EXPIRED, [action("tag", "order.tag", {"tag": "expired"})]))
    order = _order(channel)
    orders_expire_unpaid(now=timezone.now() + timedelta(minutes=16))

    outbox_drain(run_inline=10)

    execution = Execution.objects.get(flow=flow)
    assert (execution.status, execution.subject_key) == ("succeeded", f"order:{order.pk}")
    assert list(Order.objects.get(pk=order.pk).tag_rows.values_list("name", flat=True)) == ["expired"]
