"""``raise_alert``, the anomaly rules and ``/api/v1/alerts/``."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from commerce.payments.services import payment_attempt_create
from commerce.shipments.services import shipment_create
from connectors.payments.sweep import payments_sweep
from insights.alerts.models import Alert
from insights.alerts.rules import alerts_evaluate, drilldown
from insights.alerts.services import raise_alert
from insights.alerts.tasks import alerts_evaluate_task
from insights.kpis.rollups import kpi_rollups_rebuild
from orderflow.schedules.services import SCHEDULES
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, ChannelFactory, ProductFactory, StockItemFactory, create_order
from tests.insights.kpis.crafted import at, order, refund

pytestmark = pytest.mark.django_db

TITLE = {"zh": "同步延迟", "en": "Sync delayed"}
MESSAGE = {"zh": "很多订单晚到", "en": "Many orders arrived late"}
NOW = at("2026-12-06T04:20:00")
HOUR = timedelta(hours=1)


def _raise(key: str = "sync:tmall", **extra) -> Alert:
    fields = {"rule": "sync", "key": key, "severity": "warning", "title": TITLE, "message": MESSAGE, **extra}
    with transaction.atomic():
        return raise_alert(**fields)


def test_raising_an_alert_stores_it_and_emits_insights_alert():
    drill = [{"dimension": "region", "rows": [{"key": "浙江省", "label": "浙江省", "value": 3}]}]

    alert = _raise(channel="tmall", drilldown=drill, details={"rate": 0.2})

    event = OutboxEvent.objects.get(name="insights.alert")
    assert (event.subject_type, event.subject_id) == ("alert", str(alert.pk))
    assert event.payload == {
        "alert": {
            "id": alert.pk,
            "rule": "sync",
            "severity": "warning",
            "channel": "tmall",
            "title": TITLE,
            "message": MESSAGE,
            "raised_at": event.payload["alert"]["raised_at"],
            "resolved_at": None,
            "resolved_by": None,
            "drilldown": [{"dimension": "region", "rows": [{"key": "浙江省", "label": "浙江省", "value": 3.0}]}],
        }
    }
    assert alert.details == {"rate": 0.2}


def test_an_open_key_raised_again_changes_nothing_until_resolved(db):
    first = _raise()
    again = _raise(severity="critical")

    assert again.pk == first.pk
    assert Alert.objects.get().severity == "warning"
    assert OutboxEvent.objects.filter(name="insights.alert").count() == 1

    resolved = client_for("operator").post(f"/api/v1/alerts/{first.pk}/resolve/", {"note": "fixed"}, format="json")
    third = _raise()

    assert resolved.status_code == 200
    assert third.pk != first.pk
    assert OutboxEvent.objects.filter(name="insights.alert").count() == 2


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"severity": "panic"}, "severity"),
        ({"title": {"zh": "只有中文"}}, "title"),
        ({"message": "text"}, "message"),
        ({"drilldown": [{"dimension": "colour", "rows": []}]}, "drilldown[0].dimension"),
        ({"drilldown": [{"dimension": "sku", "rows": [{"key": "A"}]}]}, "drilldown[0].rows[0]"),
        ({"key": ""}, "key"),
    ],
)
def test_a_malformed_alert_is_refused_and_nothing_is_written(db, extra, field):
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        _raise(**extra)

    assert list(refused.value.details) == [field]
    assert Alert.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_the_list_filters_by_status_and_resolving_records_who(db):
    open_one = _raise("a")
    resolved = _raise("b")
    client = client_for("manager")

    response = client.post(f"/api/v1/alerts/{resolved.pk}/resolve/", {"note": "seen"}, format="json")
    again = client_for("operator").post(f"/api/v1/alerts/{resolved.pk}/resolve/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["resolved_by"] == "user-manager"
    assert again.json()["resolved_by"] == "user-manager"  # the first resolution stays
    assert [a["id"] for a in client.get("/api/v1/alerts/?status=open").json()["results"]] == [open_one.pk]
    assert [a["id"] for a in client.get("/api/v1/alerts/?status=resolved").json()["results"]] == [resolved.pk]
    assert len(client.get("/api/v1/alerts/").json()["results"]) == 2
    assert client.get("/api/v1/alerts/?status=closed").status_code == 400


def test_unknown_alert_answers_404(db):
    response = client_for("admin").post("/api/v1/alerts/424242/resolve/", {}, format="json")

    assert response.status_code == 404


# --- the rules ------------------------------------------------------------------------------------


@pytest.fixture
def skus(stocked):
    ProductFactory(sku="TEA-002", title="碧螺春 100g", price="88.00")
    StockItemFactory(sku="TEA-002", warehouse=stocked.warehouse, on_hand=100)


def _orders(channel, n, *, placed, **fields):
    return [order(channel, placed=placed, **fields) for _ in range(n)]


def test_refund_rate_up_more_than_15_percent_raises_with_a_drilldown(channel, skus):
    # Previous 24 h: 10 paid, 2 refunded (20 %). Last 24 h: 10 paid, 3 refunded (30 %).
    before = NOW - 30 * HOUR
    recent = NOW - 3 * HOUR
    for i, placed_order in enumerate(_orders(channel, 10, placed=before, status="paid", paid=before)):
        if i < 2:
            refund(placed_order)
    for i, placed_order in enumerate(_orders(channel, 10, placed=recent, status="paid", paid=recent)):
        if i < 3:
            refund(placed_order)
            Order.objects.filter(pk=placed_order.pk).update(province="广东省")
    kpi_rollups_rebuild(now=NOW)

    alerts = alerts_evaluate(now=NOW)

    assert [(a.rule, a.key, a.severity, a.channel) for a in alerts] == [
        ("refund_rate_up", "refund_rate_up:tmall", "warning", "tmall")
    ]
    assert alerts[0].details == {"rate": 0.3, "previous": 0.2, "paid": 10, "refunded": 3}
    assert alerts[0].drilldown == [
        {"dimension": "sku", "rows": [{"key": "TEA-001", "label": "西湖龙井 250g", "value": 3.0}]},
        {"dimension": "region", "rows": [{"key": "广东省", "label": "广东省", "value": 3.0}]},
    ]


def test_refund_rate_up_by_exactly_15_percent_is_no_alert(channel, skus, stocked):
    stocked.on_hand = 1000
    stocked.save()
    before, recent = NOW - 30 * HOUR, NOW - 3 * HOUR
    for i, o in enumerate(_orders(channel, 5, placed=before, status="paid", paid=before)):
        if i < 1:
            refund(o)  # 20 %
    kpi_rollups_rebuild(now=NOW)
    assert alerts_evaluate(now=NOW) == []  # nothing in the last 24 h: no rate, no alert

    recent_orders = _orders(channel, 100, placed=recent, status="paid", paid=recent)
    for o in recent_orders[:23]:
        refund(o)  # 23 % = 20 % × 1.15: not more than 15 % up
    kpi_rollups_rebuild(now=NOW)
    assert alerts_evaluate(now=NOW) == []

    refund(recent_orders[23])  # 24 %
    kpi_rollups_rebuild(now=NOW)
    assert [a.rule for a in alerts_evaluate(now=NOW)] == ["refund_rate_up"]


def test_few_orders_are_no_anomaly(channel, skus, settings):
    before, recent = NOW - 30 * HOUR, NOW - 3 * HOUR
    _orders(channel, 3, placed=before, status="paid", paid=before)
    refund(_orders(channel, 3, placed=recent, status="paid", paid=recent)[0])
    kpi_rollups_rebuild(now=NOW)

    assert alerts_evaluate(now=NOW) == []
    settings.ORDERFLOW_ALERT_MIN_SAMPLE = 3
    assert [a.severity for a in alerts_evaluate(now=NOW)] == ["critical"]  # from 0 % to 33 %


def test_sync_delay_over_threshold_raises_per_channel(channel, skus):
    jd = ChannelFactory(code="jd", name="京东")
    recent = NOW - 2 * HOUR
    _orders(channel, 9, placed=recent, lag=10)
    late = order(channel, placed=recent, lag=600, quantity=1)  # 1 of 10 late: 10 %, 10 × the 1 % threshold
    Order.objects.filter(pk=late.pk).update(province="四川省")
    _orders(jd, 10, placed=recent, lag=10)  # healthy
    kpi_rollups_rebuild(now=NOW)

    alerts = alerts_evaluate(now=NOW)

    assert [(a.rule, a.channel, a.severity) for a in alerts] == [("sync_delay_over_threshold", "tmall", "critical")]
    assert alerts[0].drilldown[1] == {
        "dimension": "region",
        "rows": [{"key": "四川省", "label": "四川省", "value": 1.0}],
    }
    assert alerts[0].message["en"] == (
        "1 of 10 orders reached Orderflow over 5 minutes late in the last 24 hours (10.0%, threshold 1.0%)."
    )


def test_sync_delay_at_the_threshold_is_healthy_below_is_not(channel, skus):
    admin = client_for("admin")
    recent = NOW - 2 * HOUR
    _orders(channel, 9, placed=recent, lag=10)
    order(channel, placed=recent, lag=301)
    kpi_rollups_rebuild(now=NOW)

    admin.patch("/api/v1/kpis/thresholds/", {"sync_delay_rate": "0.1001"}, format="json")
    assert alerts_evaluate(now=NOW) == []
    admin.patch("/api/v1/kpis/thresholds/", {"sync_delay_rate": "0.1"}, format="json")  # lt: 10 % is not < 10 %
    assert [a.severity for a in alerts_evaluate(now=NOW)] == ["warning"]


def test_a_channel_whose_orders_stop_raises_once(channel, skus):
    ChannelFactory(code="manual", name="手工单", kind="manual")
    shipped = _orders(channel, 2, placed=NOW - 90 * timedelta(minutes=1))
    Order.objects.filter(pk__in=[o.pk for o in shipped]).update(created_at=NOW - timedelta(minutes=90))
    shipment_create(order_id=shipped[0].pk, courier="kuaidi100", carrier="", tracking_no="YT9", actor=TEST_ACTOR)
    manual = ChannelFactory(code="manual")
    still = order(manual, placed=NOW)
    Order.objects.filter(pk=still.pk).update(created_at=NOW - timedelta(minutes=90))

    alerts = alerts_evaluate(now=NOW)
    again = alerts_evaluate(now=NOW + timedelta(minutes=5))

    assert [(a.rule, a.channel, a.severity) for a in alerts] == [("orders_stopped", "tmall", "critical")]
    assert alerts[0].drilldown[-1] == {
        "dimension": "courier",
        "rows": [{"key": "kuaidi100", "label": "kuaidi100", "value": 1.0}],
    }
    assert [a.pk for a in again] == [alerts[0].pk]
    assert Alert.objects.count() == 1


def test_orders_still_arriving_is_no_alert(channel, skus):
    older, newer = _orders(channel, 2, placed=NOW)
    Order.objects.filter(pk=older.pk).update(created_at=NOW - timedelta(minutes=90))
    Order.objects.filter(pk=newer.pk).update(created_at=NOW - timedelta(minutes=59))

    assert alerts_evaluate(now=NOW) == []


def test_the_drilldown_ranks_and_leaves_out_empty_dimensions(channel, skus):
    a = order(channel, placed=NOW)
    b = order(channel, placed=NOW)
    Order.objects.filter(pk=b.pk).update(province="江苏省")

    assert drilldown([a.pk, b.pk]) == [
        {"dimension": "sku", "rows": [{"key": "TEA-001", "label": "西湖龙井 250g", "value": 2}]},
        {
            "dimension": "region",
            "rows": [
                {"key": "江苏省", "label": "江苏省", "value": 1},
                {"key": "浙江省", "label": "浙江省", "value": 1},
            ],
        },
    ]
    assert drilldown([]) == []


def _swept_with_unconfirmed(channel, n: int):
    """``n`` attempts nobody confirmed, older than the sweep's wait, then one sweep: answers its time."""
    later = timezone.now() + timedelta(minutes=6)
    for i in range(n):
        placed = create_order(channel, external_id=f"P-{i}")
        payment_attempt_create(order_id=placed.pk, gateway="alipay", actor=TEST_ACTOR)
    assert payments_sweep(now=later).unconfirmed == n
    return later


