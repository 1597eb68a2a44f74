"""Overdue: the query (``overdue_q``) and the loaded-order check (``order_is_overdue``) agree, at the boundaries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.orders.sla import order_is_overdue, overdue_q
from tests.factories import ChannelFactory

from .board import board_order

pytestmark = pytest.mark.django_db


def _set(order, **times):
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(**{k: (now - v if v is not None else None) for k, v in times.items()})
    return now


@pytest.mark.parametrize(
    ("status", "timeout", "changed", "paid", "overdue"),
    [
        ("pending_payment", 15, timedelta(minutes=16), None, True),
        ("pending_payment", 15, timedelta(minutes=14), None, False),
        ("pending_payment", 60, timedelta(minutes=16), None, False),
        ("paid", 15, timedelta(minutes=1), timedelta(hours=48, minutes=1), True),
        ("paid", 15, timedelta(minutes=1), timedelta(hours=47, minutes=59), False),
        ("processing", 15, timedelta(hours=49), None, True),
        ("processing", 15, timedelta(hours=1), None, False),
        ("shipped", 15, timedelta(days=30), timedelta(days=31), False),
    ],
)
def test_the_query_and_the_check_agree(stocked, status, timeout, changed, paid, overdue):
    channel = ChannelFactory(code=f"c{timeout}", payment_timeout_minutes=timeout)
    order = board_order(channel, "A", status="paid" if status != "pending_payment" else "pending_payment")
    if status in ("processing", "shipped"):
        Order.objects.filter(pk=order.pk).update(status=status)
    now = _set(order, status_changed_at=changed, paid_at=paid)
    order = Order.objects.select_related("channel").get(pk=order.pk)

    assert order_is_overdue(order, now=now) is overdue
    assert Order.objects.filter(overdue_q(now=now), pk=order.pk).exists() is overdue
    assert Order.objects.filter(~overdue_q(now=now), pk=order.pk).exists() is not overdue


def test_the_shipping_promise_follows_the_setting(stocked, channel, settings):
    settings.ORDERFLOW_SHIP_SLA_HOURS = 2
    order = board_order(channel, "A", status="paid")
    now = _set(order, paid_at=timedelta(hours=3))

    assert Order.objects.filter(overdue_q(now=now)).count() == 1
