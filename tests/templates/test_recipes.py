"""Every marketplace template, end to end: loaded, validated, installed through the API against the
sandbox connections, and run by the real runtime on each of its fixture events with the expected outcome.

A fixture (``templates/<slug>/fixtures/*.json``) names a ``scenario`` — how its event is produced,
always through the commerce services that emit it in production — its ``given`` values, the
answers the template is ``install``ed with (its defaults otherwise), and what must follow (``expect``): the status of each named step of the execution, whether any action ran at
all, and the effects (the order's status, hold and tags, texts, WeChat and WeCom messages in the sandboxes, tickets, inbox
messages, gift orders, a notification channel skipped and why). Scheduled templates are ticked at the fixture's ``minutes`` after the order
was placed, with the runtime's sweep resuming delays — as ``tests/runtime/test_recipe_overdue.py`` does.
"""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from builder.validation import validate_document
from commerce.inbox.models import Notification
from commerce.inventory.models import StockItem
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.payments.services import payment_attempt_create
from commerce.reconciliation.services import reconciliation_apply
from commerce.refunds.models import RefundRequest
from commerce.refunds.services import RefundInput, refund_request, refunds_sla_check
from commerce.shipments.services import TrackingInput, shipment_create, shipments_stalled_check, tracking_events_apply
from commerce.tickets.models import Ticket
from connectors.models import Connection, SandboxRecord
from connectors.notify.wechat_mp.sandbox import SANDBOX_CREDENTIALS as WECHAT_MP_SANDBOX
from connectors.payments.sweep import payments_sweep
from connectors.payments.wechatpay.sandbox import WechatPaySimulator, sandbox_openid
from connectors.services.connections import ConnectionInput, connection_create
from insights.alerts.rules import alerts_evaluate
from insights.alerts.services import raise_alert
from runtime.dispatch import outbox_drain
from runtime.models import ExecutionStep
from runtime.schedule import schedule_tick
from runtime.services import runtime_sweep
from templates.library import CATEGORIES, templates
from tests.commerce.reconciliation.helpers import DAY, bills, paid_order, pay_line
from tests.factories import TEST_ACTOR, ProductFactory, StockItemFactory, create_order, order_input, pay_through_gateway

pytestmark = pytest.mark.django_db

TEMPLATES = templates()
FIXTURES = [(t.slug, f["name"]) for t in TEMPLATES for f in t.fixtures]


def _drain() -> None:
    for _ in range(5):
        outbox_drain(run_inline=50)


def _order(channel, *, tags=(), lines=(("TEA-001", 2),), status="pending_payment") -> Order:
    return create_order(channel, external_id="FX-1", lines=lines, status=status, tags=tuple(tags))


def _paid(channel, **given) -> Order:
    order = _order(channel, tags=given.get("tags", ()))
    order_services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR, reason="payment received")
    return order


def _track(channel, *statuses: str, expected=None) -> Order:
    order = _paid(channel)
    shipment_create(
        order_id=order.pk,
        courier="kuaidi100",
        carrier="yuantong",
        tracking_no="YT1",
        actor=TEST_ACTOR,
        expected_delivery_at=expected,
    )
    start = timezone.now() - timedelta(hours=len(statuses))
    events = [
        TrackingInput(occurred_at=start + timedelta(hours=n), status=status, code=str(n), description=status)
        for n, status in enumerate(statuses)
    ]
    tracking_events_apply(courier="kuaidi100", tracking_no="YT1", events=events, actor=TEST_ACTOR, source="tests")
    return order


def _refund(channel, given) -> Order:
    order = _order(channel, tags=given.get("tags", ()))
    pay_through_gateway(order)
    refund, _ = refund_request(
        data=RefundInput(order_id=order.pk, amount=Decimal(given["amount"]), reason="quality"), actor=TEST_ACTOR
    )
    if "hours" in given:
        created = timezone.now() - timedelta(hours=given["hours"])
        RefundRequest.objects.filter(pk=refund.pk).update(created_at=created)
    return order


def _reconcile(channel, given) -> Order:
    """A 199.00 order paid on DAY, reconciled against a bill showing ``billed`` for it (none: not billed)."""
    order, payment = paid_order(channel, "RC-1")
    lines = [pay_line(payment.out_trade_no, given["billed"])] if given["billed"] is not None else []
    reconciliation_apply(day=DAY, bills=bills(*lines), actor=TEST_ACTOR)
    return order


def _swept(channel, given) -> Order:
    """``unconfirmed`` attempts nobody confirmed, swept by the payment robot and judged by the anomaly
    rules with ``threshold`` as ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT."""
    later = timezone.now() + timedelta(minutes=6)
    orders = [create_order(channel, external_id=f"PU-{n}") for n in range(given["unconfirmed"])]
    for order in orders:
        payment_attempt_create(order_id=order.pk, gateway="alipay", actor=TEST_ACTOR)
    with override_settings(ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT=given["threshold"]):
        assert payments_sweep(now=later).unconfirmed == given["unconfirmed"]
        alerts_evaluate(now=later)
    return orders[0]


