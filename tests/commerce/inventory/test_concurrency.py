"""Real concurrent transactions against the same stock (PostgreSQL): no oversell, no deadlock, no false shortage."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from commerce.customers.services import customer_get_or_create
from commerce.inventory.errors import InsufficientStock
from commerce.inventory.models import Reservation, StockItem
from commerce.inventory.selectors import stock_ledger_differences
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from tests.factories import TEST_ACTOR, create_order, order_input

from .conftest import receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_all(task, count: int, *, workers: int) -> list:
    """Runs ``task(n)`` for n in range(count) on ``workers`` threads, all released at once by one gate.

    Each call closes its thread's database connection when done, so every transaction is a
    connection of its own and nothing leaks past the test.
    """
    gate = threading.Event()

    def call(n):
        gate.wait(timeout=30)
        try:
            return task(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(call, n) for n in range(count)]
        gate.set()
        return [future.result(timeout=120) for future in futures]


def test_200_buyers_for_50_units_make_exactly_50_orders(channel, product, warehouse):
    receive("TEA-001", "sh-main", 50)

    def buy(n):
        try:
            create_order(channel, external_id=f"FLASH-{n}", lines=(("TEA-001", 1),))
            return "created"
        except InsufficientStock as short:
            return short.details

    started = time.monotonic()
    outcomes = _run_all(buy, 200, workers=24)
    elapsed = time.monotonic() - started

    assert outcomes.count("created") == 50
    shortages = [o for o in outcomes if o != "created"]
    assert shortages == [{"sku": "TEA-001", "requested": 1, "available": 0, "line": 0}] * 150
    row = StockItem.objects.get()
    assert (row.on_hand, row.reserved, row.available) == (50, 50, 0)
    assert Order.objects.count() == 50
    assert Reservation.objects.filter(state="active").count() == 50
    assert OutboxEvent.objects.filter(name="order.created").count() == 50
    assert OutboxEvent.objects.filter(name="inventory.low_stock").count() == 1
    out = StringIO()
    call_command("stock_audit", stdout=out)
    assert out.getvalue() == "1 stock row(s) match the ledger and their reservations\n"
    assert elapsed < 20


def test_orders_over_the_same_skus_in_opposite_line_order_never_deadlock(
    channel, product, warehouse, django_db_blocker
):
    from tests.factories import ProductFactory

    ProductFactory(sku="CUP-002", title="青瓷茶杯", price="39.00")
    receive("TEA-001", "sh-main", 1000)
    receive("CUP-002", "sh-main", 1000)

    def order_then_settle(n):
        lines = (("TEA-001", 1), ("CUP-002", 2)) if n % 2 else (("CUP-002", 2), ("TEA-001", 1))
        order = create_order(channel, external_id=f"MIX-{n}", lines=lines)
        to, reason = ("paid", "") if n % 4 < 2 else ("cancelled", "customer")
        order_services.order_transition(order_id=order.pk, to=to, actor=TEST_ACTOR, reason=reason)
        return to

    outcomes = _run_all(order_then_settle, 80, workers=16)

    assert outcomes.count("paid") == 40 and outcomes.count("cancelled") == 40
    assert sorted(StockItem.objects.values_list("sku", "on_hand", "reserved")) == [
        ("CUP-002", 920, 0),
        ("TEA-001", 960, 0),
    ]
    assert stock_ledger_differences() == []


def _wait_until_someone_waits_for_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no transaction ever waited for the stock row")


def test_losing_the_last_unit_to_a_racer_plans_again_from_another_warehouse(channel, product, warehouse):
    from tests.factories import WarehouseFactory

    WarehouseFactory(code="bj-north", name="北京北仓", priority=2)
    receive("TEA-001", "sh-main", 1)
    receive("TEA-001", "bj-north", 5)
    # The buyers share a customer; stored now, so the late buyer waits on nothing but the stock row.
    customer_get_or_create(name="张伟", phone="13800138000")
    reserved_first, let_go = threading.Event(), threading.Event()

    def racer():
        try:
            with transaction.atomic():
                create_order(channel, external_id="RACER", lines=(("TEA-001", 1),))
                reserved_first.set()
                let_go.wait(timeout=30)
        finally:
            connection.close()

    def late_buyer():
        try:
            return create_order(channel, external_id="LATE", lines=(("TEA-001", 1),)).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        racing = pool.submit(racer)
        assert reserved_first.wait(timeout=30)
        buying = pool.submit(late_buyer)  # reads sh-main as free: the racer has not committed
        _wait_until_someone_waits_for_a_lock()
        let_go.set()
        racing.result(timeout=30)
        late_order_id = buying.result(timeout=30)

    served = list(
        Reservation.objects.filter(order_id=late_order_id).values_list("stock_item__warehouse__code", "quantity")
    )
    assert served == [("bj-north", 1)]
    assert sorted(StockItem.objects.values_list("warehouse__code", "on_hand", "reserved")) == [
        ("bj-north", 5, 1),
        ("sh-main", 1, 1),
    ]
    assert stock_ledger_differences() == []


def test_concurrent_first_orders_of_one_new_buyer_store_one_customer(channel, product, warehouse):
    from commerce.customers.models import Customer

    receive("TEA-001", "sh-main", 100)

    outcomes = _run_all(
        lambda n: create_order(channel, external_id=f"FIRST-{n}", lines=(("TEA-001", 1),)).customer_id, 20, workers=10
    )

    customer = Customer.objects.get()
    assert outcomes == [customer.pk] * 20
    assert Order.objects.filter(customer=customer).count() == 20
    assert StockItem.objects.get().reserved == 20


def test_concurrent_repeats_of_one_order_create_it_once(channel, product, warehouse):
    receive("TEA-001", "sh-main", 100)

    outcomes = _run_all(
        lambda n: order_services.order_place(data=order_input(channel, external_id="SAME"), actor=TEST_ACTOR).created,
        12,
        workers=12,
    )

    assert sorted(outcomes) == [False] * 11 + [True]
    assert Order.objects.count() == 1
    assert StockItem.objects.get().reserved == 1
    assert OutboxEvent.objects.filter(name="order.created").count() == 1
    assert stock_ledger_differences() == []
