"""A stateful property test: any interleaving of stock work keeps every stock invariant after every step.

Creates (pending or paid), payments (in time and late), cancellations, the payment-timeout sweep,
adjustments and returns are drawn by hypothesis in any order; after each step:

- ``0 <= reserved <= on_hand`` on every stock row;
- ``reserved`` equals the sum of the row's active reservations;
- replaying the ledger gives every row (``stock_ledger_differences`` is empty);
- each order holds exactly its lines: active reservations while unpaid, committed ones while paid,
  none once cancelled.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from commerce.inventory.errors import InsufficientStock, StockBelowZero
from commerce.inventory.models import Reservation, StockItem
from commerce.inventory.selectors import stock_ledger_differences
from commerce.inventory.services import stock_adjust, stock_restock
from commerce.orders import services as order_services
from commerce.orders.expiry import order_payment_record, orders_expire_unpaid
from commerce.orders.models import Order
from core.errors import InvalidInput
from tests.factories import TEST_ACTOR, ChannelFactory, ProductFactory, WarehouseFactory, order_input

SKUS = ("TEA-001", "CUP-002")
WAREHOUSES = ("sh-main", "bj-north")

lines_strategy = st.lists(
    st.tuples(st.sampled_from(SKUS), st.integers(min_value=1, max_value=6)), min_size=1, max_size=3
)


class StockWork(RuleBasedStateMachine):
    """Each example runs in a savepoint that ``teardown`` rolls back, so examples never see each other."""

    def __init__(self):
        super().__init__()
        self._example = transaction.atomic()
        self._example.__enter__()
        self.channel = ChannelFactory(code="prop", allow_split_lines=False)
        self.splitting = ChannelFactory(code="prop-split", allow_split_lines=True)
        for priority, code in enumerate(WAREHOUSES, start=1):
            WarehouseFactory(code=code, priority=priority)
        for sku in SKUS:
            ProductFactory(sku=sku)
        for sku, warehouse, quantity in (
            ("TEA-001", "sh-main", 8),
            ("TEA-001", "bj-north", 4),
            ("CUP-002", "sh-main", 5),
        ):
            stock_adjust(
                sku=sku, warehouse_code=warehouse, delta=quantity, kind="receipt", reason="receipt", actor=TEST_ACTOR
            )
        self.external_ids = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    def _orders(self, *statuses_wanted: str, cancel_reason: str | None = None) -> list[int]:
        qs = Order.objects.filter(status__in=statuses_wanted)
        if cancel_reason is not None:
            qs = qs.filter(cancel_reason=cancel_reason)
        return list(qs.order_by("id").values_list("id", flat=True))

    # --- rules ---------------------------------------------------------------------------------

    @rule(lines=lines_strategy, paid=st.booleans(), split=st.booleans())
    def create(self, lines, paid, split):
        self.external_ids += 1
        data = order_input(
            self.splitting if split else self.channel,
            external_id=f"P-{self.external_ids}",
            lines=tuple(lines),
            status="paid" if paid else "pending_payment",
        )
        try:
            order_services.order_create(data=data, actor=TEST_ACTOR)
        except InsufficientStock:
            pass

    @precondition(lambda self: self._orders("pending_payment"))
    @rule(data=st.data())
    def pay_in_time(self, data):
        order_id = data.draw(st.sampled_from(self._orders("pending_payment")))
        assert order_payment_record(order_id=order_id, actor=TEST_ACTOR).outcome == "paid"

    @precondition(lambda self: self._orders("cancelled", cancel_reason="payment_timeout"))
    @rule(data=st.data())
    def pay_late(self, data):
        order_id = data.draw(st.sampled_from(self._orders("cancelled", cancel_reason="payment_timeout")))
        outcome = order_payment_record(order_id=order_id, actor=TEST_ACTOR).outcome
        assert outcome in ("reopened", "held", "ignored")

    @precondition(lambda self: self._orders("pending_payment", "paid", "processing"))
    @rule(data=st.data())
    def cancel(self, data):
        order_id = data.draw(st.sampled_from(self._orders("pending_payment", "paid", "processing")))
        order_services.order_transition(order_id=order_id, to="cancelled", actor=TEST_ACTOR, reason="customer")

    @precondition(lambda self: self._orders("paid"))
    @rule(data=st.data())
    def start_processing(self, data):
        order_id = data.draw(st.sampled_from(self._orders("paid")))
        order_services.order_transition(order_id=order_id, to="processing", actor=TEST_ACTOR)

    @rule(limit=st.integers(min_value=1, max_value=3))
    def expire(self, limit):
        before = len(self._orders("pending_payment"))
        expired = orders_expire_unpaid(now=timezone.now() + timedelta(minutes=16), limit=limit)
        assert expired == min(before, limit)

    @rule(sku=st.sampled_from(SKUS), warehouse=st.sampled_from(WAREHOUSES), delta=st.integers(-12, 12))
    def adjust(self, sku, warehouse, delta):
        try:
            stock_adjust(
                sku=sku, warehouse_code=warehouse, delta=delta, kind="adjustment", reason="count", actor=TEST_ACTOR
            )
        except (StockBelowZero, InvalidInput):
            pass

    @rule(sku=st.sampled_from(SKUS), warehouse=st.sampled_from(WAREHOUSES), quantity=st.integers(1, 4))
    def customer_return(self, sku, warehouse, quantity):
        stock_restock(sku=sku, warehouse_code=warehouse, quantity=quantity, actor=TEST_ACTOR, reason="return")

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def counters_stay_in_bounds(self):
        for on_hand, reserved in StockItem.objects.values_list("on_hand", "reserved"):
            assert 0 <= reserved <= on_hand

    @invariant()
    def rows_match_ledger_and_reservations(self):
        assert stock_ledger_differences() == []

    @invariant()
    def each_order_holds_exactly_its_lines(self):
        for order in Order.objects.prefetch_related("lines"):
            wanted = sum(line.quantity for line in order.lines.all())
            held = dict(
                Reservation.objects.filter(order=order)
                .values("state")
                .annotate(total=Sum("quantity"))
                .values_list("state", "total")
            )
            active, committed = held.get("active", 0), held.get("committed", 0)
            if order.status == "pending_payment":
                assert (active, committed) == (wanted, 0)
            elif order.status in ("paid", "processing"):
                assert (active, committed) == (0, wanted)
            else:
                assert (active, committed) == (0, 0)


@pytest.mark.django_db
def test_any_interleaving_of_stock_work_keeps_the_invariants():
    run_state_machine_as_test(
        StockWork,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
