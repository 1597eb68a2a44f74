import pytest
from django.db import transaction

from commerce.orders import services
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from commerce.outbox.services import event_build, events_announce, events_announced_together, outbox_committed
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def announcements():
    heard = []

    def listen(sender, event_ids, **kwargs):
        heard.append(list(event_ids))

    outbox_committed.connect(listen, dispatch_uid="test.listen")
    yield heard
    outbox_committed.disconnect(dispatch_uid="test.listen")


def test_placing_a_paid_order_announces_its_two_events_together_after_commit(
    channel, stocked, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_order(channel, status="paid")

    assert len(announcements) == 1
    assert len(announcements[0]) == 2  # order.created and order.paid


def test_a_rolled_back_savepoint_does_not_swallow_later_announcements(
    channel, stocked, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                create_order(channel, external_id="A")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        order = create_order(channel, external_id="B")
        services.order_tag(order_id=order.pk, tag="vip", actor=TEST_ACTOR)

    assert len(announcements) == 1
    assert len(announcements[0]) == 1


def _built(count: int):
    return [
        event_build(name=names.ORDER_CREATED, subject_type="order", subject_id=i, payload={}, actor=TEST_ACTOR)
        for i in range(count)
    ]


def test_events_written_by_the_caller_are_announced_once_after_commit(
    announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            events = _built(2)
            OutboxEvent.objects.bulk_create(events)
            events_announce(events)
            assert announcements == []

    assert announcements == [[e.pk for e in events]]


def test_announcing_refuses_unwritten_events(announcements, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError, match="not written"):
        with transaction.atomic():
            events_announce(_built(1))

    assert announcements == []


def test_each_emit_is_announced_after_commit_in_the_order_written(announcements, django_capture_on_commit_callbacks):
    from commerce.outbox.services import event_emit

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = event_emit(
                name=names.ORDER_CREATED, subject_type="order", subject_id=1, payload={}, actor=TEST_ACTOR
            )
            second = event_emit(name=names.ORDER_PAID, subject_type="order", subject_id=1, payload={}, actor=TEST_ACTOR)
            assert announcements == []

    assert announcements == [[first.pk], [second.pk]]


def test_events_of_several_services_in_a_together_block_are_announced_once(
    channel, stocked, announcements, django_capture_on_commit_callbacks
):
    order = create_order(channel, external_id="T-1", status="paid")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), events_announced_together():
        services.order_transition(order_id=order.pk, to="processing", actor=TEST_ACTOR)
        services.order_transition(order_id=order.pk, to="shipped", actor=TEST_ACTOR)
        with events_announced_together():  # an inner block adds to the outer one
            events_announce(OutboxEvent.objects.bulk_create(_built(2)))

    assert len(announcements) == 1
    assert len(announcements[0]) == 4
    assert set(announcements[0]) <= set(OutboxEvent.objects.values_list("pk", flat=True))


def test_a_together_block_that_raises_announces_nothing(
    channel, stocked, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic(), events_announced_together():
                events_announce(OutboxEvent.objects.bulk_create(_built(2)))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    assert announcements == []
    assert not OutboxEvent.objects.filter(name=names.ORDER_CREATED, subject_id__in=["0", "1"]).exists()


def test_a_together_block_needs_a_transaction(transactional_db):
    with pytest.raises(RuntimeError), events_announced_together():
        pass
