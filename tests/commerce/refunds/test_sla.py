"""The refund SLA clock: colours at 12, 24 and 36 hours, each level announced once, stopped once paid."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.outbox.models import OutboxEvent
from commerce.refunds.models import RefundRequest
from commerce.refunds.services import refund_reject, refunds_sla_check
from commerce.refunds.sla import sla_level

from .conftest import file_refund

pytestmark = pytest.mark.django_db


def _aged(refund, hours: float):
    RefundRequest.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return RefundRequest.objects.get(pk=refund.pk)


def _levels():
    events = OutboxEvent.objects.filter(name="refund.sla_breached").order_by("id")
    return [(e.payload["refund"]["id"], e.payload["level"]) for e in events]


@pytest.mark.parametrize(
    "hours, level",
    [(0, ""), (11.99, ""), (12, "yellow"), (23.99, "yellow"), (24, "orange"), (36, "red"), (200, "red")],
)
def test_the_colour_follows_the_hours_waited(paid_order, hours, level):
    refund = _aged(file_refund(paid_order, "120.00"), hours)

    assert sla_level(refund, now=refund.created_at + timedelta(hours=hours)) == level


def test_the_hours_are_configurable(paid_order, settings):
    settings.ORDERFLOW_REFUND_SLA_HOURS = (1, 2, 3)
    refund = file_refund(paid_order, "120.00")

    assert sla_level(refund, now=refund.created_at + timedelta(hours=2)) == "orange"


def test_each_level_is_announced_once_as_it_is_reached(paid_order):
    refund = _aged(file_refund(paid_order, "120.00"), 13)

    assert refunds_sla_check() == 1
    assert refunds_sla_check() == 0  # yellow already announced
    _aged(refund, 37)  # both orange and red passed since: the highest is announced
    assert refunds_sla_check() == 1
    assert refunds_sla_check() == 0

    assert _levels() == [(refund.pk, "yellow"), (refund.pk, "red")]
    assert RefundRequest.objects.get(pk=refund.pk).sla_level == "red"


def test_a_decided_or_paid_request_has_no_running_clock(paid_order, supervisor):
    rejected = _aged(file_refund(paid_order, "120.00"), 40)
    refund_reject(refund_id=rejected.pk, user=supervisor, reason="used")

    assert refunds_sla_check() == 0
    assert sla_level(RefundRequest.objects.get(pk=rejected.pk)) == ""
    assert _levels() == []