def test_more_unconfirmed_payments_after_a_sweep_than_the_setting_raise_one_alert(channel, skus, settings):
    settings.ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT = 1
    later = _swept_with_unconfirmed(channel, 2)

    alerts = alerts_evaluate(now=later)
    again = alerts_evaluate(now=later + timedelta(minutes=3))  # still open: the same alert, no new event

    assert [(a.rule, a.key, a.channel, a.severity) for a in alerts] == [
        ("payments_unconfirmed", "payments_unconfirmed", "", "warning")
    ]
    assert again == alerts
    assert alerts[0].details["unconfirmed"] == 2 and alerts[0].details["threshold"] == 1
    assert alerts[0].title == {"zh": "2 笔支付仍未确认", "en": "2 payments still unconfirmed"}
    event = OutboxEvent.objects.get(name="insights.alert")
    assert event.payload["alert"]["rule"] == "payments_unconfirmed"


def test_unconfirmed_payments_at_the_setting_or_an_old_sweep_are_no_alert(channel, skus, settings):
    settings.ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT = 2
    later = _swept_with_unconfirmed(channel, 2)

    assert alerts_evaluate(now=later) == []
    settings.ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT = 1
    assert alerts_evaluate(now=later + timedelta(minutes=5)) == []  # the last sweep ran 11 minutes before
    assert not OutboxEvent.objects.filter(name="insights.alert").exists()


def test_the_evaluation_and_the_rollups_are_scheduled(db):
    by_name = {spec.name: spec for spec in SCHEDULES}

    assert (by_name["insights.alerts_evaluate"].func, by_name["insights.alerts_evaluate"].minutes) == (
        "insights.alerts.tasks.alerts_evaluate_task",
        5,
    )
    assert (by_name["insights.kpi_rollups"].func, by_name["insights.kpi_rollups"].minutes) == (
        "insights.kpis.tasks.kpi_rollups_refresh_task",
        1,
    )
    assert alerts_evaluate_task() == {"open_alerts_raised_or_found": []}
