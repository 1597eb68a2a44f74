"""The demo's flows: seeded published and on, and run by the living demo's orders through the sandboxes."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from builder.models import Flow
from commerce.orders.models import Order
from connectors.demo import living_demo_tick
from connectors.models import Connection, SandboxRecord
from orderflow.demo.flows import BIG_ORDER, SHIPPED_WECOM, SIGNED_SMS, demo_flows_seed
from orderflow.demo.services import SeedReport, living_demo_connections_seed
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.factories import create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    User.objects.create(username="admin", is_staff=True, is_superuser=True)
    living_demo_connections_seed(SeedReport())
    return demo_flows_seed()


def test_the_three_flows_are_published_and_switched_on_once(demo):
    assert demo == 3
    assert demo_flows_seed() == 0  # idempotent, by name
    flows = Flow.objects.order_by("name")
    assert sorted(f.name for f in flows) == sorted([BIG_ORDER, SIGNED_SMS, SHIPPED_WECOM])
    assert all(f.enabled and f.current_version.number == 1 for f in flows)


def test_a_flow_the_user_switched_off_stays_off(demo):
    Flow.objects.filter(name=SIGNED_SMS).update(enabled=False)

    demo_flows_seed()

    assert not Flow.objects.get(name=SIGNED_SMS).enabled


def test_without_an_admin_nothing_is_seeded(db):
    assert demo_flows_seed() == 0
    assert not Flow.objects.exists()


def test_a_big_order_is_tagged_completed_on_signature_and_texted_once(demo, channel, stocked):
    order = create_order(channel, external_id="TM-BIG-1", lines=(("TEA-001", 4),))  # 796.00
    start = timezone.now()

    for minute in range(20):
        living_demo_tick(now=start + timedelta(minutes=minute, seconds=1))
        outbox_drain(run_inline=20)

    order = Order.objects.get(pk=order.pk)
    assert order.status == "completed"
    assert list(order.tag_rows.values_list("name", flat=True)) == ["大单"]
    assert not Execution.objects.exclude(status="succeeded").exists()
    sms = Connection.objects.get(connector="aliyun_sms", sandbox=True)
    texts = SandboxRecord.objects.filter(connection=sms, kind="sms")
    assert [(t.data["phone"], t.data["template"]) for t in texts] == [("13800138000", "SMS_ORDER_SIGNED")]
    robot = Connection.objects.get(connector="wecom_robot", sandbox=True)
    announced = [r.data for r in SandboxRecord.objects.filter(connection=robot, kind="wecom")]
    assert len(announced) == 1 and order.number in str(announced[0])
