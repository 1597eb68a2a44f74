"""Unpaid orders: the payment-timeout sweep, and payments before and after it (``commerce.orders.expiry``)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.inventory.models import Reservation, StockItem
from commerce.inventory.selectors import stock_ledger_differences
from commerce.inventory.services import stock_adjust
from commerce.orders import services, statuses
from commerce.orders.errors import InvalidTransition
from commerce.orders.expiry import (
    LATE_PAYMENT_SHORT_STOCK,
    order_payment_record,
    order_reopen_paid_after_expiry,
    orders_expire_unpaid,
)
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, ProductFactory, create_order

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=16)  # past the default 15-minute payment timeout


@pytest.fixture
def shelf(product, warehouse):
    """TEA-001: 10 on hand in sh-main, received through the ledger."""
    return stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=10, kind="receipt", reason="receipt PO-1", actor=TEST_ACTOR
    )


def _stock(sku="TEA-001") -> tuple[int, int]:
    return StockItem.objects.values_list("on_hand", "reserved").get(sku=sku)


def _events_since(mark: int) -> list[tuple[str, str]]:
    return list(OutboxEvent.objects.filter(id__gt=mark).order_by("id").values_list("name", "subject_id"))


def _last_event_id() -> int:
    return OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _timed_out(channel, external_id="E-1", lines=(("TEA-001", 4),)) -> Order:
    order = create_order(channel, external_id=external_id, lines=lines)
    assert orders_expire_unpaid(now=timezone.now() + LATER) == 1
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "payment_timeout")
    return order


# --- the sweep ------------------------------------------------------------------------------


def test_the_sweep_cancels_lapsed_unpaid_orders_oldest_first(channel, shelf):
    first = create_order(channel, external_id="E-1", lines=(("TEA-001", 2),))
    second = create_order(channel, external_id="E-2", lines=(("TEA-001", 3),))
    create_order(channel, external_id="E-3", lines=(("TEA-001", 1),), status="paid")
    mark = _last_event_id()

    expired = orders_expire_unpaid(now=timezone.now() + LATER)

    assert expired == 2
    assert dict(Order.objects.values_list("external_id", "status")) == {
        "E-1": "cancelled",
        "E-2": "cancelled",
        "E-3": "paid",
    }
    assert set(Order.objects.filter(status="cancelled").values_list("cancel_reason", flat=True)) == {"payment_timeout"}
    assert _stock() == (9, 0)
    assert list(Reservation.objects.order_by("id").values_list("order__external_id", "state")) == [
        ("E-1", "expired"),
        ("E-2", "expired"),
        ("E-3", "committed"),
    ]
    per_order = [
        ("inventory.reservation_expired",),
        ("order.status_changed",),
        ("order.cancelled",),
    ]
    assert _events_since(mark) == [(name, str(order.pk)) for order in (first, second) for (name,) in per_order]
    entry = AuditEntry.objects.filter(subject_id=str(first.pk), action="transitioned").get()
    assert entry.changes == {"status": ["pending_payment", "cancelled"], "reason": "payment_timeout"}
    assert (entry.actor_kind, entry.actor_label, entry.source) == ("system", "payment timeout sweep", "schedule")
    assert stock_ledger_differences() == []


def test_the_sweep_leaves_orders_whose_time_has_not_come(channel, shelf):
    create_order(channel, lines=(("TEA-001", 2),))

    assert orders_expire_unpaid(now=timezone.now() + timedelta(minutes=14)) == 0
    assert Order.objects.get().status == "pending_payment"
    assert _stock() == (10, 2)


def test_the_sweep_follows_each_channels_own_timeout(channel, shelf):
    channel.payment_timeout_minutes = 30
    channel.save()
    create_order(channel, lines=(("TEA-001", 2),))

    assert orders_expire_unpaid(now=timezone.now() + LATER) == 0
    assert orders_expire_unpaid(now=timezone.now() + timedelta(minutes=31)) == 1


def test_the_sweep_stops_at_its_limit_and_the_next_run_goes_on(channel, shelf):
    orders = [create_order(channel, external_id=f"E-{n}", lines=(("TEA-001", 1),)) for n in range(3)]
    now = timezone.now() + LATER

    assert orders_expire_unpaid(now=now, limit=2) == 2
    assert list(Order.objects.order_by("id").values_list("status", flat=True)) == [
        "cancelled",
        "cancelled",
        "pending_payment",
    ]
    assert orders_expire_unpaid(now=now, limit=2) == 1
    assert Order.objects.get(pk=orders[2].pk).status == "cancelled"


def test_running_the_sweep_again_changes_nothing(channel, shelf):
    create_order(channel, lines=(("TEA-001", 2),))
    now = timezone.now() + LATER
    orders_expire_unpaid(now=now)
    mark, audits = _last_event_id(), AuditEntry.objects.count()

    assert orders_expire_unpaid(now=now) == 0
    assert _events_since(mark) == []
    assert AuditEntry.objects.count() == audits


def test_a_held_unpaid_order_still_lets_its_stock_go(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 2),))
    services.order_hold(order_id=order.pk, reason="address check", actor=TEST_ACTOR)

    assert orders_expire_unpaid(now=timezone.now() + LATER) == 1
    assert _stock() == (10, 0)


# --- payments -------------------------------------------------------------------------------


def test_a_payment_in_time_pays_the_order_and_commits_its_stock(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 4),))
    mark = _last_event_id()
    paid_at = timezone.now() - timedelta(minutes=1)

    result = order_payment_record(order_id=order.pk, actor=TEST_ACTOR, paid_at=paid_at)

    assert (result.outcome, result.order.status) == ("paid", "paid")
    assert _stock() == (6, 0)
    assert [name for name, _id in _events_since(mark)] == ["order.status_changed", "order.paid", "payment.received"]
    received = OutboxEvent.objects.get(name="payment.received")
    assert received.payload["payment"] == {"paid_at": paid_at.isoformat().replace("+00:00", "Z"), "outcome": "paid"}
    assert received.payload["order"]["status"] == "paid"
    entry = AuditEntry.objects.filter(subject_id=str(order.pk), action="payment_received").get()
    assert entry.changes == {"paid_at": paid_at.isoformat().replace("+00:00", "Z"), "outcome": "paid"}
    assert stock_ledger_differences() == []


def test_a_late_payment_with_stock_left_reopens_the_order_as_paid(channel, shelf):
    order = _timed_out(channel)
    mark = _last_event_id()

    result = order_payment_record(order_id=order.pk, actor=TEST_ACTOR)

    order.refresh_from_db()
    assert (result.outcome, order.status, order.cancel_reason, order.on_hold) == ("reopened", "paid", "", False)
    assert order.paid_at is not None
    assert _stock() == (6, 0)
    assert list(Reservation.objects.filter(order=order).order_by("id").values_list("state", "quantity")) == [
        ("expired", 4),
        ("committed", 4),
    ]
    assert [name for name, _id in _events_since(mark)] == [
        "order.status_changed",
        "order.paid",
        "payment.received",
    ]
    changed = OutboxEvent.objects.filter(name="order.status_changed").order_by("id").last()
    assert (changed.payload["from"], changed.payload["to"], changed.payload["reason"]) == (
        "cancelled",
        "paid",
        "paid_after_expiry",
    )
    reopened = AuditEntry.objects.filter(subject_id=str(order.pk), action="reopened").get()
    assert reopened.changes == {
        "status": ["cancelled", "paid"],
        "why": "paid_after_expiry",
        "cancel_reason": "payment_timeout",
    }
    assert stock_ledger_differences() == []


def test_a_late_payment_with_stock_gone_holds_the_order_for_review(channel, shelf):
    order = _timed_out(channel)
    create_order(channel, external_id="E-2", lines=(("TEA-001", 8),))
    mark = _last_event_id()

    result = order_payment_record(order_id=order.pk, actor=TEST_ACTOR)

    order.refresh_from_db()
    assert (result.outcome, order.status, order.on_hold) == ("held", "cancelled", True)
    assert order.hold_reason == LATE_PAYMENT_SHORT_STOCK
    assert order.hold_reason == "paid after its reservation expired; stock is short — refund or restock"
    assert order.paid_at is None
    assert _stock() == (10, 8)
    assert Reservation.objects.filter(order=order).values_list("state", flat=True).get() == "expired"
    assert [name for name, _id in _events_since(mark)] == ["order.held", "payment.received"]
    received = OutboxEvent.objects.get(name="payment.received")
    assert received.payload["payment"]["outcome"] == "held"
    entry = AuditEntry.objects.filter(subject_id=str(order.pk), action="payment_received").get()
    assert entry.changes["shortage"] == {"sku": "TEA-001", "requested": 4, "available": 2, "line": 0}
    assert stock_ledger_differences() == []


def test_a_late_payment_short_on_one_line_reserves_none_of_them(channel, shelf):
    ProductFactory(sku="CUP-002", title="青瓷茶杯", price="39.00")
    stock_adjust(
        sku="CUP-002", warehouse_code="sh-main", delta=3, kind="receipt", reason="receipt PO-2", actor=TEST_ACTOR
    )
    order = _timed_out(channel, lines=(("TEA-001", 2), ("CUP-002", 3)))
    create_order(channel, external_id="E-2", lines=(("CUP-002", 1),))

    result = order_payment_record(order_id=order.pk, actor=TEST_ACTOR)

    assert result.outcome == "held"
    assert (_stock("TEA-001"), _stock("CUP-002")) == ((10, 0), (3, 1))
    assert Reservation.objects.filter(order=order, state__in=["active", "committed"]).count() == 0
    assert stock_ledger_differences() == []


def test_the_same_payment_again_is_ignored(channel, shelf):
    reopened = _timed_out(channel, external_id="E-1", lines=(("TEA-001", 4),))
    order_payment_record(order_id=reopened.pk, actor=TEST_ACTOR)
    held = _timed_out(channel, external_id="E-2", lines=(("TEA-001", 3),))
    create_order(channel, external_id="E-3", lines=(("TEA-001", 6),))
    assert order_payment_record(order_id=held.pk, actor=TEST_ACTOR).outcome == "held"
    mark, stock = _last_event_id(), _stock()

    again = [order_payment_record(order_id=o.pk, actor=TEST_ACTOR).outcome for o in (reopened, held)]

    assert again == ["ignored", "ignored"]
    assert _events_since(mark) == []
    assert _stock() == stock
    ignored = AuditEntry.objects.filter(action="ignored", changes__why="payment_already_recorded")
    assert sorted(ignored.values_list("changes__current", flat=True)) == ["cancelled", "paid"]


def test_a_payment_for_an_order_the_customer_cancelled_is_held_for_a_refund(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 4),))
    services.order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR, reason="customer")

    result = order_payment_record(order_id=order.pk, actor=TEST_ACTOR)

    order.refresh_from_db()
    assert (result.outcome, order.status, order.hold_reason) == (
        "held",
        "cancelled",
        "paid after it was cancelled (customer) — refund",
    )
    assert _stock() == (10, 0)
    assert OutboxEvent.objects.filter(name="payment.received").count() == 1


def test_only_a_timed_out_order_can_be_reopened(channel, shelf):
    pending = create_order(channel, external_id="E-1", lines=(("TEA-001", 1),))
    by_customer = create_order(channel, external_id="E-2", lines=(("TEA-001", 1),))
    services.order_transition(order_id=by_customer.pk, to="cancelled", actor=TEST_ACTOR, reason="customer")

    for order, status, reason in ((pending, "pending_payment", ""), (by_customer, "cancelled", "customer")):
        with pytest.raises(InvalidTransition) as raised:
            order_reopen_paid_after_expiry(order_id=order.pk, actor=TEST_ACTOR)
        assert (raised.value.details["from"], raised.value.details["cancel_reason"]) == (status, reason)
    assert _stock() == (10, 1)


def test_the_status_machine_itself_still_never_moves_a_cancelled_order_back(channel, shelf):
    order = _timed_out(channel)

    result = services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR)

    assert statuses.PAID not in statuses.ALLOWED[statuses.CANCELLED]
    assert result.outcome == "ignored"
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert _stock() == (10, 0)
