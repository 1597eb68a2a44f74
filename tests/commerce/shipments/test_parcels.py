"""Merge (合单), split (拆单), un-merge and the hand-over of planned parcels."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.audit.models import AuditEntry
from commerce.inventory.models import Reservation, StockItem, StockMovement
from commerce.inventory.selectors import stock_ledger_differences
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.shipments import parcels
from commerce.shipments.models import Parcel, ParcelLine, Shipment
from commerce.shipments.services import TrackingInput, tracking_events_apply
from tests.factories import (
    TEST_ACTOR,
    ChannelFactory,
    ProductFactory,
    StockItemFactory,
    WarehouseFactory,
    create_order,
)


@pytest.fixture
def goods(db):
    main = WarehouseFactory(code="sh-main", name="上海主仓", priority=1)
    north = WarehouseFactory(code="bj-north", name="北京仓", priority=2)
    for sku in ("TEA-001", "CUP-002", "POT-003"):
        ProductFactory(sku=sku, price="50.00")
        StockItemFactory(sku=sku, warehouse=main, on_hand=500)
    StockItemFactory(sku="POT-003", warehouse=north, on_hand=500)
    return main, north


def paid(channel, external_id, lines, **extra):
    return create_order(channel, external_id=external_id, lines=lines, status="paid", **extra)


def planned_units(order):
    units = {}
    for line in ParcelLine.objects.filter(order=order, parcel__status__in=Parcel.ACTIVE):
        units[line.order_line_id] = units.get(line.order_line_id, 0) + line.quantity
    return units


def ordered_units(order):
    return dict(order.lines.values_list("pk", "quantity"))


def timeline_actions(order):
    return list(
        AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk)).values_list("action", flat=True)
    )


def test_merge_boxes_two_channels_orders_of_one_buyer_and_keeps_the_money(goods):
    tmall, jd = ChannelFactory(code="tmall"), ChannelFactory(code="jd")
    a = paid(tmall, "A-1", (("TEA-001", 2),))
    b = paid(jd, "B-1", (("CUP-002", 1), ("POT-003", 3)))
    totals = (a.total_amount, b.total_amount)

    parcel = parcels.orders_merge(order_ids=[b.pk, a.pk], actor=TEST_ACTOR)

    assert parcel.kind == Parcel.MERGED and parcel.status == Parcel.PLANNED
    assert planned_units(a) == ordered_units(a) and planned_units(b) == ordered_units(b)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.total_amount, b.total_amount) == totals
    assert (a.status, b.status) == ("paid", "paid")
    assert parcels.PARCEL_MERGED in timeline_actions(a) and parcels.PARCEL_MERGED in timeline_actions(b)
    assert {o["number"] for o in parcels.parcel_representation(parcel)["orders"]} == {a.number, b.number}


def test_merge_refused_for_another_address_and_changes_nothing(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    b = paid(channel, "B-1", (("TEA-001", 1),))
    Order.objects.filter(pk=b.pk).update(address_line="文三路 91 号")

    with pytest.raises(parcels.MergeRefused) as refused:
        parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)

    assert "another buyer or address" in refused.value.details["order_ids[1]"]
    assert not Parcel.objects.exists()


def test_merge_refused_for_another_buyer(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    other = order_services.OrderInput(
        channel=channel,
        external_id="B-1",
        customer=order_services.CustomerInput(name="李娜", phone="13900139000"),
        shipping_address=order_services.AddressInput(
            province="浙江省", city="杭州市", district="西湖区", line="文三路 90 号"
        ),
        lines=[order_services.LineInput(sku="TEA-001", quantity=1)],
        status="paid",
    )
    b, _ = order_services.order_create(data=other, actor=TEST_ACTOR)

    with pytest.raises(parcels.MergeRefused):
        parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)


def test_merge_refused_for_a_shipped_order(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    b = paid(channel, "B-1", (("TEA-001", 1),))
    order_services.order_transition(order_id=b.pk, to="shipped", actor=TEST_ACTOR)

    with pytest.raises(parcels.MergeRefused) as refused:
        parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)

    assert "shipped" in refused.value.details["order_ids[1]"]


def test_merge_refused_for_an_unpaid_or_held_order(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    b = create_order(channel, external_id="B-1", lines=(("TEA-001", 1),))

    with pytest.raises(parcels.MergeRefused):
        parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)


def test_merge_input_is_checked(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    with pytest.raises(parcels.InvalidInput):
        parcels.orders_merge(order_ids=[a.pk], actor=TEST_ACTOR)
    with pytest.raises(parcels.InvalidInput):
        parcels.orders_merge(order_ids=[a.pk, a.pk], actor=TEST_ACTOR)
    with pytest.raises(parcels.NotFound):
        parcels.orders_merge(order_ids=[a.pk, 999999], actor=TEST_ACTOR)


def test_suggestions_find_same_buyer_and_address_across_channels(goods):
    tmall, jd = ChannelFactory(code="tmall"), ChannelFactory(code="jd")
    a = paid(tmall, "A-1", (("TEA-001", 1),))
    b = paid(jd, "B-1", (("TEA-001", 1),))
    lone = paid(tmall, "C-1", (("TEA-001", 1),))
    Order.objects.filter(pk=lone.pk).update(city="宁波市")

    suggestions = parcels.merge_suggestions()

    assert [[o["id"] for o in s["orders"]] for s in suggestions] == [[a.pk, b.pk]]
    assert parcels.merge_suggestions(order_id=lone.pk) == []
    parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)
    assert parcels.merge_suggestions() == []


def test_unmerge_gives_each_order_its_own_parcel(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    b = paid(channel, "B-1", (("CUP-002", 2),))
    merged = parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)

    singles = parcels.parcel_unmerge(parcel_id=merged.pk, actor=TEST_ACTOR)

    merged.refresh_from_db()
    assert merged.status == Parcel.CANCELLED
    assert [p.kind for p in singles] == [Parcel.SINGLE, Parcel.SINGLE]
    assert planned_units(a) == ordered_units(a) and planned_units(b) == ordered_units(b)
    assert parcels.PARCEL_UNMERGED in timeline_actions(a)


def test_unmerge_refused_once_shipped(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    b = paid(channel, "B-1", (("CUP-002", 2),))
    merged = parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)
    parcels.parcel_waybill_record(
        parcel_id=merged.pk,
        courier="sf",
        carrier="",
        tracking_no="SF1000000000001",
        waybill={},
        idempotency_key="k1",
        actor=TEST_ACTOR,
    )
    parcels.parcel_ship(parcel_id=merged.pk, actor=TEST_ACTOR)

    with pytest.raises(parcels.ParcelNotChangeable):
        parcels.parcel_unmerge(parcel_id=merged.pk, actor=TEST_ACTOR)


def test_merged_parcel_ships_each_order_with_its_own_shipment_and_both_are_delivered(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 1),))
    b = paid(channel, "B-1", (("CUP-002", 2),))
    merged = parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)
    parcels.parcel_waybill_record(
        parcel_id=merged.pk,
        courier="sf",
        carrier="",
        tracking_no="SF1000000000001",
        waybill={},
        idempotency_key="k1",
        actor=TEST_ACTOR,
    )

    parcels.parcel_ship(parcel_id=merged.pk, actor=TEST_ACTOR)
    parcels.parcel_ship(parcel_id=merged.pk, actor=TEST_ACTOR)  # a repeat changes nothing

    shipments = list(Shipment.objects.filter(tracking_no="SF1000000000001").order_by("order_id"))
    assert [s.order_id for s in shipments] == [a.pk, b.pk]
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == ("shipped", "shipped")
    from datetime import UTC, datetime

    tracking_events_apply(
        courier="sf",
        tracking_no="SF1000000000001",
        events=[TrackingInput(occurred_at=datetime(2026, 1, 1, tzinfo=UTC), status="signed")],
        actor=TEST_ACTOR,
        source="tests",
    )
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == ("delivered", "delivered")


def test_split_by_warehouse_and_partial_shipment(goods):
    split_channel = ChannelFactory(code="split", allow_split_lines=True)
    main, north = goods
    StockItem.objects.filter(sku="POT-003", warehouse=main).update(on_hand=2)
    order = paid(split_channel, "S-1", (("TEA-001", 1), ("POT-003", 5)))
    assert {r.stock_item.warehouse_id for r in Reservation.objects.filter(order=order)} == {main.pk, north.pk}

    boxes = parcels.order_split(order_id=order.pk, by="warehouse", actor=TEST_ACTOR)

    assert sorted(b.warehouse_id for b in boxes) == sorted([main.pk, north.pk])
    assert planned_units(order) == ordered_units(order)
    for n, box in enumerate(boxes):
        parcels.parcel_waybill_record(
            parcel_id=box.pk,
            courier="sf",
            carrier="",
            tracking_no=f"SF20000000000{n}",
            waybill={},
            idempotency_key=f"s{n}",
            actor=TEST_ACTOR,
        )
    parcels.parcel_ship(parcel_id=boxes[0].pk, actor=TEST_ACTOR)
    order.refresh_from_db()
    assert order.status == "processing"  # one of two parcels left: not shipped yet
    parcels.parcel_ship(parcel_id=boxes[1].pk, actor=TEST_ACTOR)
    order.refresh_from_db()
    assert order.status == "shipped"

    from datetime import UTC, datetime

    signed = [TrackingInput(occurred_at=datetime(2026, 1, 1, tzinfo=UTC), status="signed")]
    tracking_events_apply(courier="sf", tracking_no="SF200000000000", events=signed, actor=TEST_ACTOR, source="t")
    order.refresh_from_db()
    assert order.status == "shipped"  # the first parcel signed, the second on its way
    tracking_events_apply(courier="sf", tracking_no="SF200000000001", events=signed, actor=TEST_ACTOR, source="t")
    order.refresh_from_db()
    assert order.status == "delivered"


def test_split_by_availability_sends_presale_later(goods, channel):
    order = paid(channel, "P-1", (("TEA-001", 2), ("CUP-002", 1)))

    now, later = parcels.order_split(order_id=order.pk, by="availability", later_skus=["CUP-002"], actor=TEST_ACTOR)

    assert [(x.order_line.sku, x.quantity) for x in now.lines.all()] == [("TEA-001", 2)]
    assert [(x.order_line.sku, x.quantity) for x in later.lines.all()] == [("CUP-002", 1)]
    assert "later" in later.note


def test_split_by_hand_must_hold_every_unit_exactly(goods, channel):
    order = paid(channel, "H-1", (("TEA-001", 3),))
    line = order.lines.get()
    with pytest.raises(parcels.InvalidInput):
        parcels.order_split(
            order_id=order.pk,
            parcels=[[{"line": line.pk, "quantity": 1}], [{"line": line.pk, "quantity": 1}]],
            actor=TEST_ACTOR,
        )
    with pytest.raises(parcels.SplitRefused):
        parcels.order_split(order_id=order.pk, by="warehouse", actor=TEST_ACTOR)  # one warehouse
    boxes = parcels.order_split(
        order_id=order.pk,
        parcels=[[{"line": line.pk, "quantity": 1}], [{"line": line.pk, "quantity": 2}]],
        actor=TEST_ACTOR,
    )
    assert [b.lines.get().quantity for b in boxes] == [1, 2]


def test_split_of_a_merged_order_is_refused(goods, channel):
    a = paid(channel, "A-1", (("TEA-001", 2),))
    b = paid(channel, "B-1", (("CUP-002", 2),))
    parcels.orders_merge(order_ids=[a.pk, b.pk], actor=TEST_ACTOR)
    with pytest.raises(parcels.SplitRefused):
        parcels.order_split(order_id=a.pk, by="availability", later_skus=["TEA-001"], actor=TEST_ACTOR)


def test_waybill_record_is_idempotent_on_its_key(goods, channel):
    order = paid(channel, "W-1", (("TEA-001", 1),))
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)
    args = dict(courier="sf", carrier="", tracking_no="SF3", waybill={}, idempotency_key="same", actor=TEST_ACTOR)

    first, created = parcels.parcel_waybill_record(parcel_id=parcel.pk, **args)
    again, created_again = parcels.parcel_waybill_record(parcel_id=parcel.pk, **args)

    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert timeline_actions(order).count(parcels.PARCEL_WAYBILLED) == 1


# --- the property: any sequence of merges, un-merges and splits conserves money and units ----------

operation = st.one_of(  # merges, un-merges, splits and hand-overs, in any order
    st.tuples(st.just("merge"), st.lists(st.integers(0, 4), min_size=2, max_size=5, unique=True)),
    st.tuples(st.just("unmerge"), st.integers(0, 4)),
    st.tuples(st.just("split"), st.integers(0, 4), st.sampled_from(["warehouse", "availability", "hand"])),
    st.tuples(st.just("ship"), st.integers(0, 4)),
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=8), addresses=st.lists(st.booleans(), min_size=5, max_size=5))
def test_random_merges_and_splits_conserve_money_units_and_stock(ops, addresses):
    # Each example in its own savepoint, rolled back: examples share the test's transaction.
    with pytest.raises(_Rollback), transaction.atomic():
        _merges_and_splits(ops, addresses)
        raise _Rollback


class _Rollback(Exception):
    pass


def _merges_and_splits(ops, addresses):
    main = WarehouseFactory(code="sh-main", priority=1)
    north = WarehouseFactory(code="bj-north", priority=2)
    for sku in ("TEA-001", "CUP-002", "POT-003"):
        ProductFactory(sku=sku, price="50.00")
        StockItemFactory(sku=sku, warehouse=main, on_hand=1000)
    StockItemFactory(sku="POT-003", warehouse=north, on_hand=1000)
    channels = [ChannelFactory(code="tmall", allow_split_lines=True), ChannelFactory(code="jd")]
    orders = []
    for n in range(5):
        order = paid(channels[n % 2], f"P-{n}", (("TEA-001", 1 + n), ("CUP-002", 2), ("POT-003", 1 + n % 3)))
        if addresses[n]:
            Order.objects.filter(pk=order.pk).update(city="宁波市")
        orders.append(order)
    money = {o.pk: (o.goods_amount, o.total_amount) for o in Order.objects.all()}
    reservations = sorted(Reservation.objects.values_list("pk", "state", "quantity", "stock_item_id"))
    stock = sorted(StockItem.objects.values_list("pk", "on_hand", "reserved"))
    ledger = (StockMovement.objects.count(), stock_ledger_differences())

    for op in ops:
        try:
            if op[0] == "merge":
                parcels.orders_merge(order_ids=[orders[i].pk for i in op[1]], actor=TEST_ACTOR)
            elif op[0] == "ship":
                # the order's first parcel not gone yet: waybilled and handed over
                waiting = [p for p in parcels.order_parcels_ensure(order_id=orders[op[1]].pk, actor=TEST_ACTOR)]
                waiting = [p for p in waiting if p.status != Parcel.SHIPPED]
                if waiting:
                    box = waiting[0]
                    parcels.parcel_waybill_record(
                        parcel_id=box.pk,
                        courier="sf",
                        carrier="",
                        tracking_no=f"SF{box.pk:013d}",
                        waybill={},
                        idempotency_key=f"prop:{box.pk}",
                        actor=TEST_ACTOR,
                    )
                    parcels.parcel_ship(parcel_id=box.pk, actor=TEST_ACTOR)
            elif op[0] == "unmerge":
                mine = parcels.parcels_of_order(order_id=orders[op[1]].pk)
                if mine:
                    parcels.parcel_unmerge(parcel_id=mine[0].pk, actor=TEST_ACTOR)
            else:
                order = orders[op[1]]
                if op[2] == "hand":
                    boxes = [[{"line": pk, "quantity": q}] for pk, q in order.lines.values_list("pk", "quantity")]
                    parcels.order_split(order_id=order.pk, parcels=boxes, actor=TEST_ACTOR)
                else:
                    parcels.order_split(order_id=order.pk, by=op[2], later_skus=["CUP-002"], actor=TEST_ACTOR)
        except (parcels.MergeRefused, parcels.SplitRefused, parcels.ParcelNotChangeable, parcels.Conflict):
            pass

    for order in orders:
        units = planned_units(order)
        assert units in ({}, ordered_units(order))  # every unit in exactly one active parcel, or unplanned
    # a merged parcel only ever carries one buyer's one address
    for parcel in Parcel.objects.filter(kind=Parcel.MERGED, status__in=Parcel.ACTIVE):
        keys = {parcels.address_key(line.order) for line in parcel.lines.select_related("order")}
        assert len(keys) == 1
    assert {o.pk: (o.goods_amount, o.total_amount) for o in Order.objects.all()} == money
    # partial shipment: shipped exactly when every one of its parcels has left
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
        mine = parcels.parcels_of_order(order_id=order.pk)
        left = [p for p in mine if p.status == Parcel.SHIPPED]
        if mine and len(left) == len(mine):
            assert order.status == "shipped"
        else:
            assert order.status == ("processing" if left else order.status) and order.status in ("paid", "processing")
        assert Shipment.objects.filter(order=order).count() == len(left)
    assert sorted(Reservation.objects.values_list("pk", "state", "quantity", "stock_item_id")) == reservations
    assert sorted(StockItem.objects.values_list("pk", "on_hand", "reserved")) == stock
    assert (StockMovement.objects.count(), stock_ledger_differences()) == ledger
    assert sum(o.total_amount for o in Order.objects.all()) == sum((m[1] for m in money.values()), start=Decimal("0"))
