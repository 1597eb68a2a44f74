from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commerce.audit.models import AuditEntry
from commerce.customers.models import Customer
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.orders import selectors, services
from commerce.orders.errors import UnknownSku
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order, order_input

pytestmark = pytest.mark.django_db


def test_create_reserves_stock_audits_and_emits(channel, stocked):
    order = create_order(channel, lines=(("TEA-001", 3),))

    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved, stocked.available) == (100, 3, 97)
    assert order.status == "pending_payment"
    assert order.total_amount == Decimal("597.00")
    reservation = Reservation.objects.get(order=order)
    assert (reservation.quantity, reservation.state) == (3, "active")
    assert reservation.expires_at is not None
    assert list(StockMovement.objects.values_list("kind", "quantity")) == [("reserve", 3)]
    assert list(AuditEntry.objects.filter(subject_id=str(order.pk)).values_list("action", flat=True)) == ["created"]
    event = OutboxEvent.objects.get()
    assert event.name == "order.created"
    assert event.payload["order"]["total_amount"] == "597.00"
    assert event.payload["order"]["lines"][0]["sku"] == "TEA-001"


def test_same_external_id_returns_stored_order_and_changes_nothing(channel, stocked):
    first, created = services.order_create(data=order_input(channel, external_id="X"), actor=TEST_ACTOR)
    again, created_again = services.order_create(data=order_input(channel, external_id="X"), actor=TEST_ACTOR)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert StockItem.objects.get().reserved == 1
    assert OutboxEvent.objects.count() == 1


def test_short_stock_creates_nothing(channel, stocked, product):
    with pytest.raises(InsufficientStock) as raised:
        create_order(channel, lines=(("TEA-001", 101),))

    assert raised.value.details == {"sku": "TEA-001", "requested": 101, "available": 100, "line": 0}
    assert Order.objects.count() == 0
    assert StockItem.objects.get().reserved == 0
    assert OutboxEvent.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert Customer.objects.count() == 0


def test_unknown_sku_names_the_line(channel, stocked):
    with pytest.raises(UnknownSku) as raised:
        create_order(channel, lines=(("TEA-001", 1), ("NOPE", 1)))

    assert raised.value.details == {"lines[1].sku": "unknown SKU 'NOPE'"}
    assert Order.objects.count() == 0


def test_created_paid_commits_stock_and_emits_paid(channel, stocked):
    order = create_order(channel, status="paid", lines=(("TEA-001", 2),))

    stocked.refresh_from_db()
    assert (stocked.on_hand, stocked.reserved) == (98, 0)
    assert order.paid_at is not None
    assert list(OutboxEvent.objects.values_list("name", flat=True)) == ["order.created", "order.paid"]


def test_order_number_carries_the_day_placed_in_the_operators_time_zone(channel, stocked):
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai.
    placed_at = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)

    order = create_order(channel, placed_at=placed_at)

    assert order.number[:8] == "OF260302"
    assert len(order.number) == 18
    assert Order.objects.get().placed_at == placed_at


def test_a_repeat_with_input_that_no_longer_validates_returns_the_stored_order(channel, stocked):
    first = create_order(channel, external_id="X")

    again, created = services.order_create(
        data=order_input(channel, external_id="X", lines=(("NOPE", 1),)), actor=TEST_ACTOR
    )

    assert (again.pk, created) == (first.pk, False)
    assert Order.objects.count() == 1


def test_a_repeat_for_sold_out_stock_returns_the_stored_order(channel, stocked):
    first = create_order(channel, external_id="X", lines=(("TEA-001", 100),))

    again, created = services.order_create(
        data=order_input(channel, external_id="X", lines=(("TEA-001", 100),)), actor=TEST_ACTOR
    )

    assert (again.pk, created) == (first.pk, False)
    assert StockItem.objects.get().reserved == 100
    assert StockMovement.objects.count() == 1


def test_a_new_customer_is_stored_once_and_reused(channel, stocked):
    first = create_order(channel, external_id="A")
    second = create_order(channel, external_id="B")

    customer = Customer.objects.get()
    assert (first.customer_id, second.customer_id) == (customer.pk, customer.pk)
    assert (customer.name, customer.phone, customer.credit_level) == ("张伟", "13800138000", 3)


def test_the_representation_built_at_create_matches_the_stored_order(channel, stocked):
    placed = services.order_place(data=order_input(channel, tags=("vip", "gift")), actor=TEST_ACTOR)

    assert placed.created is True
    assert placed.representation == order_representation(selectors.order_get(order_id=placed.order.pk))


def test_statements_per_create_stay_within_budget(channel, stocked, django_assert_max_num_queries):
    create_order(channel, external_id="warm-up")  # the customer is known from here on

    # products, customer, order, lines, audit entry, outbox event, stock read, conditional update,
    # reservation, ledger row — plus the savepoint pair the test's own transaction turns the
    # order's one into. The risk check (commerce.risk, its default rules) adds its own: the enabled
    # rules, the sighting, the phone, address and cluster counts, the blacklist and the
    # customer's history (the IP's lock and count only for an order that has an IP).
    with django_assert_max_num_queries(19):
        create_order(channel, external_id="measured")
