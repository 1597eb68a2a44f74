from decimal import Decimal

import pytest

from commerce.audit.models import AuditEntry
from commerce.customers.models import Customer
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.orders import services
from commerce.orders.errors import UnknownSku
from commerce.orders.models import Order
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
