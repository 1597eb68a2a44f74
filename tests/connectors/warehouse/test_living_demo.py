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


def test_the_demo_seed_makes_a_sandbox_for_each_gateway_the_wms_and_each_courier(demo_connections):
    assert sorted(demo_connections) == ["alipay", "kuaidi100", "sf", "wechatpay", "wms"]
    assert demo_connections["wms"].settings == {"demo_stream": True}


def test_without_a_streaming_wms_sandbox_nothing_moves(channel, stocked):
    order = create_order(channel)

    assert living_demo_tick() == {}
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_a_pending_order_is_paid_picked_shipped_tracked_and_delivered_across_ticks(demo_connections, channel, stocked):
    order = create_order(channel, lines=(("TEA-001", 2),))
    start = timezone.now()
    seen = []

    for minute in range(0, 20):
        living_demo_tick(now=start + timedelta(minutes=minute, seconds=1))
        status = Order.objects.get(pk=order.pk).status
        if not seen or seen[-1] != status:
            seen.append(status)

    assert seen == ["paid", "processing", "shipped", "delivered"]
    assert Shipment.objects.get(order=order).status == "signed"
    assert not WebhookDelivery.objects.exclude(outcome__in=("processed", "ignored")).exists()
    moves = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), action="transitioned")
    sources = [(m.changes["status"][1], m.source, m.actor_id) for m in moves.order_by("pk")]
    assert sources == [
        ("paid", "notify:alipay", str(demo_connections["alipay"].pk)),
        ("processing", "webhook:wms", str(demo_connections["wms"].pk)),
        ("shipped", "webhook:wms", str(demo_connections["wms"].pk)),
        ("delivered", "webhook:kuaidi100", str(demo_connections["kuaidi100"].pk)),
    ]
