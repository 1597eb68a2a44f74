"""``inventory.low_stock`` fires once each time available drops to or below safety stock, and re-arms above it."""

import pytest

from commerce.inventory.models import StockItem
from commerce.inventory.services import stock_adjust
from commerce.orders import services as order_services
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded(shelf):
    """TEA-001: 20 on hand, safety stock 10."""
    stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=-80, kind="adjustment", reason="count", actor=TEST_ACTOR
    )
    StockItem.objects.filter(pk=shelf.pk).update(safety_stock=10)
    return StockItem.objects.get(pk=shelf.pk)


def _alerts() -> list[dict]:
    return list(OutboxEvent.objects.filter(name="inventory.low_stock").order_by("id").values_list("payload", flat=True))


def test_crossing_safety_stock_fires_once(channel, guarded):
    create_order(channel, external_id="E-1", lines=(("TEA-001", 10),))

    assert _alerts() == [
        {
            "stock": {
                "id": guarded.pk,
                "sku": "TEA-001",
                "warehouse": "sh-main",
                "on_hand": 20,
                "reserved": 10,
                "available": 10,
                "safety_stock": 10,
                "low_stock": True,
            }
        }
    ]
    assert StockItem.objects.get().low_stock_alerted is True


def test_staying_below_does_not_fire_again(channel, guarded):
    create_order(channel, external_id="E-1", lines=(("TEA-001", 10),))

    create_order(channel, external_id="E-2", lines=(("TEA-001", 2),))
    stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=-3, kind="adjustment", reason="breakage", actor=TEST_ACTOR
    )

    assert len(_alerts()) == 1
    assert StockItem.objects.values_list("on_hand", "reserved").get() == (17, 12)


def test_staying_above_never_fires(channel, guarded):
    create_order(channel, external_id="E-1", lines=(("TEA-001", 9),))

    assert _alerts() == []
    assert StockItem.objects.get().low_stock_alerted is False


def test_rising_above_re_arms_and_the_next_crossing_fires_again(channel, guarded):
    first = create_order(channel, external_id="E-1", lines=(("TEA-001", 10),))
    order_services.order_transition(order_id=first.pk, to="cancelled", actor=TEST_ACTOR, reason="customer")
    assert StockItem.objects.get().low_stock_alerted is False

    create_order(channel, external_id="E-2", lines=(("TEA-001", 12),))

    alerts = _alerts()
    assert len(alerts) == 2
    assert (alerts[1]["stock"]["reserved"], alerts[1]["stock"]["available"]) == (12, 8)
    assert StockItem.objects.get().low_stock_alerted is True


def test_a_receipt_above_safety_stock_re_arms(channel, guarded):
    create_order(channel, external_id="E-1", lines=(("TEA-001", 10),))

    stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=1, kind="receipt", reason="receipt PO-2", actor=TEST_ACTOR
    )
    assert StockItem.objects.get().low_stock_alerted is False
    create_order(channel, external_id="E-2", lines=(("TEA-001", 1),))

    assert len(_alerts()) == 2
