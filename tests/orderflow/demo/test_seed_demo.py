"""``seed_demo``: the demo data is complete, consistent, dated in the past, and loads only once."""

from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.catalog.models import Product
from commerce.channels.models import Channel
from commerce.customers.models import Customer
from commerce.inventory.models import ChannelWarehouse, Reservation, StockItem, StockMovement, Warehouse
from commerce.orders import statuses
from commerce.orders.models import Order, OrderLine, OrderTag
from commerce.outbox.models import OutboxEvent
from orderflow.demo import plan
from orderflow.demo.services import demo_seed

ORDERS = 60
PRODUCTS = 30


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", orders=ORDERS, products=PRODUCTS, stdout=out, **options)
    return out.getvalue()


def _state() -> dict:
    """Everything a run could write, counted and summed."""
    stock = StockItem.objects.aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"), safety=Sum("safety_stock"))
    return {
        "users": get_user_model().objects.count(),
        "channels": Channel.objects.count(),
        "channel_warehouses": ChannelWarehouse.objects.count(),
        "warehouses": Warehouse.objects.count(),
        "products": Product.objects.count(),
        "stock_items": StockItem.objects.count(),
        "stock": stock,
        "movements": StockMovement.objects.count(),
        "reservations": list(Reservation.objects.values_list("id", "state", "expires_at")),
        "customers": list(Customer.objects.values_list("phone", "created_at", "credit_level", "tags")),
        "orders": list(Order.objects.values_list("id", "status", "on_hold", "updated_at")),
        "lines": OrderLine.objects.count(),
        "tags": OrderTag.objects.count(),
        "audit": AuditEntry.objects.count(),
        "events": OutboxEvent.objects.count(),
        "pending_events": OutboxEvent.objects.filter(dispatched_at__isnull=True).count(),
    }


@pytest.mark.django_db
def test_seed_creates_users_channels_warehouses_catalogue_and_orders():
    output = _seed()

    User = get_user_model()
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    assert sorted(users) == ["admin", "finance", "manager", "operator", "supervisor"]
    for username, user in users.items():
        assert [g.name for g in user.groups.all()] == [username]
        assert user.check_password("orderflow-demo")
        assert (user.is_staff, user.is_superuser) == ((True, True) if username == "admin" else (False, False))
    assert sorted(Channel.objects.values_list("code", flat=True)) == [
        "douyin",
        "jd",
        "manual",
        "pdd",
        "shopify",
        "tmall",
        "wechat_mini",
    ]
    assert set(Channel.objects.values_list("currency", flat=True)) == {"CNY"}
    assert Channel.objects.get(code="manual").kind == Channel.MANUAL
    assert list(Warehouse.objects.values_list("code", flat=True)) == [
        "sh-jiading",
        "gz-baiyun",
        "cd-shuangliu",
        "bj-shunyi",
    ]
    assert list(ChannelWarehouse.objects.filter(channel__code="jd").values_list("warehouse__code", "rank")) == [
        ("bj-shunyi", 1),
        ("sh-jiading", 2),
        ("gz-baiyun", 3),
    ]
    assert Product.objects.count() == PRODUCTS + 1
    gift = Product.objects.get(sku="GIFT-TOTE")
    assert (gift.title, str(gift.price)) == ("帆布袋", "0.00")
    assert Product.objects.filter(sku="TEA-0001").exists()
    assert Order.objects.count() == ORDERS
    assert set(Order.objects.values_list("channel__code", flat=True)) <= {c[0] for c in plan.data.CHANNELS}
    assert all(external_id.startswith("DEMO-") for external_id in Order.objects.values_list("external_id", flat=True))
    assert "operator     operator     orderflow-demo" in output


@pytest.mark.django_db
def test_second_run_changes_nothing():
    _seed()
    before = _state()

    output = _seed()

    assert _state() == before
    assert "0 users, 0 channels, 0 warehouses, 0 products, 0 stock rows, 0 orders created" in output
    assert "admin        admin        orderflow-demo" in output


@pytest.mark.django_db
def test_a_larger_run_adds_only_what_is_missing():
    _seed()
    first_orders = set(Order.objects.values_list("external_id", "updated_at"))

    call_command("seed_demo", orders=ORDERS + 10, products=PRODUCTS + 6, stdout=StringIO())

    assert Product.objects.count() == PRODUCTS + 7
    assert Order.objects.count() == ORDERS + 10
    assert first_orders <= set(Order.objects.values_list("external_id", "updated_at"))


