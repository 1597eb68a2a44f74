"""Tracking-number write-back to Taobao (taobao.logistics.offline.send), whole and split, through its sandbox."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.shipments import parcels
from commerce.shipments.models import Shipment
from connectors.base import ProviderError
from connectors.platforms.taobao.sandbox import TaobaoSimulator
from connectors.platforms.writeback import shipment_write_back
from connectors.services.connections import ConnectionInput, connection_client, connection_create
from tests.factories import TEST_ACTOR, ProductFactory, StockItemFactory, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def taobao(db):
    return connection_create(
        data=ConnectionInput(connector="taobao", name="天猫沙箱", credentials={}, settings={}, sandbox=True)
    )


@pytest.fixture
def trade(taobao, channel, stocked):
    """A sandbox trade of two lines, and the same order in Orderflow (paid)."""
    ProductFactory(sku="CUP-002", title="茶杯", price="39.00")
    StockItemFactory(sku="CUP-002", warehouse=stocked.warehouse, on_hand=100)
    simulator = TaobaoSimulator(taobao)
    for _ in range(20):
        [made] = simulator.orders_create(1, ["TEA-001", "CUP-002"])
        if len(made["orders"]["order"]) == 2:
            break
    lines = tuple((line["outer_sku_id"], line["num"]) for line in made["orders"]["order"])
    order = create_order(channel, external_id=made["tid_str"], lines=lines, status="paid")
    return simulator, made["tid_str"], order


def _ship(parcel, number):
    parcels.parcel_waybill_record(
        parcel_id=parcel.pk,
        courier="sf",
        carrier="",
        tracking_no=number,
        waybill={},
        idempotency_key=number,
        actor=TEST_ACTOR,
    )
    parcels.parcel_ship(parcel_id=parcel.pk, actor=TEST_ACTOR)
    return Shipment.objects.get(parcel=parcel)


def test_a_whole_order_is_written_back_once_and_the_trade_waits_for_the_buyer(trade):
    simulator, tid, order = trade
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    shipment = _ship(parcel, "SF1000000000001")

    first = shipment_write_back(shipment_id=shipment.pk)
    again = shipment_write_back(shipment_id=shipment.pk)

    assert first == again == {"written": True, "connector": "taobao", "tracking_no": "SF1000000000001", "sub_tids": []}
    stored = simulator.record("order", tid)
    assert stored["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    assert {line["out_sid"] for line in stored["orders"]["order"]} == {"SF1000000000001"}
    notes = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), action="noted")
    assert [n.changes["text"] for n in notes if "written back" in n.changes["text"]] == [
        "Tracking number SF1000000000001 (SF) written back to 天猫沙箱"
    ]


def test_a_split_order_writes_back_each_parcel_for_its_own_sub_orders(trade):
    simulator, tid, order = trade
    first_sku = order.lines.order_by("position").first().sku
    boxes = parcels.order_split(order_id=order.pk, by="availability", later_skus=[first_sku], actor=TEST_ACTOR)

    now = shipment_write_back(shipment_id=_ship(boxes[0], "SF1000000000002").pk)

    stored = simulator.record("order", tid)
    assert stored["status"] == "SELLER_CONSIGNED_PART"
    shipped = [line for line in stored["orders"]["order"] if line.get("out_sid")]
    assert [str(line["oid"]) for line in shipped] == now["sub_tids"] and len(shipped) == 1
    assert shipped[0]["outer_sku_id"] != first_sku

    later = shipment_write_back(shipment_id=_ship(boxes[1], "SF1000000000003").pk)

    assert simulator.record("order", tid)["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    assert len(later["sub_tids"]) == 1 and later["sub_tids"] != now["sub_tids"]


def test_the_sandbox_refuses_another_number_for_a_shipped_trade(taobao, trade):
    _simulator, tid, order = trade
    client = connection_client(taobao)
    client.logistics_offline_send(tid=tid, out_sid="SF1", company_code="SF")

    with pytest.raises(ProviderError):
        client.logistics_offline_send(tid=tid, out_sid="SF2", company_code="SF")
    with pytest.raises(ProviderError):
        client.logistics_offline_send(tid="9999", out_sid="SF3", company_code="SF")


def test_a_channel_without_write_back_says_so(db, channel, stocked):
    order = create_order(channel, external_id="NO-CONN", status="paid")
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    shipment = _ship(parcel, "SF1000000000009")

    assert shipment_write_back(shipment_id=shipment.pk) == {
        "written": False,
        "reason": "no_connection",
        "channel": "tmall",
    }


def test_a_flow_writes_back_each_shipment_as_it_is_created(trade):
    from runtime.dispatch import outbox_drain
    from runtime.models import Execution
    from tests.runtime.conftest import action, event_flow, publish

    simulator, tid, order = trade
    outbox_drain(run_inline=10)
    flow = publish(event_flow("shipment.created", [action("back", "shipment.write_back")]))
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    shipment = _ship(parcel, "SF1000000000004")

    outbox_drain(run_inline=10)

    step = Execution.objects.get(flow=flow).steps.get(node_id="back")
    assert step.output["written"] is True and step.output["shipment"] == shipment.pk
    assert simulator.record("order", tid)["status"] == "WAIT_BUYER_CONFIRM_GOODS"
