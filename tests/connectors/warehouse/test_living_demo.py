"""The living demo: a seeded order goes from pending_payment to delivered by itself, tick after tick."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.shipments.models import Shipment
from connectors.demo import living_demo_tick
from connectors.models import Connection, WebhookDelivery
from tests.factories import create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_connections(db):
    from orderflow.demo.services import SeedReport, living_demo_connections_seed

    living_demo_connections_seed(SeedReport())
    return {c.connector: c for c in Connection.objects.filter(sandbox=True)}


def test_the_demo_seed_makes_a_sandbox_for_each_gateway_the_wms_each_courier_and_each_notifier(demo_connections):
    assert sorted(demo_connections) == [
        "alipay",
        "aliyun_sms",
        "dingtalk_robot",
        "email",
        "kuaidi100",
        "sf",
        "wechat_mp",
        "wechatpay",
        "wecom_robot",
        "wms",
    ]
    assert demo_connections["wms"].settings == {"demo_stream": True}


def test_without_a_streaming_wms_sandbox_nothing_moves(channel, stocked):
    order = create_order(channel)

    assert living_demo_tick() == {}
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def _run_demo(orders: list[Order], minutes: int = 20) -> dict[int, list[str]]:
    start = timezone.now()
    seen: dict[int, list[str]] = {order.pk: [] for order in orders}
    for minute in range(minutes):
        living_demo_tick(now=start + timedelta(minutes=minute, seconds=1))
        for pk, status in Order.objects.filter(pk__in=seen).values_list("pk", "status"):
            if not seen[pk] or seen[pk][-1] != status:
                seen[pk].append(status)
    return seen


def _sources(order: Order) -> list[tuple[str, str, str]]:
    moves = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), action="transitioned")
    return [(m.changes["status"][1], m.source, m.actor_id) for m in moves.order_by("pk")]


def test_a_pending_order_is_paid_picked_shipped_tracked_and_delivered_across_ticks(demo_connections, channel, stocked):
    order = create_order(channel, lines=(("TEA-001", 2),))

    seen = _run_demo([order])

    assert seen[order.pk] == ["paid", "processing", "shipped", "delivered"]
    assert Shipment.objects.get(order=order).status == "signed"
    assert not WebhookDelivery.objects.exclude(outcome__in=("processed", "ignored")).exists()
    gateway = ("alipay", "wechatpay")[order.pk % 2]
    courier, source = ("sf", "poll:sf") if order.pk % 3 == 0 else ("kuaidi100", "webhook:kuaidi100")
    assert _sources(order) == [
        ("paid", f"notify:{gateway}", str(demo_connections[gateway].pk)),
        ("processing", "webhook:wms", str(demo_connections["wms"].pk)),
        ("shipped", "webhook:wms", str(demo_connections["wms"].pk)),
        ("delivered", source, str(demo_connections[courier].pk)),
    ]


def test_orders_go_through_both_gateways_and_both_couriers(demo_connections, channel, stocked):
    orders = [create_order(channel, external_id=f"TM-DEMO-{i}", lines=(("TEA-001", 1),)) for i in range(6)]

    seen = _run_demo(orders, minutes=30)

    assert all(statuses[-1] == "delivered" for statuses in seen.values()), seen
    gateways = {order.payments.get().gateway for order in orders}
    couriers = {Shipment.objects.get(order=order).courier for order in orders}
    assert gateways == {"alipay", "wechatpay"}
    assert couriers == {"kuaidi100", "sf"}
    assert not WebhookDelivery.objects.exclude(outcome__in=("processed", "ignored")).exists()
