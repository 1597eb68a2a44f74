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


def test_wechat_pay_buyers_get_openids_and_the_shipping_notice_reaches_the_service_accounts(
    demo_connections, channel, stocked, operator_client
):
    """Recipe 9 installed on the living demo: WeChat Pay buyers pay as WeChat users of the service account
    (two customers in three) or of the mini-program; on the first scan the first get a WeChat template
    message, the others (and Alipay buyers) a text."""
    from dataclasses import replace

    from commerce.customers.models import CustomerWechatIdentity
    from commerce.orders.services import AddressInput, CustomerInput, order_create
    from connectors.demo import DEMO_MINI_PROGRAM_APPID
    from connectors.notify.wechat_mp.sandbox import SANDBOX_CREDENTIALS
    from runtime.dispatch import outbox_drain
    from tests.factories import TEST_ACTOR, order_input

    installed = operator_client.post(
        "/api/v1/templates/shipping-notice-wechat-sms/install/", {"enable": True}, format="json"
    )
    assert installed.status_code == 201, installed.json()
    orders = []
    for n in range(4):  # more within minutes and the risk rules hold them
        # Each its own buyer and address: the risk rules hold many buyers shipping to one address.
        data = replace(
            order_input(channel, external_id=f"LD-{n}"),
            customer=CustomerInput(name="顾客", phone=f"1390000000{n}"),
            shipping_address=AddressInput(
                province="浙江省", city="杭州市", district="西湖区", line=f"文一路 {n + 1} 号"
            ),
        )
        orders.append(order_create(data=data, actor=TEST_ACTOR)[0])

    _run_demo(orders)
    for _ in range(10):
        outbox_drain(run_inline=50)

    by_wechat = [o for o in orders if o.pk % 2]  # the demo pays every other order through WeChat Pay
    service = SANDBOX_CREDENTIALS["appid"]
    expected = {o.customer_id: service if o.customer_id % 3 else DEMO_MINI_PROGRAM_APPID for o in by_wechat}
    assert dict(CustomerWechatIdentity.objects.values_list("customer_id", "appid")) == expected
    messages = demo_connections["wechat_mp"].sandbox_records.filter(kind="wechat").count()
    texts = demo_connections["aliyun_sms"].sandbox_records.filter(kind="sms").count()
    assert messages == sum(appid == service for appid in expected.values())
    assert messages + texts == len(orders)
