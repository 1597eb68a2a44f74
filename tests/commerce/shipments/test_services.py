from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.orders.services import order_transition
from commerce.outbox.models import OutboxEvent
from commerce.outbox.services import outbox_committed
from commerce.shipments.errors import ShipmentNotFound, TrackingNoTaken
from commerce.shipments.models import Shipment, TrackingEvent
from commerce.shipments.services import shipment_create, shipments_stalled_check, tracking_events_apply
from core.actors import CONNECTION, Actor
from tests.factories import TEST_ACTOR, create_order

from .conftest import at, node

pytestmark = pytest.mark.django_db

COURIER_ACTOR = Actor(kind=CONNECTION, id="7", label="快递100", source="webhook:kuaidi100")


def _apply(*events):
    return tracking_events_apply(
        courier="kuaidi100",
        tracking_no="YT9693083639795",
        events=events,
        actor=COURIER_ACTOR,
        source="webhook:kuaidi100",
    )


def _names():
    return list(OutboxEvent.objects.filter(subject_type="shipment").order_by("id").values_list("name", flat=True))


def test_recording_a_shipment_emits_created_once_and_is_idempotent(shipped_order):
    first, created = shipment_create(
        order_id=shipped_order.pk, courier="sf", tracking_no=" SF1234567890 ", actor=TEST_ACTOR
    )
    again, created_again = shipment_create(
        order_id=shipped_order.pk, courier="sf", tracking_no="SF1234567890", actor=TEST_ACTOR
    )

    assert (created, created_again, again.pk, first.tracking_no, first.status) == (
        True,
        False,
        first.pk,
        "SF1234567890",
        "created",
    )
    assert _names() == ["shipment.created"]
    event = OutboxEvent.objects.get(name="shipment.created")
    assert (event.payload["order"]["id"], event.payload["shipment"]["tracking_no"]) == (
        shipped_order.pk,
        "SF1234567890",
    )
    assert event.payload["shipment"]["latest_event"] is None
    entry = AuditEntry.objects.get(subject_type="order", subject_id=str(shipped_order.pk), action="shipment_created")
    assert entry.changes == {"shipment": first.pk, "courier": "sf", "carrier": "", "tracking_no": "SF1234567890"}


def test_a_tracking_number_of_another_order_is_refused(shipment, channel, stocked):
    other = create_order(channel, external_id="OTHER-1", lines=(("TEA-001", 1),), status="paid")

    with pytest.raises(TrackingNoTaken):
        shipment_create(order_id=other.pk, courier="kuaidi100", tracking_no="YT9693083639795", actor=TEST_ACTOR)

    assert Shipment.objects.count() == 1


def test_new_events_move_the_status_and_emit_one_update(shipment):
    result = _apply(node(0, "in_transit", "已揽收"), node(5, "out_for_delivery", "派件中"))

    shipment.refresh_from_db()
    assert (result.new_events, result.from_status, result.to_status) == (2, "created", "out_for_delivery")
    assert (shipment.status, shipment.last_event_at) == ("out_for_delivery", at(5))
    assert _names() == ["shipment.created", "shipment.updated"]
    latest = OutboxEvent.objects.get(name="shipment.updated").payload["shipment"]["latest_event"]
    assert (latest["status"], latest["description"], latest["occurred_at"]) == (
        "out_for_delivery",
        "派件中",
        "2024-05-01T15:00:00Z",
    )


def test_the_same_events_again_store_and_emit_nothing(shipment):
    _apply(node(0, "in_transit"), node(5, "out_for_delivery"))

    result = _apply(node(5, "out_for_delivery"), node(0, "in_transit"))

    assert result.new_events == 0
    assert TrackingEvent.objects.count() == 2
    assert _names() == ["shipment.created", "shipment.updated"]


def test_signed_moves_the_order_to_delivered_audited_with_the_connection(shipment, shipped_order):
    _apply(node(0, "in_transit"))

    result = _apply(node(8, "signed", "已签收，签收人：本人"))

    assert (result.to_status, result.order_outcome) == ("signed", "applied")
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    assert _names() == ["shipment.created", "shipment.updated", "shipment.updated", "shipment.signed"]
    signed = OutboxEvent.objects.get(name="shipment.signed")
    assert (signed.payload["order"]["status"], signed.payload["shipment"]["status"]) == ("delivered", "signed")
    assert signed.actor == {"kind": "connection", "id": "7", "label": "快递100", "source": "webhook:kuaidi100"}
    move = AuditEntry.objects.get(
        subject_type="order",
        subject_id=str(shipped_order.pk),
        action="transitioned",
        changes__status=["shipped", "delivered"],
    )
    assert (move.actor_kind, move.actor_id, move.source) == ("connection", "7", "webhook:kuaidi100")


