"""django-q2 tasks for orders: each calls one service and can be run by the scheduler as a dotted path."""

import pytest
from django.utils.module_loading import import_string

from commerce.inventory.services import stock_adjust
from commerce.orders.models import Order
from commerce.orders.tasks import orders_expire_unpaid_task
from commerce.outbox.models import OutboxEvent
from orderflow.schedules.services import SCHEDULES
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def test_the_expiry_task_cancels_lapsed_orders_under_one_fresh_trace_id(channel, product, warehouse):
    stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=5, kind="receipt", reason="receipt PO-1", actor=TEST_ACTOR
    )
    channel.payment_timeout_minutes = 0  # the reservation lapses the moment it is made
    channel.save()
    create_order(channel, external_id="E-1")
    create_order(channel, external_id="E-2")
    created_traces = set(OutboxEvent.objects.values_list("trace_id", flat=True))

    assert orders_expire_unpaid_task() == 2

    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    sweep_traces = set(OutboxEvent.objects.filter(name="order.cancelled").values_list("trace_id", flat=True))
    assert len(sweep_traces) == 1
    assert sweep_traces.isdisjoint(created_traces)
    assert orders_expire_unpaid_task() == 0


def test_the_expiry_schedule_names_the_expiry_task():
    spec = next(spec for spec in SCHEDULES if spec.name == "orders.expire_unpaid")

    assert import_string(spec.func) is orders_expire_unpaid_task