@pytest.mark.django_db
def test_stock_agrees_with_reservations_and_ledger():
    _seed()

    for row in StockItem.objects.all():
        active = Reservation.objects.filter(stock_item=row, state=Reservation.ACTIVE).aggregate(q=Sum("quantity"))
        assert row.reserved == (active["q"] or 0), row.sku
        on_hand = reserved = 0
        for kind, quantity in StockMovement.objects.filter(stock_item=row).values_list("kind", "quantity"):
            on_hand_effect, reserved_effect = StockMovement.EFFECT[kind]
            on_hand += on_hand_effect * quantity
            reserved += reserved_effect * quantity
        assert (row.on_hand, row.reserved) == (on_hand, reserved), row.sku
        assert row.available >= 0
    # Unpaid orders hold stock; nothing else does.
    pending = Order.objects.filter(status=statuses.PENDING_PAYMENT)
    assert set(Reservation.objects.filter(state=Reservation.ACTIVE).values_list("order_id", flat=True)) == set(
        pending.values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_orders_are_dated_over_the_last_month_and_tell_a_consistent_story():
    _seed()
    now = timezone.now()

    for order in Order.objects.all():
        assert now - timedelta(days=plan.DAYS + 1) <= order.placed_at <= now
        assert order.created_at == order.placed_at
        assert order.placed_at <= order.status_changed_at <= order.updated_at <= now
        paid = order.status in (
            statuses.PAID,
            statuses.PROCESSING,
            statuses.SHIPPED,
            statuses.DELIVERED,
            statuses.COMPLETED,
        )
        if paid:
            assert order.placed_at <= order.paid_at <= order.status_changed_at
        if order.status == statuses.PENDING_PAYMENT or order.cancel_reason in ("payment_timeout", "buyer_cancelled"):
            assert order.paid_at is None
        if order.on_hold:
            assert order.status == statuses.PAID
            assert "risk" in order.tag_rows.values_list("name", flat=True)
        assert order.total_amount == order.goods_amount + order.shipping_amount - order.discount_amount


@pytest.mark.django_db
def test_an_unpaid_order_holds_its_stock_until_its_own_payment_timeout(monkeypatch):
    planned = plan.OrderPlanner.order

    def placed_two_minutes_ago_and_paying_in_ten(self, index):
        return replace(planned(self, index), burst_minutes=2.0, fate=plan.FULFILLED, pay_minutes=10.0)

    monkeypatch.setattr(plan.OrderPlanner, "order", placed_two_minutes_ago_and_paying_in_ten)
    now = timezone.now()

    demo_seed(orders=3, products=PRODUCTS, password="orderflow-demo", now=now)

    assert list(Order.objects.values_list("status", "paid_at")) == [(statuses.PENDING_PAYMENT, None)] * 3
    reservations = Reservation.objects.select_related("order__channel")
    assert reservations and {r.state for r in reservations} == {Reservation.ACTIVE}
    for reservation in reservations:
        timeout = timedelta(minutes=reservation.order.channel.payment_timeout_minutes)
        assert reservation.order.placed_at == now - timedelta(minutes=2)
        assert reservation.expires_at == reservation.order.placed_at + timeout


@pytest.mark.django_db
def test_seed_events_are_stored_as_already_dispatched():
    _seed()

    assert OutboxEvent.objects.filter(name="order.created").count() == ORDERS
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert set(AuditEntry.objects.values_list("actor_label", "source").distinct()) == {("seed_demo", "seed")}


@pytest.mark.django_db
def test_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ORDERFLOW_DEMO_PASSWORD", "s3cret-demo-pass")

    output = _seed()

    assert get_user_model().objects.get(username="finance").check_password("s3cret-demo-pass")
    assert "finance      finance      s3cret-demo-pass" in output


@pytest.mark.django_db
def test_a_password_changed_since_is_neither_reset_nor_shown():
    _seed()
    user = get_user_model().objects.get(username="manager")
    user.set_password("my-own-password")
    user.save()

    output = _seed()

    user.refresh_from_db()
    assert user.check_password("my-own-password")
    assert "manager      manager      (changed since; not reset)" in output


def test_plans_are_the_same_on_every_run():
    products = plan.product_plans(PRODUCTS)

    assert products == plan.product_plans(PRODUCTS)
    assert [p.sku for p in products[:7]] == [
        "TEA-0001",
        "SNK-0001",
        "COS-0001",
        "APP-0001",
        "HOM-0001",
        "ELC-0001",
        "TEA-0002",
    ]
    assert products[-1].sku == "GIFT-TOTE"
    assert plan.OrderPlanner(products, ORDERS).order(7) == plan.OrderPlanner(products, ORDERS).order(7)


def test_timelines_only_move_forward_and_never_into_the_future():
    products = plan.product_plans(PRODUCTS)
    planner = plan.OrderPlanner(products, 500)
    now = timezone.now()

    for index in range(500):
        timeline = plan.order_timeline(planner.order(index), now=now, payment_timeout_minutes=15)
        times = [timeline.placed_at] + [at for _status, at, _reason in timeline.steps]
        ranks = [statuses.RANK[status] for status, _at, _reason in timeline.steps]
        assert times == sorted(times) and times[-1] <= now
        assert ranks == sorted(ranks)
        current = statuses.PENDING_PAYMENT
        for status, _at, _reason in timeline.steps:
            assert statuses.is_allowed(current, status)
            current = status
