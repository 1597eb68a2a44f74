"""``stock_restock``: returned goods back on hand, for refunds and returns to call."""

import pytest
from django.apps import apps

from commerce.inventory.errors import UnknownWarehouse
from commerce.inventory.models import StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.inventory.services import stock_restock
from commerce.outbox.models import OutboxEvent
from core.errors import InvalidInput
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("inventory").get_models()}


def test_restock_puts_goods_back_on_hand_with_a_return_movement(channel, shelf):
    order = create_order(channel, status="paid", lines=(("TEA-001", 3),))

    row = stock_restock(
        sku="TEA-001", warehouse_code="sh-main", quantity=2, actor=TEST_ACTOR, order_id=order.pk, reason="refund R-1"
    )

    assert (row.on_hand, row.reserved, row.available) == (99, 0, 99)
    movement = StockMovement.objects.order_by("id").last()
    assert (movement.kind, movement.quantity, movement.order_id, movement.reason) == (
        "return",
        2,
        order.pk,
        "refund R-1",
    )
    assert (movement.actor_kind, movement.actor_label) == ("system", "tests")
    assert stock_ledger_differences() == []


def test_restock_into_a_warehouse_that_never_held_the_sku_creates_the_row(shelf, second_warehouse):
    row = stock_restock(sku="TEA-001", warehouse_code="bj-north", quantity=5, actor=TEST_ACTOR, reason="return")

    assert (row.sku, row.warehouse.code, row.on_hand, row.reserved) == ("TEA-001", "bj-north", 5, 0)
    assert StockItem.objects.count() == 2
    assert stock_ledger_differences() == []


@pytest.mark.parametrize("quantity", [0, -3])
def test_restock_of_nothing_or_less_is_refused(shelf, quantity):
    before = _row_counts()

    with pytest.raises(InvalidInput) as raised:
        stock_restock(sku="TEA-001", warehouse_code="sh-main", quantity=quantity, actor=TEST_ACTOR, reason="return")

    assert raised.value.details == {"quantity": "must be a positive whole number"}
    assert _row_counts() == before
    assert StockItem.objects.get().on_hand == 100


def test_restock_of_an_unknown_sku_is_refused_and_creates_no_row(shelf):
    before = _row_counts()

    with pytest.raises(InvalidInput) as raised:
        stock_restock(sku="GHOST", warehouse_code="sh-main", quantity=1, actor=TEST_ACTOR, reason="return")

    assert raised.value.details == {"sku": "unknown SKU 'GHOST'"}
    assert _row_counts() == before


def test_restock_into_an_unknown_warehouse_is_refused(shelf):
    before = _row_counts()

    with pytest.raises(UnknownWarehouse) as raised:
        stock_restock(sku="TEA-001", warehouse_code="nowhere", quantity=1, actor=TEST_ACTOR, reason="return")

    assert (raised.value.http_status, raised.value.details) == (404, {"warehouse": "nowhere"})
    assert _row_counts() == before


def test_restock_above_safety_stock_re_arms_the_low_stock_alert(channel, shelf):
    StockItem.objects.filter(pk=shelf.pk).update(safety_stock=10)
    create_order(channel, status="paid", lines=(("TEA-001", 95),))
    assert StockItem.objects.get().low_stock_alerted is True

    stock_restock(sku="TEA-001", warehouse_code="sh-main", quantity=20, actor=TEST_ACTOR, reason="return")

    row = StockItem.objects.get()
    assert (row.on_hand, row.low_stock_alerted) == (25, False)
    assert OutboxEvent.objects.filter(name="inventory.low_stock").count() == 1
