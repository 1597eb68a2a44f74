"""``GET /api/v1/kpis/`` on crafted orders: every KPI's exact value, its boundaries, the day boundary."""

from decimal import Decimal

import pytest

from commerce.payments.models import PaymentRefund
from insights.kpis.rollups import kpi_rollups_rebuild
from tests.conftest import client_for
from tests.factories import ChannelFactory

from .crafted import at, dead_execution, hours, notification, open_ticket, order, refund

pytestmark = pytest.mark.django_db

NOW = at("2026-12-06T04:00:00")  # 12:00 in Shanghai


def _report(query: str = "from=2026-11-30&to=2026-11-30", *, now=NOW, role="manager") -> dict:
    kpi_rollups_rebuild(now=now)
    response = client_for(role).get(f"/api/v1/kpis/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _kpi(report: dict, key: str) -> dict:
    return next(kpi for kpi in report["kpis"] if kpi["key"] == key)


def _values(report: dict) -> dict:
    return {kpi["key"]: kpi["value"] for kpi in report["kpis"]}


# Inside 2026-11-30 in Shanghai (UTC+8): 2026-11-29T16:00Z .. 2026-11-30T15:59:59Z.
DAY = at("2026-11-30T02:00:00")


def test_an_empty_period_measures_nothing_and_says_so(channel, stocked):
    report = _report()

    assert report["range"] == {"from": "2026-11-30", "to": "2026-11-30", "timezone": "Asia/Shanghai"}
    assert report["channel"] is None
    assert [kpi["key"] for kpi in report["kpis"]] == [
        "sync_delay_rate",
        "notification_reach_rate",
        "reconciliation_difference_rate",
        "exception_order_share",
        "payment_conversion",
        "on_time_fulfilment",
        "refund_rate",
        "avg_processing_minutes",
    ]
    for kpi in report["kpis"]:
        assert (kpi["value"], kpi["measured"], kpi["ok"], kpi["previous"]) == (None, False, None, None), kpi
        assert kpi["trend"] == [{"date": "2026-11-30", "value": None}]
    assert report["totals"] == {"orders": 0, "gmv": "0.00", "currency": "CNY"}
    assert report["series"]["by_day"] == [{"date": "2026-11-30", "orders": 0, "gmv": "0.00"}]
    assert report["series"]["by_hour"] == [{"hour": h, "orders": 0, "gmv": "0.00"} for h in range(24)]
    assert report["series"]["by_channel"] == []
    assert report["backlog"] == [
        {"status": s, "count": 0} for s in ("pending_payment", "paid", "processing", "shipped", "delivered")
    ]


def test_the_shanghai_day_boundary_splits_orders_at_16_00_utc(channel, stocked):
    order(channel, placed=at("2026-11-30T15:59:59"), status="paid", paid=at("2026-11-30T15:59:59"))
    order(channel, placed=at("2026-11-30T16:00:00"), status="paid", paid=at("2026-11-30T16:00:00"), quantity=2)

    first = _report("from=2026-11-30&to=2026-11-30")
    second = _report("from=2026-12-01&to=2026-12-01")
    both = _report("from=2026-11-30&to=2026-12-01")

    assert first["totals"] == {"orders": 1, "gmv": "199.00", "currency": "CNY"}
    assert [h for h in first["series"]["by_hour"] if h["orders"]] == [{"hour": 23, "orders": 1, "gmv": "199.00"}]
    assert second["totals"] == {"orders": 1, "gmv": "398.00", "currency": "CNY"}
    assert [h for h in second["series"]["by_hour"] if h["orders"]] == [{"hour": 0, "orders": 1, "gmv": "398.00"}]
    assert both["series"]["by_day"] == [
        {"date": "2026-11-30", "orders": 1, "gmv": "199.00"},
        {"date": "2026-12-01", "orders": 1, "gmv": "398.00"},
    ]
    assert _kpi(second, "payment_conversion")["previous"] == 1.0


def test_sync_delay_counts_synced_orders_over_five_minutes_late(channel, stocked):
    order(channel, placed=DAY)  # manual entry: no channel event, not counted
    order(channel, placed=DAY, lag=0)
    order(channel, placed=DAY, lag=300)  # exactly 5 minutes: not late
    order(channel, placed=DAY, lag=301)
    order(channel, placed=DAY, lag=7200)

    kpi = _kpi(_report(), "sync_delay_rate")

    assert (kpi["value"], kpi["measured"], kpi["threshold"], kpi["comparison"], kpi["ok"]) == (
        0.5,
        True,
        0.01,
        "lt",
        False,
    )
    assert kpi["trend"] == [{"date": "2026-11-30", "value": 0.5}]
    assert kpi["title"] == {"zh": "状态同步延迟率", "en": "Status sync delay rate"}
    assert kpi["unit"] == "ratio"


def test_notification_reach_is_delivered_over_due(channel, stocked):
    for status, attempts in (("sent", 1), ("sent", 2), ("dead", 4), ("failed", 1), ("queued", 0), ("queued", 1)):
        notification(status=status, attempts=attempts, created=DAY)
    notification(status="dead", attempts=1, created=at("2026-11-30T16:00:00"))  # the next day

    kpi = _kpi(_report(), "notification_reach_rate")

    # due: the two sent, dead, failed and the queued one attempted once; not the one never attempted.
    assert (kpi["value"], kpi["threshold"], kpi["comparison"], kpi["ok"]) == (0.4, 0.98, "gte", False)


def test_reconciliation_is_not_measured_without_a_run(channel, stocked):
    order(channel, placed=DAY, status="paid", paid=DAY)

    kpi = _kpi(_report(), "reconciliation_difference_rate")

    assert (kpi["value"], kpi["measured"], kpi["ok"], kpi["threshold"], kpi["comparison"]) == (
        None,
        False,
        None,
        0.003,
        "lt",
    )


def test_reconciliation_difference_rate_is_measured_from_the_runs(channel, stocked):
    from datetime import date

    from commerce.reconciliation.models import ReconciliationDay

    now = at("2026-12-01T00:00:00")
    for day, differing, checked in ((date(2026, 11, 30), 3, 1000), (date(2026, 11, 29), 1, 100)):
        ReconciliationDay.objects.create(
            day=day, tolerance="0.50", checked=checked, differing=differing, started_at=now, finished_at=now
        )

    report = _report()
    kpi = _kpi(report, "reconciliation_difference_rate")

    assert (kpi["value"], kpi["measured"], kpi["ok"], kpi["previous"]) == (0.003, True, False, 0.01)
    assert kpi["trend"] == [{"date": "2026-11-30", "value": 0.003}]
    by_channel = _kpi(
        _report(f"from=2026-11-30&to=2026-11-30&channel={channel.code}"), "reconciliation_difference_rate"
    )
    assert by_channel["measured"] is False


def test_exception_share_counts_held_failed_and_ticketed_orders_once(channel, stocked):
    held = order(channel, placed=DAY, held=True)
    dead_execution(held.pk)  # held and failed: one exception order
    failed = order(channel, placed=DAY)
    dead_execution(failed.pk)
    ticketed = order(channel, placed=DAY)
    open_ticket(ticketed.pk)
    for _ in range(5):
        order(channel, placed=DAY)

    kpi = _kpi(_report(), "exception_order_share")

    assert (kpi["value"], kpi["ok"]) == (0.375, False)


def test_payment_conversion_and_gmv_count_paid_orders(channel, stocked):
    order(channel, placed=DAY, status="paid", paid=DAY, quantity=2)
    order(channel, placed=DAY, status="shipped", paid=DAY, shipped=DAY + hours(1))
    order(channel, placed=DAY, status="cancelled")
    order(channel, placed=DAY)

    report = _report()

    assert _kpi(report, "payment_conversion")["value"] == 0.5
    assert _kpi(report, "payment_conversion")["comparison"] is None  # no threshold by default
    assert _kpi(report, "payment_conversion")["ok"] is None
    assert report["totals"] == {"orders": 4, "gmv": "597.00", "currency": "CNY"}


def test_on_time_fulfilment_against_the_48_hour_sla(channel, stocked):
    paid = DAY
    order(channel, placed=DAY, status="shipped", paid=paid, shipped=paid + hours(48))  # on the edge: on time
    order(channel, placed=DAY, status="shipped", paid=paid, shipped=paid + hours(48) + hours(1 / 3600))  # late
    order(channel, placed=DAY, status="paid", paid=NOW - hours(48))  # unshipped, the SLA just ran out: late
    order(channel, placed=DAY, status="paid", paid=NOW - hours(47))  # unshipped, still within the SLA
    order(channel, placed=DAY, status="cancelled", paid=NOW - hours(72))  # cancelled unshipped: left out

    kpi = _kpi(_report(), "on_time_fulfilment")

    assert kpi["value"] == float(Decimal(1) / Decimal(3))


def test_on_time_fulfilment_follows_the_configured_sla(channel, stocked, settings):
    settings.ORDERFLOW_KPI_SHIP_SLA_HOURS = 24
    order(channel, placed=DAY, status="shipped", paid=DAY, shipped=DAY + hours(24))
    order(channel, placed=DAY, status="shipped", paid=DAY, shipped=DAY + hours(25))

    assert _kpi(_report(), "on_time_fulfilment")["value"] == 0.5


def test_average_processing_time_paid_to_shipped(channel, stocked):
    order(channel, placed=DAY, status="shipped", paid=DAY, shipped=DAY + hours(1))
    order(channel, placed=DAY, status="delivered", paid=DAY, shipped=DAY + hours(2))
    order(channel, placed=DAY, status="paid", paid=DAY)  # not shipped: not counted

    kpi = _kpi(_report(), "avg_processing_minutes")

    assert (kpi["value"], kpi["unit"], kpi["threshold"]) == (90.0, "minutes", None)


def test_refund_rate_counts_paid_orders_with_a_gateway_refund(channel, stocked):
    refunded = order(channel, placed=DAY, status="paid", paid=DAY)
    refund(refunded)
    refund(refunded)  # two refunds of one order: one refunded order
    failed = order(channel, placed=DAY, status="paid", paid=DAY)
    refund(failed, status=PaymentRefund.FAILED)
    order(channel, placed=DAY, status="paid", paid=DAY)
    order(channel, placed=DAY, status="paid", paid=DAY)
    order(channel, placed=DAY)  # unpaid: not in the denominator

    assert _kpi(_report(), "refund_rate")["value"] == 0.25


def test_refund_rate_counts_refund_requests_refunded_however_the_money_went_back(channel, stocked):
    from commerce.refunds.models import RefundRequest

    def request(target, status, method):
        RefundRequest.objects.create(
            order=target,
            amount=Decimal("10.00"),
            reason="quality",
            status=status,
            method=method,
            queue="service",
            requested_by={},
            policy_version=1,
        )

    request(order(channel, placed=DAY, status="paid", paid=DAY), "refunded", "offline")
    request(order(channel, placed=DAY, status="paid", paid=DAY), "refunded", "channel")
    request(order(channel, placed=DAY, status="paid", paid=DAY), "approving", "gateway")  # not yet
    order(channel, placed=DAY, status="paid", paid=DAY)

    assert _kpi(_report(), "refund_rate")["value"] == 0.5


def test_backlog_is_orders_waiting_in_each_open_status_now(channel, stocked):
    order(channel, placed=DAY)
    order(channel, placed=at("2026-01-01T00:00:00"), status="paid", paid=DAY)  # outside the range: counted
    order(channel, placed=DAY, status="processing", paid=DAY)
    order(channel, placed=DAY, status="completed", paid=DAY, shipped=DAY)

    assert _report()["backlog"] == [
        {"status": "pending_payment", "count": 1},
        {"status": "paid", "count": 1},
        {"status": "processing", "count": 1},
        {"status": "shipped", "count": 0},
        {"status": "delivered", "count": 0},
    ]


def test_trend_previous_and_channel_filter(channel, stocked):
    jd = ChannelFactory(code="jd", name="京东")
    order(channel, placed=at("2026-11-28T02:00:00"), status="paid", paid=DAY)  # before the range
    order(channel, placed=at("2026-11-28T03:00:00"))
    order(channel, placed=at("2026-11-30T02:00:00"), status="paid", paid=DAY)
    order(jd, placed=at("2026-12-01T02:00:00"))

    everything = _report("from=2026-11-30&to=2026-12-01")
    tmall = _report("from=2026-11-30&to=2026-12-01&channel=tmall")

    conversion = _kpi(everything, "payment_conversion")
    assert conversion["value"] == 0.5
    assert conversion["previous"] == 0.5
    assert conversion["trend"] == [{"date": "2026-11-30", "value": 1.0}, {"date": "2026-12-01", "value": 0.0}]
    assert everything["series"]["by_channel"] == [
        {"channel": "jd", "name": {"zh": "京东", "en": "京东"}, "orders": 1, "gmv": "0.00"},
        {"channel": "tmall", "name": {"zh": "天猫旗舰店", "en": "天猫旗舰店"}, "orders": 1, "gmv": "199.00"},
    ]
    assert tmall["channel"] == "tmall"
    assert _kpi(tmall, "payment_conversion")["trend"] == [
        {"date": "2026-11-30", "value": 1.0},
        {"date": "2026-12-01", "value": None},
    ]
    assert tmall["totals"]["orders"] == 1


def test_threshold_edges_follow_the_comparison(channel, stocked):
    admin = client_for("admin")
    for _ in range(3):
        order(channel, placed=DAY)
    order(channel, placed=DAY, held=True)  # exception share 0.25; payment conversion 0

    def ok(key: str, threshold) -> bool | None:
        response = admin.patch("/api/v1/kpis/thresholds/", {key: threshold}, format="json")
        assert response.status_code == 200, response.content
        return _kpi(_report(), key)["ok"]

    assert ok("exception_order_share", "0.25") is False  # lt: equal is not healthy
    assert ok("exception_order_share", "0.2501") is True
    assert ok("payment_conversion", 0) is True  # gte: equal is healthy
    assert ok("payment_conversion", "0.0001") is False
    assert ok("payment_conversion", None) is None  # no threshold: no verdict
    assert _kpi(_report(), "payment_conversion")["comparison"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-12-02&to=2026-12-01", "from"),
        ("from=2025-01-01&to=2026-12-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("channel=no-such-channel", "channel"),
        ("channel=" + "x" * 33, "channel"),
    ],
)
def test_bad_queries_are_refused_naming_the_parameter(channel, query, field):
    response = client_for("manager").get(f"/api/v1/kpis/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["details"]) == [field]


def test_the_default_range_is_the_last_seven_days(channel):
    response = client_for("operator").get("/api/v1/kpis/")

    assert response.status_code == 200
    assert len(response.json()["series"]["by_day"]) == 7
