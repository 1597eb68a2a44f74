"""order.merge and order.split through the real dispatcher."""

import pytest

from commerce.shipments.models import Parcel
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.factories import create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def test_a_flow_splits_presale_lines_into_a_later_parcel_once(channel, stocked):
    from tests.factories import ProductFactory, StockItemFactory

    ProductFactory(sku="PRE-001")
    StockItemFactory(sku="PRE-001", warehouse=stocked.warehouse, on_hand=10)
    flow = publish(
        event_flow("order.paid", [action("split", "order.split", {"by": "availability", "later_skus": ["PRE-001"]})])
    )

    order = create_order(channel, external_id="S-1", lines=(("TEA-001", 1), ("PRE-001", 1)), status="paid")
    outbox_drain(run_inline=10)

    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded"
    boxes = list(Parcel.objects.filter(kind=Parcel.SPLIT).order_by("pk"))
    assert execution.steps.get(node_id="split").output == {"order_id": order.pk, "parcels": [b.number for b in boxes]}
    assert [[line.order_line.sku for line in b.lines.all()] for b in boxes] == [["TEA-001"], ["PRE-001"]]


def test_order_merge_with_no_other_order_merges_nothing(channel, stocked):
    flow = publish(event_flow("order.paid", [action("merge", "order.merge")]))

    order = create_order(channel, external_id="M-1", status="paid")
    outbox_drain(run_inline=10)

    step = Execution.objects.get(flow=flow).steps.get(node_id="merge")
    assert step.output == {"order_id": order.pk, "parcels": [], "merged": False}
    assert not Parcel.objects.exists()
