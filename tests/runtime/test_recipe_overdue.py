"""Recipe 2, as flow documents only (``templates/paid-not-processing.json`` and
``templates/fresh-paid-not-processing.json``): an order still ``paid`` and not ``processing``
after 2 hours (30 minutes when tagged ``fresh``) gets a ticket for the supervisor queue when it
becomes overdue, is held when its stock is short, and the operators get a reminder 15 minutes
into the overdue time. Time moves by passing ``now`` to the schedule tick and the sweep.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.inbox.models import Notification
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.tickets.models import Ticket
from runtime.models import Execution
from runtime.schedule import schedule_tick
from runtime.services import runtime_sweep
from tests.factories import TEST_ACTOR, ProductFactory, StockItemFactory, create_order
from tests.runtime.conftest import load_template, publish

pytestmark = pytest.mark.django_db


def _tickets():
    return sorted(Ticket.objects.values_list("order__external_id", "queue", "assignee_role", "priority"))


def _reminders():
    return sorted(Notification.objects.values_list("order__external_id", "to_role"))


def _held():
    return sorted(Order.objects.filter(on_hold=True).values_list("external_id", flat=True))


def test_overdue_paid_orders_get_a_ticket_a_hold_when_short_and_a_reminder(
    channel, stocked, warehouse, q_sync, django_capture_on_commit_callbacks
):
    ProductFactory(sku="TEA-002", title="白茶 100g", price="99.00")
    StockItemFactory(sku="TEA-002", warehouse=warehouse, on_hand=10, safety_stock=10)
    standard = publish(load_template("paid-not-processing"))
    fresh = publish(load_template("fresh-paid-not-processing"))
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, external_id="NORMAL", status="paid")
        create_order(channel, external_id="SHORT", lines=(("TEA-002", 1),), status="paid")
        create_order(channel, external_id="FRESH", status="paid", tags=("fresh",))
        moving = create_order(channel, external_id="MOVING", status="paid", tags=("fresh",))
        create_order(channel, external_id="UNPAID")

    def at(minutes: int):
        with django_capture_on_commit_callbacks(execute=True):
            fired = schedule_tick(now=start + timedelta(minutes=minutes, seconds=1))
            runtime_sweep(now=start + timedelta(minutes=minutes, seconds=1))
        return fired

    assert at(29) == {standard.pk: 0, fresh.pk: 0}
    order_services.order_transition(order_id=moving.pk, to="processing", actor=TEST_ACTOR)
    assert at(30) == {standard.pk: 0, fresh.pk: 1}
    assert (_tickets(), _reminders(), _held()) == ([("FRESH", "supervisor", "supervisor", "high")], [], [])

    at(44)
    assert _reminders() == []
    at(45)
    assert _reminders() == [("FRESH", "operator")]

    # FRESH is paid for 2 hours too: the standard flow starts for it, and its first condition stops there.
    assert at(120) == {standard.pk: 3, fresh.pk: 0}
    assert _tickets() == [
        ("FRESH", "supervisor", "supervisor", "high"),
        ("NORMAL", "supervisor", "supervisor", "high"),
        ("SHORT", "supervisor", "supervisor", "high"),
    ]
    assert _held() == ["SHORT"]
    order_services.order_transition(
        order_id=Order.objects.get(external_id="NORMAL").pk, to="processing", actor=TEST_ACTOR
    )

    assert at(135) == {standard.pk: 0, fresh.pk: 0}
    assert _reminders() == [("FRESH", "operator"), ("SHORT", "operator")]
    assert at(300) == {standard.pk: 0, fresh.pk: 0}
    assert len(_tickets()) == 3
    assert set(Execution.objects.values_list("status", flat=True)) == {"succeeded"}
    reminder = Notification.objects.get(order__external_id="SHORT")
    ticket = Ticket.objects.get(order__external_id="SHORT")
    assert reminder.title == f"仍未处理：订单 {Order.objects.get(external_id='SHORT').number}"
    assert reminder.body.endswith(f"仍未进入处理中。工单 #{ticket.pk}。")
