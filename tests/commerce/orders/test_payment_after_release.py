"""A payment on an order whose reservation is no longer live reserves again, or holds the order.

Whatever released the stock (here ``reservations_release``, as the ``inventory.release`` action
calls it under the order's lock), a payment never ships stock the order does not hold.
"""

import pytest
from django.db import transaction

from commerce.audit.models import AuditEntry
from commerce.inventory import services as inventory
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.orders import services, statuses
from commerce.orders.expiry import HELD, PAID, order_payment_record
from commerce.orders.lock_objects import order_lock
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def _release(order_id: int) -> None:
    with transaction.atomic():
        order_lock(order_id)
        inventory.reservations_release(order_id=order_id, actor=TEST_ACTOR, reason="released by a flow")


def _stock(sku="TEA-001") -> tuple[int, int]:
    return StockItem.objects.values_list("on_hand", "reserved").get(sku=sku)


def test_paying_an_order_whose_stock_was_released_reserves_it_again_and_deducts_it(channel, stocked):
    order = create_order(channel, external_id="R-1", lines=(("TEA-001", 3),))
    _release(order.pk)
    assert _stock() == (100, 0)

    outcome = order_payment_record(order_id=order.pk, actor=TEST_ACTOR)

    assert outcome.outcome == PAID
    assert (outcome.order.status, outcome.order.on_hold) == (statuses.PAID, False)
    assert _stock() == (97, 0)
    assert sorted(Reservation.objects.filter(order=order).values_list("state", "quantity")) == [
        (Reservation.COMMITTED, 3),
        (Reservation.RELEASED, 3),
    ]
    assert list(StockMovement.objects.filter(order_id=order.pk).order_by("pk").values_list("kind", "quantity")) == [
        (StockMovement.RESERVE, 3),
        (StockMovement.RELEASE, 3),
        (StockMovement.RESERVE, 3),
        (StockMovement.COMMIT, 3),
    ]


def test_paying_an_order_whose_stock_was_released_and_sold_holds_it_and_ships_nothing(channel, stocked):
    order = create_order(channel, external_id="R-2", lines=(("TEA-001", 3),))
    _release(order.pk)
    create_order(channel, external_id="R-3", lines=(("TEA-001", 99),))
    assert _stock() == (100, 99)

    result = services.order_transition(order_id=order.pk, to=statuses.PAID, actor=TEST_ACTOR, reason="payment")

    assert result.outcome == "applied"
    assert (result.order.status, result.order.on_hold, result.order.hold_reason) == (
        statuses.PAID,
        True,
        services.PAID_SHORT_STOCK,
    )
    order.refresh_from_db()
    assert (order.status, order.on_hold, order.hold_reason) == (statuses.PAID, True, services.PAID_SHORT_STOCK)
    assert _stock() == (100, 99)  # nothing deducted, nothing reserved for this order
    assert list(Reservation.objects.filter(order=order).values_list("state", flat=True)) == [Reservation.RELEASED]
    transitioned = AuditEntry.objects.get(subject_id=str(order.pk), action=AuditEntry.TRANSITIONED)
    assert transitioned.changes == {
        "status": [statuses.PENDING_PAYMENT, statuses.PAID],
        "reason": "payment",
        "shortage": {"sku": "TEA-001", "requested": 3, "available": 1, "line": 0},
    }
    assert list(OutboxEvent.objects.filter(subject_id=str(order.pk)).order_by("pk").values_list("name", flat=True)) == [
        "order.created",
        "order.status_changed",
        "order.paid",
        "order.held",
    ]


def test_paying_an_order_with_its_reservation_live_commits_it_and_reserves_nothing_more(channel, stocked):
    order = create_order(channel, external_id="R-4", lines=(("TEA-001", 2),))

    services.order_transition(order_id=order.pk, to=statuses.PAID, actor=TEST_ACTOR)

    assert _stock() == (98, 0)
    assert list(Reservation.objects.filter(order=order).values_list("state", "quantity")) == [
        (Reservation.COMMITTED, 2)
    ]


def test_a_payment_recorded_for_an_order_whose_stock_was_released_and_sold_says_held(channel, stocked):

    order = create_order(channel, external_id="R-4", lines=(("TEA-001", 3),))
    _release(order.pk)
    create_order(channel, external_id="R-5", lines=(("TEA-001", 99),))

    recorded = order_payment_record(order_id=order.pk, actor=TEST_ACTOR)

    assert recorded.outcome == HELD
    assert (recorded.order.status, recorded.order.on_hold) == (statuses.PAID, True)
    received = AuditEntry.objects.get(subject_id=str(order.pk), action="payment_received")
    assert received.changes["outcome"] == "held"
