"""A merged parcel's one pick list to the WMS sandbox, shipped under its SF e-waybill number."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.shipments import parcels
from commerce.shipments.models import Parcel, Shipment
from connectors.couriers.waybills import parcel_waybill_request
from connectors.services.connections import ConnectionInput, connection_create
from connectors.warehouse.fulfilment import pick_list_push
from connectors.warehouse.wms.sandbox import WmsSimulator
from tests.factories import TEST_ACTOR, create_order

from .test_wms import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def sf_sandbox(db):
    return connection_create(
        data=ConnectionInput(connector="sf", name="顺丰沙箱", credentials={}, settings={}, sandbox=True)
    )


def test_a_merged_parcel_is_one_pick_list_and_ships_both_orders_under_its_waybill(
    wms_sandbox, sf_sandbox, channel, two_skus
):
    first = create_order(channel, external_id="A", lines=(("TEA-001", 2),), status="paid")
    second = create_order(channel, external_id="B", lines=(("TEA-002", 1), ("TEA-001", 1)), status="paid")
    merged = parcels.orders_merge(order_ids=[first.pk, second.pk], actor=TEST_ACTOR)
    waybilled, _ = parcel_waybill_request(parcel_id=merged.pk, courier="sf", actor=TEST_ACTOR)

    sent = pick_list_push(order_id=first.pk)
    again = pick_list_push(order_id=second.pk)  # the same box: the WMS already holds its list

    assert [p["created"] for p in sent["parcels"]] == [True]
    assert [p["created"] for p in again["parcels"]] == [False]
    simulator = WmsSimulator(wms_sandbox)
    held = simulator.pick_list(merged.number)["pick_list"]
    assert held["orders"] == [first.number, second.number]
    assert sorted((line["sku"], line["quantity"]) for line in held["lines"]) == [
        ("TEA-001", 1),
        ("TEA-001", 2),
        ("TEA-002", 1),
    ]
    start = timezone.now()
    for seconds in (61, 121, 181):
        deliver(wms_sandbox, simulator.tick(start + timedelta(seconds=seconds)))

    assert set(Order.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"shipped"}
    assert sorted(Shipment.objects.values_list("order_id", "courier", "tracking_no")) == [
        (first.pk, "sf", waybilled.tracking_no),
        (second.pk, "sf", waybilled.tracking_no),
    ]
    assert Parcel.objects.get(pk=merged.pk).status == Parcel.SHIPPED


def test_a_warehouse_shipping_other_lines_than_boxed_ships_nothing(wms_sandbox, channel, two_skus):
    first = create_order(channel, external_id="A", lines=(("TEA-001", 2),), status="paid")
    second = create_order(channel, external_id="B", lines=(("TEA-002", 1),), status="paid")
    merged = parcels.orders_merge(order_ids=[first.pk, second.pk], actor=TEST_ACTOR)
    pick_list_push(order_id=first.pk)
    simulator = WmsSimulator(wms_sandbox)
    simulator.shortage_set(merged.number, [{"sku": "TEA-001", "quantity": 2}])
    start = timezone.now()

    for seconds in (61, 121, 181):
        deliver(wms_sandbox, simulator.tick(start + timedelta(seconds=seconds)))

    assert set(Order.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"processing"}
    assert not Shipment.objects.exists()
    assert Parcel.objects.get(pk=merged.pk).status == Parcel.PLANNED