def test_an_older_event_after_signed_changes_nothing_backwards(shipment, shipped_order):
    _apply(node(8, "signed"))

    result = _apply(node(3, "in_transit", "late scan"), node(9, "in_transit", "a scan after the signature"))

    shipment.refresh_from_db()
    assert (result.new_events, result.to_status, shipment.status, shipment.last_event_at) == (
        2,
        "signed",
        "signed",
        at(9),
    )
    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    assert _names().count("shipment.signed") == 1


def test_an_older_event_does_not_overwrite_a_newer_status(shipment):
    _apply(node(5, "out_for_delivery"))

    _apply(node(1, "in_transit"))

    shipment.refresh_from_db()
    assert (shipment.status, shipment.last_event_at) == ("out_for_delivery", at(5))


def test_an_exception_emits_shipment_exception_and_the_parcel_may_recover(shipment):
    _apply(node(2, "exception", "疑难件"))
    _apply(node(4, "in_transit", "问题已处理"))

    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
    assert _names() == ["shipment.created", "shipment.updated", "shipment.exception", "shipment.updated"]


def test_signed_on_a_paid_order_passes_through_shipped(channel, stocked):
    order = create_order(channel, external_id="PAID-1", lines=(("TEA-001", 1),), status="paid")
    shipment_create(order_id=order.pk, courier="kuaidi100", tracking_no="YT1", actor=TEST_ACTOR)

    tracking_events_apply(
        courier="kuaidi100", tracking_no="YT1", events=[node(1, "signed")], actor=COURIER_ACTOR, source="test"
    )

    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_signed_on_an_unpaid_order_keeps_the_order_and_says_why(channel, stocked):
    order = create_order(channel, external_id="UNPAID-1", lines=(("TEA-001", 1),))
    shipment_create(order_id=order.pk, courier="kuaidi100", tracking_no="YT2", actor=TEST_ACTOR)

    result = tracking_events_apply(
        courier="kuaidi100", tracking_no="YT2", events=[node(1, "signed")], actor=COURIER_ACTOR, source="test"
    )

    assert (result.to_status, result.order_outcome) == ("signed", "refused")
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_an_unknown_tracking_number_is_not_found_and_stores_nothing(db):
    with pytest.raises(ShipmentNotFound):
        tracking_events_apply(
            courier="kuaidi100", tracking_no="NOPE", events=[node(0, "in_transit")], actor=COURIER_ACTOR, source="t"
        )

    assert TrackingEvent.objects.count() == 0


def test_a_quiet_parcel_is_flagged_stalled_once_per_stall(shipment):
    _apply(node(0, "in_transit"))

    assert shipments_stalled_check(now=at(3)) == 0
    assert shipments_stalled_check(now=at(4.5)) == 1
    assert shipments_stalled_check(now=at(6)) == 0
    _apply(node(7, "in_transit"))
    assert shipments_stalled_check(now=at(12)) == 1

    stalled = OutboxEvent.objects.filter(name="shipment.stalled").order_by("id")
    assert [e.payload["reason"] for e in stalled] == ["no_tracking_event", "no_tracking_event"]


def test_the_stall_hours_are_a_setting(shipment, settings):
    settings.ORDERFLOW_SHIPMENT_STALL_HOURS = 1
    _apply(node(0, "in_transit"))

    assert shipments_stalled_check(now=at(1.5)) == 1


def test_an_overdue_parcel_is_flagged_once(shipment):
    Shipment.objects.filter(pk=shipment.pk).update(expected_delivery_at=at(24))
    _apply(node(22, "out_for_delivery"))

    assert shipments_stalled_check(now=at(24) + timedelta(minutes=1)) == 1
    assert shipments_stalled_check(now=at(25)) == 0
    assert OutboxEvent.objects.get(name="shipment.stalled").payload["reason"] == "overdue"


def test_a_signed_parcel_never_stalls(shipment):
    _apply(node(0, "signed"))

    assert shipments_stalled_check(now=at(48)) == 0


def _latest_in_last_update() -> dict:
    event = OutboxEvent.objects.filter(name="shipment.updated").latest("id")
    return event.payload["shipment"]["latest_event"]