def _placed(channel, given) -> Order:
    """An order placed as a shop's feed places it, by a buyer with ``phone``: the risk rules see it."""
    data = order_input(channel, external_id="RK-1")
    customer = order_services.CustomerInput(name="张伟", phone=given["phone"])
    return order_services.order_place(data=replace(data, customer=customer), actor=TEST_ACTOR).order


MINI_PROGRAM_APPID = "wx5f3c9a1b2d4e6f70"


def _wechat_pay(order: Order, appid: str) -> None:
    """The order paid through the WeChat Pay sandbox by a buyer who is a WeChat user of ``appid``:
    the signed notify is posted to the webhook as WeChat Pay would, and double-checked."""
    gateway = connection_create(
        data=ConnectionInput(connector="wechatpay", name="微信支付沙箱", credentials={}, settings={}, sandbox=True)
    )
    payment = payment_attempt_create(order_id=order.pk, gateway="wechatpay", actor=TEST_ACTOR, connection_id=gateway.pk)
    openid = sandbox_openid(appid, order.customer.phone)
    call = WechatPaySimulator(gateway).pay(payment.out_trade_no, payment.amount, appid=appid, openid=openid)
    assert call is not None
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in call.headers.items() if k != "Content-Type"}
    answer = Client().post(
        f"/hooks/wechatpay/{gateway.pk}/", data=call.body, content_type="application/json", **headers
    )
    assert answer.status_code == 200, answer.content


def _first_scan(channel, given: dict) -> Order:
    """Paid (through WeChat Pay inside the service account or the mini-program, or by hand), packed (the
    warehouse's packed moves it to processing), given its tracking number, then scanned ``scans`` times."""
    order = _order(channel)
    appid = {"service": WECHAT_MP_SANDBOX["appid"], "mini": MINI_PROGRAM_APPID}.get(given["paid_in"])
    if appid:
        _wechat_pay(order, appid)
    else:
        order_services.order_transition(order_id=order.pk, to="paid", actor=TEST_ACTOR, reason="paid by transfer")
    if given.get("packed", True):
        order_services.order_transition(order_id=order.pk, to="processing", actor=TEST_ACTOR, reason="packed")
    shipment_create(order_id=order.pk, courier="kuaidi100", carrier="yuantong", tracking_no="YT9", actor=TEST_ACTOR)
    _drain()
    start = timezone.now() - timedelta(hours=given["scans"])
    for n in range(given["scans"]):
        scan = TrackingInput(
            occurred_at=start + timedelta(hours=n), status="in_transit", code=str(n), description="扫描"
        )
        tracking_events_apply(courier="kuaidi100", tracking_no="YT9", events=[scan], actor=TEST_ACTOR, source="tests")
        _drain()
    return order


def _play(scenario: str, channel, given: dict, on_commit) -> Order:
    """Produces the fixture's event through the real services; answers the order it concerns."""
    if scenario == "shipment_signed":
        order = _track(channel, "in_transit", "signed")
    elif scenario == "shipment_stalled":
        order = _track(channel, "in_transit")
        assert shipments_stalled_check(now=timezone.now() + timedelta(hours=5)) == 1
    elif scenario == "shipment_overdue":
        # Expected yesterday, its last tracking event an hour ago: overdue, not quiet.
        order = _track(channel, "in_transit", expected=timezone.now() - timedelta(days=1))
        assert shipments_stalled_check(now=timezone.now() + timedelta(minutes=30)) == 1
    elif scenario == "alert":
        text = {"zh": "天猫退款率上升", "en": "Tmall refund rate up"}
        raise_alert(rule=given["rule"], key=f"{given['rule']}:tmall", severity="warning", title=text, message=text)
        order = _order(channel)
    elif scenario == "low_stock":
        StockItem.objects.filter(sku="TEA-001").update(safety_stock=99)  # 100 on hand; 2 reserved leaves 98
        order = _order(channel)
    elif scenario == "order_paid":
        order = _order(channel, lines=(("TEA-001", given["quantity"]),), status="paid")
    elif scenario == "refund_requested":
        order = _refund(channel, given)
    elif scenario == "refund_sla_breached":
        order = _refund(channel, given)
        _drain()  # the refund.requested event first, so that only the breach is left
        assert refunds_sla_check() == 1
    elif scenario == "reconciliation":
        order = _reconcile(channel, given)
    elif scenario == "payment_sweep":
        order = _swept(channel, given)
    elif scenario == "order_placed":
        order = _placed(channel, given)
    elif scenario == "first_scan":
        order = _first_scan(channel, given)
    elif scenario == "schedule":
        start = timezone.now()
        order = _order(channel, tags=given.get("tags", ()), status=given["status"])
        for minutes in given["minutes"]:
            moment = start + timedelta(minutes=minutes, seconds=1)
            with on_commit(execute=True):
                schedule_tick(now=moment)
                runtime_sweep(now=moment)
        return order
    else:
        raise AssertionError(f"unknown scenario {scenario!r}")
    _drain()
    return order


