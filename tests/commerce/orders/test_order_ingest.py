"""Channel ingest: create-or-update by (channel, external_id); stale updates are ignored and audited."""

from datetime import UTC, datetime, timedelta

import pytest

from commerce.audit.models import AuditEntry
from commerce.inventory.models import StockItem
from commerce.orders import services
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from tests.concurrency import at_once
from tests.factories import TEST_ACTOR, order_input

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _ingest(channel, *, at, status="pending_payment", city="杭州市", external_id="TB-1"):
    data = order_input(channel, external_id=external_id, status=status, channel_updated_at=at)
    data = services.replace(data, shipping_address=services.replace(data.shipping_address, city=city))
    return services.order_ingest(data=data, actor=TEST_ACTOR)


@pytest.mark.django_db
def test_first_ingest_creates(channel, stocked):
    result = _ingest(channel, at=T0)

    assert result.outcome == "created"
    assert result.order.channel_updated_at == T0


@pytest.mark.django_db
def test_ingest_of_a_shipped_order_walks_the_machine(channel, stocked):
    result = _ingest(channel, at=T0, status="shipped")

    assert result.order.status == "shipped"
    actions = list(AuditEntry.objects.filter(subject_id=str(result.order.pk)).values_list("action", "changes__status"))
    assert actions == [("created", "paid"), ("transitioned", ["paid", "shipped"])]
    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == (99, 0)


@pytest.mark.django_db
def test_newer_update_changes_address_and_moves_status_forward(channel, stocked):
    _ingest(channel, at=T0)

    result = _ingest(channel, at=T0 + timedelta(minutes=5), status="paid", city="宁波市")

    assert result.outcome == "updated"
    order = Order.objects.get()
    assert (order.status, order.city, order.channel_updated_at) == ("paid", "宁波市", T0 + timedelta(minutes=5))
    updated = AuditEntry.objects.get(action="updated")
    assert updated.changes == {"city": ["杭州市", "宁波市"]}


@pytest.mark.django_db
def test_older_update_is_ignored_and_audited(channel, stocked):
    _ingest(channel, at=T0 + timedelta(minutes=10), status="paid")

    result = _ingest(channel, at=T0, status="pending_payment", city="宁波市")

    assert result.outcome == "ignored"
    order = Order.objects.get()
    assert (order.status, order.city) == ("paid", "杭州市")
    ignored = AuditEntry.objects.filter(action="ignored").get()
    assert ignored.changes["why"] == "stale_update"
    assert ignored.changes["requested_status"] == "pending_payment"


@pytest.mark.django_db
def test_newer_update_with_a_backward_status_keeps_status_and_audits_it(channel, stocked):
    _ingest(channel, at=T0, status="shipped")

    _ingest(channel, at=T0 + timedelta(minutes=1), status="paid")

    order = Order.objects.get()
    assert order.status == "shipped"
    assert AuditEntry.objects.filter(action="ignored", changes__requested="paid").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_ingesting_one_order_make_exactly_one(channel, stocked):
    outcomes = at_once(lambda _n: _ingest(channel, at=T0).outcome, 20)

    assert sorted(outcomes).count("created") == 1
    assert len(outcomes) == 20
    order = Order.objects.get()
    assert OutboxEvent.objects.filter(name="order.created").count() == 1
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="created").count() == 1
    # Every later arrival carried the same channel timestamp, so each was audited as a stale update.
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="ignored").count() == 19
    assert StockItem.objects.get().reserved == 1


class _HopFailed(Exception):
    pass


@pytest.mark.django_db
def test_an_ingest_whose_status_step_fails_stores_nothing(channel, stocked, monkeypatch):
    def failing_transition(**_kwargs):
        raise _HopFailed

    monkeypatch.setattr(services, "order_transition", failing_transition)

    with pytest.raises(_HopFailed):
        _ingest(channel, at=T0, status="shipped")

    assert Order.objects.count() == 0
    assert AuditEntry.objects.count() == OutboxEvent.objects.count() == 0
    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == (100, 0)
