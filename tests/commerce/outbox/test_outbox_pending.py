"""What the runtime's drain reads and writes on the outbox: the oldest pending events, and their dispatch stamp."""

import pytest
from django.utils import timezone

from commerce.outbox.models import OutboxEvent
from commerce.outbox.selectors import outbox_pending, outbox_pending_first
from commerce.outbox.services import events_mark_dispatched
from tests.factories import create_order

pytestmark = pytest.mark.django_db


def test_the_oldest_pending_events_come_first_as_the_queryset_reads_them(channel, stocked):
    for i in range(3):
        create_order(channel, external_id=f"PEND-{i}", status="paid")  # order.created + order.paid each

    first = outbox_pending_first(4)

    expected = list(outbox_pending()[:4])
    assert [e.pk for e in first] == [e.pk for e in expected]
    assert [(e.name, e.payload, e.actor, e.occurred_at) for e in first] == [
        (e.name, e.payload, e.actor, e.occurred_at) for e in expected
    ]


def test_marked_events_are_no_longer_pending_and_the_others_are_untouched(channel, stocked):
    create_order(channel, external_id="MARK-1", status="paid")
    created, paid = outbox_pending_first(10)
    moment = timezone.now()

    events_mark_dispatched([created.pk], at=moment)
    events_mark_dispatched([], at=moment)  # nothing to do

    assert [e.pk for e in outbox_pending_first(10)] == [paid.pk]
    assert OutboxEvent.objects.get(pk=created.pk).dispatched_at == moment