def test_each_update_carries_the_parcels_newest_event_new_or_held(shipment):
    _apply(node(2, "in_transit", "first"), node(5, "out_for_delivery", "newest"), node(4, "in_transit", "between"))
    assert (_latest_in_last_update()["description"], _latest_in_last_update()["status"]) == (
        "newest",
        "out_for_delivery",
    )

    _apply(node(3, "in_transit", "a late scan, older than what is held"))
    assert _latest_in_last_update()["description"] == "newest"

    _apply(node(5, "signed", "same second as the newest held, stored after it"))
    assert _latest_in_last_update()["description"] == "same second as the newest held, stored after it"


def test_a_signature_that_delivers_the_order_opens_no_savepoint(shipment, shipped_order):
    with CaptureQueriesContext(connection) as queries:
        _apply(node(1, "in_transit"), node(8, "signed"))

    assert Order.objects.get(pk=shipped_order.pk).status == "delivered"
    # One savepoint: the outermost block's own (the test runs inside a transaction); in production
    # that block is the transaction, and nothing inside it opens another.
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]) == 1


def _order_reads(queries) -> int:
    return len([q for q in queries.captured_queries if q["sql"].startswith('SELECT "orders_order".')])


@pytest.mark.parametrize("statuses", [("in_transit",), ("in_transit", "signed")], ids=["in transit", "signed"])
def test_a_tracking_update_reads_and_locks_its_order_once(shipment, shipped_order, statuses):
    """The order is locked first and read whole, once: a signature's move and every update's
    events use that row — not a status lock, then the row again for the move, then for the events."""
    with CaptureQueriesContext(connection) as queries:
        _apply(*(node(i + 1, status) for i, status in enumerate(statuses)))

    assert _order_reads(queries) == 1
    order_read = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "orders_order"."id"'))
    if connection.vendor == "postgresql":  # SQLite locks the whole database for the writer instead
        assert order_read.endswith('FOR UPDATE OF "orders_order"')
    delivered = "signed" in statuses
    assert Order.objects.get(pk=shipped_order.pk).status == ("delivered" if delivered else "shipped")
    event = OutboxEvent.objects.filter(name="shipment.updated").latest("pk")
    assert event.payload["order"]["status"] == ("delivered" if delivered else "shipped")


def test_a_transition_refuses_a_locked_row_of_another_order(shipped_order, channel):
    from django.db import transaction

    from commerce.orders.lock_objects import order_lock

    other = create_order(channel, external_id="OTHER-1", lines=(("TEA-001", 1),))
    with transaction.atomic():
        row = order_lock(other.pk)
        with pytest.raises(ValueError):
            order_transition(order_id=shipped_order.pk, to="delivered", actor=TEST_ACTOR, locked=row)

    assert Order.objects.get(pk=shipped_order.pk).status == "shipped"
    assert Order.objects.get(pk=other.pk).status == "pending_payment"


def test_signed_on_a_cancelled_order_is_ignored_by_the_order_and_kept_on_the_parcel(channel, stocked):
    order = create_order(channel, external_id="CANCELLED-1", lines=(("TEA-001", 1),))
    shipment_create(order_id=order.pk, courier="kuaidi100", tracking_no="YT3", actor=TEST_ACTOR)
    order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR)

    result = tracking_events_apply(
        courier="kuaidi100", tracking_no="YT3", events=[node(1, "signed")], actor=COURIER_ACTOR, source="test"
    )

    assert (result.new_events, result.to_status, result.order_outcome) == (1, "signed", "ignored")
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    ignored = AuditEntry.objects.filter(subject_id=str(order.pk), action=AuditEntry.IGNORED).get()
    assert (ignored.changes["requested"], ignored.changes["current"]) == ("delivered", "cancelled")


def test_a_signature_announces_the_parcels_events_and_the_orders_move_once(
    shipment, shipped_order, django_capture_on_commit_callbacks
):
    heard: list[list[int]] = []

    def listen(sender, event_ids, **kwargs):
        heard.append(list(event_ids))

    outbox_committed.connect(listen, dispatch_uid="test.signature.listen")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _apply(node(1, "in_transit"), node(8, "signed"))
    finally:
        outbox_committed.disconnect(dispatch_uid="test.signature.listen")

    names = OutboxEvent.objects.filter(pk__in=heard[0]).order_by("id").values_list("name", flat=True)
    assert len(heard) == 1
    assert sorted(names) == ["order.status_changed", "shipment.signed", "shipment.updated"]
