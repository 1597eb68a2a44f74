"""Concurrent merges, splits and waybills of overlapping orders (PostgreSQL): every unit stays in exactly one parcel."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from commerce.shipments import parcels
from commerce.shipments.models import Parcel, ParcelLine
from tests.factories import TEST_ACTOR, create_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_all(tasks) -> list:
    gate = threading.Event()

    def call(task):
        gate.wait(timeout=30)
        try:
            return task()
        except (parcels.MergeRefused, parcels.SplitRefused, parcels.ParcelNotChangeable) as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(call, task) for task in tasks]
        gate.set()
        return [future.result(timeout=120) for future in futures]


def test_overlapping_merges_and_a_split_racing_leave_every_unit_in_one_parcel(channel, stocked):
    orders = [create_order(channel, external_id=f"R-{n}", lines=(("TEA-001", 2),), status="paid") for n in range(4)]
    a, b, c, d = (o.pk for o in orders)
    line_b = orders[1].lines.get().pk
    half = [{"line": line_b, "quantity": 1}]

    outcomes = _run_all(
        [
            lambda: parcels.orders_merge(order_ids=[a, b], actor=TEST_ACTOR),
            lambda: parcels.orders_merge(order_ids=[b, c], actor=TEST_ACTOR),
            lambda: parcels.orders_merge(order_ids=[c, d], actor=TEST_ACTOR),
            lambda: parcels.order_split(order_id=b, parcels=[half, half], actor=TEST_ACTOR),
        ]
    )

    assert any(isinstance(o, Parcel) for o in outcomes)
    for order in orders:
        units = sum(
            ParcelLine.objects.filter(order=order, parcel__status__in=Parcel.ACTIVE).values_list("quantity", flat=True)
        )
        assert units in (0, 2), (order.number, units, outcomes)
    # no order is in two active merged parcels
    for order in orders:
        merged = ParcelLine.objects.filter(order=order, parcel__status__in=Parcel.ACTIVE, parcel__kind=Parcel.MERGED)
        assert merged.values("parcel").distinct().count() <= 1


def test_the_same_waybill_recorded_twice_at_once_is_recorded_once(channel, stocked):
    order = create_order(channel, external_id="W-1", status="paid")
    [parcel] = parcels.order_parcels_ensure(order_id=order.pk, actor=TEST_ACTOR)

    def record():
        return parcels.parcel_waybill_record(
            parcel_id=parcel.pk,
            courier="sf",
            carrier="",
            tracking_no="SF7000000000001",
            waybill={},
            idempotency_key="same-key",
            actor=TEST_ACTOR,
        )[1]

    outcomes = _run_all([record] * 6)

    assert sorted(outcomes) == [False] * 5 + [True]  # the waiters answer the first one's waybill
    parcel.refresh_from_db()
    assert (parcel.status, parcel.tracking_no) == (Parcel.WAYBILLED, "SF7000000000001")
