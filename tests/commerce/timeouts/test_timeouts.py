"""Order timeouts: each order past a rule's minutes in its status is announced once per stay, by
channel and product category, and flows act on ``order.timeout``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.catalog.models import Product
from commerce.orders.models import Order
from commerce.orders.services import order_hold, order_release, order_transition
from commerce.outbox.models import OutboxEvent
from commerce.timeouts.models import TimeoutRule
from commerce.timeouts.services import orders_timeout_check
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, ChannelFactory, create_order
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _paid(channel, external_id, minutes_ago, sku="TEA-001"):
    order = create_order(channel, external_id=external_id, lines=((sku, 1),))
    order_transition(order_id=order.pk, to="paid", reason="paid", actor=TEST_ACTOR)
    Order.objects.filter(pk=order.pk).update(status_changed_at=timezone.now() - timedelta(minutes=minutes_ago))
    return order


def _announced():
    return [
        (e.payload["order"]["id"], e.payload["rule"]["name"])
        for e in OutboxEvent.objects.filter(name="order.timeout").order_by("id")
    ]


def test_the_default_rules_are_installed():
    assert list(TimeoutRule.objects.values_list("status", "minutes", "category")) == [
        ("paid", 30, "fresh"),
        ("paid", 120, ""),
    ]


def test_a_paid_order_past_two_hours_is_announced_once_and_one_just_under_is_not(channel, stocked):
    late = _paid(channel, "TM-LATE", 121)
    _paid(channel, "TM-ONTIME", 119)

    assert orders_timeout_check() == 1
    assert orders_timeout_check() == 0  # announced once per stay

    assert _announced() == [(late.pk, "已支付 2 小时未处理")]
    entry = AuditEntry.objects.get(subject_type="order", subject_id=str(late.pk), action="timed_out")
    assert (entry.changes["minutes"], entry.changes["status"]) == (120, "paid")


def test_fresh_goods_time_out_sooner(channel, stocked, warehouse):
    from tests.factories import StockItemFactory

    Product.objects.create(sku="FISH-1", title="鲈鱼", price="58.00", category="fresh")
    StockItemFactory(sku="FISH-1", warehouse=warehouse, on_hand=10)
    fresh = _paid(channel, "TM-FISH", 31, sku="FISH-1")
    _paid(channel, "TM-TEA", 31)

    orders_timeout_check()

    assert _announced() == [(fresh.pk, "生鲜已支付 30 分钟未处理")]


def test_a_rule_of_one_channel_leaves_the_others(channel, stocked):
    jd = ChannelFactory(code="jd", name="京东")
    TimeoutRule.objects.all().delete()
    TimeoutRule.objects.create(name="京东 10 分钟", status="paid", minutes=10, channel=jd)
    tmall = _paid(channel, "TM-1", 60)
    on_jd = _paid(jd, "JD-1", 11)

    orders_timeout_check()

    assert _announced() == [(on_jd.pk, "京东 10 分钟")]
    assert tmall.pk not in [order for order, _ in _announced()]


def test_a_hold_and_release_within_the_stay_is_not_announced_again(channel, stocked):
    order = _paid(channel, "TM-HOLD", 200)
    orders_timeout_check()

    order_hold(order_id=order.pk, reason="check", actor=TEST_ACTOR)
    order_release(order_id=order.pk, actor=TEST_ACTOR)
    orders_timeout_check()

    assert len(_announced()) == 1


def test_a_disabled_rule_announces_nothing(channel, stocked):
    TimeoutRule.objects.update(enabled=False)
    _paid(channel, "TM-OFF", 500)

    assert orders_timeout_check() == 0


def test_a_flow_on_order_timeout_acts_on_the_order(channel, stocked):
    flow = publish(event_flow("order.timeout", [action("flag", "order.tag", {"tag": "超时"})]))
    order = _paid(channel, "TM-FLOW", 121)

    orders_timeout_check()
    outbox_drain(run_inline=10)

    assert Execution.objects.get(flow=flow).status == "succeeded"
    assert list(Order.objects.get(pk=order.pk).tag_rows.values_list("name", flat=True)) == ["超时"]


def test_admins_manage_rules_through_the_api_and_bad_input_changes_nothing(channel):
    admin = client_for("admin")
    created = admin.post(
        "/api/v1/order-timeouts/",
        {"name": "发货 48 小时未签收", "status": "shipped", "minutes": 2880, "channel": "tmall"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["channel"] == "tmall"
    rule_id = created.json()["id"]
    before = TimeoutRule.objects.count()
    for body, field in (
        ({"name": "x", "status": "completed", "minutes": 10}, "status"),
        ({"name": "x", "status": "paid", "minutes": 0}, "minutes"),
        ({"name": "x", "status": "paid", "minutes": 10**9}, "minutes"),
        ({"name": "x", "status": "paid", "minutes": 10, "channel": "nope"}, "channel"),
        ({"name": "x" * 101, "status": "paid", "minutes": 10}, "name"),
        ({"status": "paid", "minutes": 10}, "name"),
    ):
        answer = admin.post("/api/v1/order-timeouts/", body, format="json")
        assert answer.status_code == 400 and field in answer.json()["details"], body
    assert TimeoutRule.objects.count() == before

    patched = admin.patch(f"/api/v1/order-timeouts/{rule_id}/", {"enabled": False}, format="json")
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert client_for("operator").get("/api/v1/order-timeouts/").status_code == 200
    assert client_for("operator").delete(f"/api/v1/order-timeouts/{rule_id}/").status_code == 403
    assert admin.delete(f"/api/v1/order-timeouts/{rule_id}/").status_code == 204