def _step_statuses() -> dict[str, str]:
    """Each node's last recorded step status, over every execution."""
    return {step.node_id: step.status for step in ExecutionStep.objects.order_by("id")}


@pytest.fixture
def sandboxes(db):
    return {
        key: connection_create(
            data=ConnectionInput(connector=key, name=f"{key} 沙箱", credentials={}, settings={}, sandbox=True)
        )
        for key in ("aliyun_sms", "wecom_robot", "wechat_mp", "dingtalk_robot", "wms")
    }


@pytest.fixture
def q_sync(settings):
    """django-q2 runs queued tasks at once (its sync mode): the notifications' sends among them."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}


@pytest.fixture
def shop(channel, stocked):
    ProductFactory(sku="GIFT-TOTE", title="帆布袋", price="29.00")
    StockItemFactory(sku="GIFT-TOTE", warehouse=stocked.warehouse, on_hand=50)
    return channel


def test_every_template_has_fixtures_a_category_and_a_version():
    assert len(TEMPLATES) >= 10
    for template in TEMPLATES:
        assert template.fixtures, template.slug
        assert template.category in CATEGORIES
        assert template.changelog[0]["version"] == template.version


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_every_node_has_a_chinese_title(template):
    def chinese(text) -> bool:
        return isinstance(text, str) and any("\u4e00" <= ch <= "\u9fff" for ch in text)

    assert chinese(template.document["name"])
    assert [n["id"] for n in template.document["nodes"] if not chinese(n.get("label"))] == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_the_template_is_a_valid_flow_with_its_defaults(template):
    assert validate_document(template.document) == []


@pytest.mark.parametrize(("slug", "fixture"), FIXTURES)
def test_the_installed_template_runs_its_fixture_as_expected(
    slug, fixture, shop, sandboxes, q_sync, operator_client, django_capture_on_commit_callbacks
):
    template = next(t for t in TEMPLATES if t.slug == slug)
    case = next(f for f in template.fixtures if f["name"] == fixture)
    answers = {"enable": True, "params": case.get("install", {})}
    installed = operator_client.post(f"/api/v1/templates/{slug}/install/", answers, format="json")
    assert installed.status_code == 201, installed.json()
    flow = installed.json()
    assert (flow["enabled"], flow["valid"], flow["current_version"]["number"]) == (True, True, 1)

    order = _play(case["scenario"], shop, case["given"], django_capture_on_commit_callbacks)

    expect = case["expect"]
    steps = _step_statuses()
    assert {node: steps.get(node) for node in expect["steps"]} == expect["steps"]
    action_nodes = {n["id"] for n in template.document["nodes"] if n["type"] == "action"}
    assert any(steps.get(node) == "succeeded" for node in action_nodes) is expect["fired"]
    assert not any(status == "failed" for status in steps.values())
    if "order_status" in expect:
        order.refresh_from_db()
        assert order.status == expect["order_status"]
    if "on_hold" in expect:
        order.refresh_from_db()
        assert order.on_hold is expect["on_hold"]
    if "order_tags" in expect:
        assert sorted(order.tag_rows.values_list("name", flat=True)) == expect["order_tags"]
    for kind, count in expect.get("sandbox", {}).items():
        assert SandboxRecord.objects.filter(kind=kind).count() == count
    if "tickets" in expect:
        assert [list(t) for t in Ticket.objects.order_by("id").values_list("queue", "priority")] == expect["tickets"]
    if "inbox" in expect:
        assert sorted(set(Notification.objects.values_list("to_role", flat=True))) == expect["inbox"]
    for node, reason in expect.get("skipped", {}).items():
        output = ExecutionStep.objects.filter(node_id=node).order_by("id").last().output
        assert any(a["status"] == "skipped" and reason in a["reason"] for a in output["attempts"]), output
    if "gift_orders" in expect:
        assert Order.objects.filter(gift_for__isnull=False).count() == expect["gift_orders"]


def test_the_sandbox_connections_are_the_ones_used(shop, sandboxes, operator_client):
    answer = operator_client.post("/api/v1/templates/signed-complete-sms/install/", {"enable": False}, format="json")
    sms = answer.json()["definition"]["nodes"][1]["params"]["connection"]
    assert Connection.objects.get(pk=sms).connector == "aliyun_sms"
