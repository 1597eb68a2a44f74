"""Recipe 1, end to end through the real dispatcher: a paid order of 599 or more gets a gift order."""

from decimal import Decimal

import pytest

from commerce.inventory.models import Reservation
from commerce.orders.models import Order
from runtime.models import Execution
from tests.factories import create_order
from tests.runtime.conftest import load_template, publish

pytestmark = pytest.mark.django_db


def _steps(execution):
    return [(s.node_id, s.kind, s.status, s.decision) for s in execution.steps.order_by("id")]


def test_a_paid_order_of_599_or_more_gets_a_gift_order_with_its_own_stock(
    channel, stocked, gift_stock, q_sync, django_capture_on_commit_callbacks
):
    flow = publish(load_template("big-order-gift"))

    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(channel, external_id="BIG-1", lines=(("TEA-001", 4),), status="paid")

    gift = Order.objects.get(gift_for=order)
    assert (gift.status, gift.total_amount, gift.external_id) == ("paid", Decimal("0.00"), "BIG-1-gift-gift")
    assert list(gift.lines.values_list("sku", "quantity", "unit_price")) == [("GIFT-TOTE", 1, Decimal("0.00"))]
    assert list(gift.tag_rows.values_list("name", flat=True)) == ["gift"]
    assert list(Reservation.objects.filter(order=gift).values_list("stock_item__sku", "quantity", "state")) == [
        ("GIFT-TOTE", 1, "committed")
    ]
    gift_stock.refresh_from_db()
    assert (gift_stock.on_hand, gift_stock.reserved) == (49, 0)
    execution = Execution.objects.get(flow=flow, subject_key=f"order:{order.pk}")
    assert execution.status == "succeeded"
    assert _steps(execution) == [("big", "condition", "succeeded", True), ("gift", "action", "succeeded", None)]
    assert execution.steps.get(node_id="gift").output == {
        "order_id": gift.pk,
        "number": gift.number,
        "gift_for": order.pk,
        "created": True,
    }
    # The gift order is paid too, and is matched in turn: 0.00 is below 599, so it stops there.
    gift_run = Execution.objects.get(flow=flow, subject_key=f"order:{gift.pk}")
    assert (gift_run.status, _steps(gift_run)) == ("succeeded", [("big", "condition", "succeeded", False)])
    assert Order.objects.count() == 2


def test_a_paid_order_below_599_gets_nothing(channel, stocked, gift_stock, q_sync, django_capture_on_commit_callbacks):
    flow = publish(load_template("big-order-gift"))

    with django_capture_on_commit_callbacks(execute=True):
        order = create_order(channel, external_id="SMALL-1", lines=(("TEA-001", 3),), status="paid")

    assert order.total_amount == Decimal("597.00")
    assert Order.objects.filter(gift_for=order).count() == 0
    execution = Execution.objects.get(flow=flow)
    assert (execution.status, _steps(execution)) == ("succeeded", [("big", "condition", "succeeded", False)])
    assert execution.steps.get().input == {"order.total_amount": "597.00"}
    gift_stock.refresh_from_db()
    assert gift_stock.on_hand == 50
