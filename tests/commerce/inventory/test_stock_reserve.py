"""Reserve in the order's transaction, commit on payment, release on cancel, expire on timeout — with the ledger."""

import pytest

from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import ChannelWarehouse, Reservation, StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order

from .conftest import receive

pytestmark = pytest.mark.django_db


def _counts(sku="TEA-001", warehouse="sh-main"):
    return StockItem.objects.values_list("on_hand", "reserved").get(sku=sku, warehouse__code=warehouse)


def test_payment_commits_the_reservation(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 4),))

    order_services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR)

    assert _counts() == (96, 0)
    assert Reservation.objects.get(order=order).state == "committed"
    assert list(StockMovement.objects.order_by("id").values_list("kind", "quantity")) == [
        ("receipt", 100),
        ("reserve", 4),
        ("commit", 4),
    ]
    assert stock_ledger_differences() == []


def test_cancel_before_payment_releases_the_reservation(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 4),))

    order_services.order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR, reason="customer")

    assert _counts() == (100, 0)
    assert Reservation.objects.get(order=order).state == "released"
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity", "reason").last() == (
        "release",
        4,
        "order cancelled: customer",
    )
    assert stock_ledger_differences() == []


def test_cancel_after_payment_returns_committed_stock(channel, shelf):
    order = create_order(channel, status="paid", lines=(("TEA-001", 4),))

    order_services.order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR, reason="out of stock")

    assert _counts() == (100, 0)
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity").last() == ("return", 4)
    assert stock_ledger_differences() == []


def test_a_cancel_whose_reason_says_payment_timeout_still_releases_rather_than_expires(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 4),))

    order_services.order_transition(order_id=order.pk, to="cancelled", actor=TEST_ACTOR, reason="payment_timeout")

    assert Reservation.objects.get(order=order).state == "released"
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity").last() == ("release", 4)
    assert not OutboxEvent.objects.filter(name="inventory.reservation_expired").exists()


def test_payment_timeout_expires_and_announces_the_reservations(channel, shelf):
    order = create_order(channel, lines=(("TEA-001", 4),))
    reservation = Reservation.objects.get(order=order)

    order_services.order_transition(
        order_id=order.pk, to="cancelled", actor=TEST_ACTOR, reason="payment_timeout", reservations_lapsed=True
    )

    assert _counts() == (100, 0)
    reservation.refresh_from_db()
    assert reservation.state == "expired"
    assert StockMovement.objects.order_by("id").values_list("kind", "quantity").last() == ("expire", 4)
    event = OutboxEvent.objects.get(name="inventory.reservation_expired")
    assert (event.subject_type, event.subject_id) == ("order", str(order.pk))
    assert event.payload == {
        "order": order_representation(Order.objects.get(pk=order.pk)),
        "reservations": [
            {
                "id": reservation.pk,
                "order_line_id": reservation.order_line_id,
                "sku": "TEA-001",
                "warehouse": "sh-main",
                "quantity": 4,
            }
        ],
        "stock": [
            {
                "id": shelf.pk,
                "sku": "TEA-001",
                "warehouse": "sh-main",
                "on_hand": 100,
                "reserved": 0,
                "available": 100,
                "safety_stock": 0,
                "low_stock": False,
            }
        ],
    }
    assert stock_ledger_differences() == []


def test_one_order_is_served_from_one_warehouse_when_one_can(channel, shelf, second_warehouse, second_product):
    receive("CUP-002", "sh-main", 1)
    receive("TEA-001", "bj-north", 10)
    receive("CUP-002", "bj-north", 10)

    order = create_order(channel, lines=(("TEA-001", 2), ("CUP-002", 2)))

    served = set(Reservation.objects.filter(order=order).values_list("stock_item__warehouse__code", flat=True))
    assert served == {"bj-north"}
    assert (_counts("TEA-001", "sh-main"), _counts("TEA-001", "bj-north")) == ((100, 0), (10, 2))


def test_a_line_splits_across_warehouses_only_when_the_channel_allows(channel, shelf, second_warehouse):
    receive("TEA-001", "bj-north", 10)

    with pytest.raises(InsufficientStock) as raised:
        create_order(channel, external_id="E-1", lines=(("TEA-001", 105),))

    assert raised.value.details == {"sku": "TEA-001", "requested": 105, "available": 110, "line": 0}
    channel.allow_split_lines = True
    channel.save()
    order = create_order(channel, external_id="E-2", lines=(("TEA-001", 105),))
    assert sorted(Reservation.objects.filter(order=order).values_list("stock_item__warehouse__code", "quantity")) == [
        ("bj-north", 5),
        ("sh-main", 100),
    ]
    assert stock_ledger_differences() == []


def test_a_channel_with_its_own_warehouses_is_never_served_from_others(channel, shelf, second_warehouse):
    receive("TEA-001", "bj-north", 10)
    ChannelWarehouse.objects.create(channel=channel, warehouse=second_warehouse, rank=1)
    second_warehouse.active = False
    second_warehouse.save()

    with pytest.raises(InsufficientStock) as raised:
        create_order(channel, lines=(("TEA-001", 1),))

    assert raised.value.details == {"sku": "TEA-001", "requested": 1, "available": 0, "line": 0}
    assert Order.objects.count() == 0
    assert _counts() == (100, 0)


def test_a_channel_ranking_overrides_warehouse_priority(channel, shelf, second_warehouse):
    receive("TEA-001", "bj-north", 10)
    ChannelWarehouse.objects.create(channel=channel, warehouse=second_warehouse, rank=1)
    ChannelWarehouse.objects.create(channel=channel, warehouse=shelf.warehouse, rank=2)

    first = create_order(channel, external_id="E-1", lines=(("TEA-001", 10),))
    second = create_order(channel, external_id="E-2", lines=(("TEA-001", 1),))

    assert list(Reservation.objects.filter(order=first).values_list("stock_item__warehouse__code", "quantity")) == [
        ("bj-north", 10)
    ]
    assert list(Reservation.objects.filter(order=second).values_list("stock_item__warehouse__code", "quantity")) == [
        ("sh-main", 1)
    ]
