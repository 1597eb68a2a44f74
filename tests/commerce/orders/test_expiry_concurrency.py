"""The payment-timeout sweep under real concurrency (PostgreSQL): two workers, locked rows, racing payments."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.inventory.models import StockItem
from commerce.inventory.selectors import stock_ledger_differences
from commerce.inventory.services import stock_adjust
from commerce.orders.expiry import order_payment_record, orders_expire_unpaid
from commerce.orders.lock_objects import order_lock
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LATER = timedelta(minutes=16)


@pytest.fixture
def shelf(product, warehouse):
    return stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=100, kind="receipt", reason="receipt PO-1", actor=TEST_ACTOR
    )


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_two_sweeps_at_once_cancel_each_order_exactly_once(channel, shelf):
    orders = [create_order(channel, external_id=f"E-{n}", lines=(("TEA-001", 1),)) for n in range(30)]
    now = timezone.now() + LATER
    gate = threading.Barrier(2)

    @_in_thread
    def sweep(_n):
        gate.wait(timeout=10)
        return orders_expire_unpaid(now=now)

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(sweep, range(2)))

    assert sum(counts) == 30
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    for order in orders:
        assert OutboxEvent.objects.filter(name="order.cancelled", subject_id=str(order.pk)).count() == 1
        assert OutboxEvent.objects.filter(name="inventory.reservation_expired", subject_id=str(order.pk)).count() == 1
    assert AuditEntry.objects.filter(action="transitioned", changes__reason="payment_timeout").count() == 30
    assert StockItem.objects.values_list("on_hand", "reserved").get() == (100, 0)
    assert stock_ledger_differences() == []


def test_the_sweep_passes_over_an_order_someone_holds_and_takes_it_next_time(channel, shelf):
    held = create_order(channel, external_id="E-1", lines=(("TEA-001", 1),))
    free = create_order(channel, external_id="E-2", lines=(("TEA-001", 1),))
    now = timezone.now() + LATER
    locked, let_go = threading.Event(), threading.Event()

    @_in_thread
    def hold_the_row():
        with transaction.atomic():
            order_lock(held.pk)
            locked.set()
            let_go.wait(timeout=30)

    with ThreadPoolExecutor(max_workers=2) as pool:
        holding = pool.submit(hold_the_row)
        assert locked.wait(timeout=10)
        first_run = pool.submit(_in_thread(lambda: orders_expire_unpaid(now=now))).result(timeout=30)
        let_go.set()
        holding.result(timeout=30)

    assert first_run == 1
    assert dict(Order.objects.values_list("pk", "status")) == {held.pk: "pending_payment", free.pk: "cancelled"}
    assert orders_expire_unpaid(now=now) == 1
    assert Order.objects.get(pk=held.pk).status == "cancelled"


def test_payments_racing_the_sweep_are_never_lost_and_never_oversell(channel, product, warehouse):
    stock_adjust(
        sku="TEA-001", warehouse_code="sh-main", delta=20, kind="receipt", reason="receipt PO-1", actor=TEST_ACTOR
    )
    orders = [create_order(channel, external_id=f"E-{n}", lines=(("TEA-001", 1),)) for n in range(20)]
    now = timezone.now() + LATER
    gate = threading.Event()

    @_in_thread
    def pay(order_id):
        gate.wait(timeout=10)
        return order_payment_record(order_id=order_id, actor=TEST_ACTOR).outcome

    @_in_thread
    def sweep():
        gate.wait(timeout=10)
        return orders_expire_unpaid(now=now)

    with ThreadPoolExecutor(max_workers=8) as pool:
        sweeping = [pool.submit(sweep) for _ in range(2)]
        paying = [pool.submit(pay, order.pk) for order in orders]
        gate.set()
        outcomes = [f.result(timeout=60) for f in paying]
        expired = sum(f.result(timeout=60) for f in sweeping)

    # Each payment found its order either still unpaid or already expired; stock was there for all.
    assert set(outcomes) <= {"paid", "reopened"}
    assert outcomes.count("reopened") == expired
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert StockItem.objects.values_list("on_hand", "reserved").get() == (0, 0)
    assert OutboxEvent.objects.filter(name="payment.received").count() == 20
    assert stock_ledger_differences() == []
