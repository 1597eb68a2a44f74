"""``order_reservations_release``: the order's active stock back to available, under the order's lock."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.inventory.models import Reservation, StockItem
from commerce.inventory.selectors import order_active_reservations, order_stock_rows
from commerce.inventory.services import ReleasedReservation, order_reservations_release
from commerce.orders.models import Order
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def test_the_active_reservations_are_released_once_with_their_sku_and_quantity(channel, stocked):
    # Given an unpaid order holding 3 units
    order = create_order(channel, external_id="REL-1", lines=(("TEA-001", 3),))
    reservation = Reservation.objects.get(order=order)
    assert order_active_reservations(order_id=order.pk) == [(reservation.pk, "TEA-001", 3)]

    # When its reservations are released, twice
    with CaptureQueriesContext(connection) as queries:
        released = order_reservations_release(order_id=order.pk, actor=TEST_ACTOR, reason="operator")
    again = order_reservations_release(order_id=order.pk, actor=TEST_ACTOR, reason="operator")

    # Then the first returns the units, under the order's lock, and the second finds nothing
    assert released == [ReleasedReservation(reservation_id=reservation.pk, sku="TEA-001", quantity=3)]
    assert again == []
    assert (StockItem.objects.get(pk=stocked.pk).reserved, Reservation.objects.get(pk=reservation.pk).state) == (
        0,
        "released",
    )
    assert order_active_reservations(order_id=order.pk) == []
    assert order_stock_rows(order_id=order.pk) == [StockItem.objects.get(pk=stocked.pk)]
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    first = next(q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SAVEPOINT"))
    assert 'FROM "orders_order"' in first
    assert ("FOR UPDATE" in first) is connection.features.has_select_for_update


def test_an_unknown_order_raises_and_releases_nothing(channel, stocked):
    with pytest.raises(Order.DoesNotExist):
        order_reservations_release(order_id=10**9, actor=TEST_ACTOR, reason="operator")
