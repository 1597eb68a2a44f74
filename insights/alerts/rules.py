"""The anomaly rules, evaluated every five minutes (``insights.alerts_evaluate`` in the schedules table).

Each rule looks at every channel and raises one alert per channel in trouble, keyed
``<rule>:<channel code>`` so that it is raised once and stays one row until someone resolves it:

- ``refund_rate_up``: the channel's refund rate (``insights.kpis.definitions``) over the last 24
  whole hours is more than 15 % above its rate over the 24 hours before (a rate going from 0 to
  anything counts as up). Critical from double.
- ``sync_delay_over_threshold``: the channel's status sync delay rate over the last 24 whole hours
  is not healthy against the threshold in force (``GET /api/v1/kpis/thresholds/``). Critical from
  five times the threshold.
- ``orders_stopped``: the channel (not the manual one) received orders in the previous
  ``ORDERFLOW_ALERT_SILENCE_MINUTES`` (60 by default) and none in the last as many. Critical.
- ``payments_unconfirmed``: the payment verification sweep's latest run (``connectors.payments.sweep``,
  every minute; none in the last ten minutes: nothing to judge) left more attempts unconfirmed than
  ``ORDERFLOW_PAYMENT_UNCONFIRMED_ALERT`` (20 by default). One alert for the shop, key
  ``payments_unconfirmed``, no drilldown.

The first two read the hourly rollups (orders by the hour they were placed) and need at least
``ORDERFLOW_ALERT_MIN_SAMPLE`` orders (10 by default) behind the current rate, so one refund of
one order is no anomaly; the third counts orders by when they arrived (``created_at``, indexed),
which is what stops when a channel's feed stops. Each alert drills down to the SKUs, regions and
couriers of the orders driving it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from commerce.channels.models import Channel
from commerce.orders.models import Order, OrderLine
from commerce.payments.models import PaymentRefund, PaymentSweep
from commerce.shipments.models import Shipment
from connectors.payments.sweep import alert_threshold, sweep_after
from insights.kpis import definitions
from insights.kpis.selectors import kpi_window_sums, thresholds

from .models import CRITICAL, WARNING, Alert
from .services import raise_alert

REFUND_RATE_UP = "refund_rate_up"
SYNC_DELAY = "sync_delay_over_threshold"
ORDERS_STOPPED = "orders_stopped"
PAYMENTS_UNCONFIRMED = "payments_unconfirmed"
SWEEP_FRESH = timedelta(minutes=10)

WINDOW = timedelta(hours=24)
RISE = Fraction(15, 100)
TOP = 5


def _min_sample() -> int:
    return getattr(settings, "ORDERFLOW_ALERT_MIN_SAMPLE", 10)


def _silence() -> timedelta:
    return timedelta(minutes=getattr(settings, "ORDERFLOW_ALERT_SILENCE_MINUTES", 60))


def _whole_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def drilldown(order_ids: list[int]) -> list[dict]:
    """The SKUs, regions (provinces) and couriers most of these orders share, top five each, as
    counts of orders; a dimension with no rows is left out."""
    if not order_ids:
        return []
    skus = Counter(
        dict(
            OrderLine.objects.filter(order_id__in=order_ids)
            .values("sku")
            .annotate(n=Count("order_id", distinct=True))
            .values_list("sku", "n")
        )
    )
    titles = dict(OrderLine.objects.filter(order_id__in=order_ids).values_list("sku", "title"))
    regions = Counter(
        dict(
            Order.objects.filter(pk__in=order_ids)
            .values("province")
            .annotate(n=Count("id"))
            .values_list("province", "n")
        )
    )
    couriers = Counter(
        dict(
            Shipment.objects.filter(order_id__in=order_ids)
            .values("courier")
            .annotate(n=Count("order_id", distinct=True))
            .values_list("courier", "n")
        )
    )
    groups = []
    for dimension, counts, label in (
        ("sku", skus, lambda key: titles.get(key, key)),
        ("region", regions, lambda key: key),
        ("courier", couriers, lambda key: key),
    ):
        rows = [
            {"key": key, "label": label(key), "value": count}
            for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        ]
        if rows:
            groups.append({"dimension": dimension, "rows": rows})
    return groups


def _placed_in(channel_id: int, start: datetime, end: datetime):
    # ``created_at`` (indexed) bounds the scan: an order placed in the window reached Orderflow
    # after its start, give or take a channel clock a day off.
    return Order.objects.filter(
        channel_id=channel_id,
        placed_at__gte=start,
        placed_at__lt=end,
        created_at__gte=start - timedelta(days=1),
    )


def _channels(ids) -> dict[int, Channel]:
    return {channel.pk: channel for channel in Channel.objects.filter(pk__in=list(ids))}


def _rose(now: dict, before: dict) -> bool:
    """Whether refunded/paid went up by more than ``RISE`` (compared exactly, in whole numbers:
    now_refunded / now_paid > before_refunded / before_paid × 115 / 100)."""
    return Fraction(now["refunded"], now["paid"]) > Fraction(before["refunded"], before["paid"]) * (1 + RISE)


def refund_rate_up(*, now: datetime) -> list[Alert]:
    end = _whole_hour(now)
    current = kpi_window_sums(start=end - WINDOW, end=end)
    previous = kpi_window_sums(start=end - 2 * WINDOW, end=end - WINDOW)
    refund = definitions.BY_KEY["refund_rate"]
    raised = []
    for channel_id, channel in _channels(current).items():
        sums, earlier = current[channel_id], previous.get(channel_id, {})
        rate, before = refund.value(sums), refund.value(earlier)
        if rate is None or before is None or sums["paid"] < _min_sample() or not _rose(sums, earlier):
            continue
        refunded = list(
            PaymentRefund.objects.filter(
                status=PaymentRefund.SUCCEEDED,
                payment__order__in=_placed_in(channel_id, end - WINDOW, end),
            )
            .values_list("payment__order_id", flat=True)
            .distinct()
        )
        raised.append(
            raise_alert(
                rule=REFUND_RATE_UP,
                key=f"{REFUND_RATE_UP}:{channel.code}",
                severity=CRITICAL if before == 0 or rate >= 2 * before else WARNING,
                channel=channel.code,
                title={"zh": f"{channel.name} 退款率上升", "en": f"{channel.name}: refund rate up"},
                message={
                    "zh": f"近 24 小时退款率 {_pct(rate)}，前 24 小时 {_pct(before)}。",
                    "en": f"Refund rate {_pct(rate)} over the last 24 hours, {_pct(before)} over the 24 before.",
                },
                drilldown=drilldown(refunded),
                details={"rate": rate, "previous": before, "paid": sums["paid"], "refunded": sums["refunded"]},
            )
        )
    return raised


def sync_delay_over_threshold(*, now: datetime) -> list[Alert]:
    limit = next(row for row in thresholds() if row["key"] == "sync_delay_rate")
    if limit["threshold"] is None:
        return []
    threshold = Decimal(str(limit["threshold"]))
    end = _whole_hour(now)
    current = kpi_window_sums(start=end - WINDOW, end=end)
    sync = definitions.BY_KEY["sync_delay_rate"]
    raised = []
    for channel_id, channel in _channels(current).items():
        sums = current[channel_id]
        rate = sync.value(sums)
        if sums["sync_measured"] < _min_sample() or definitions.is_ok(rate, threshold, sync.comparison) is not False:
            continue
        assert rate is not None
        delayed = list(
            _placed_in(channel_id, end - WINDOW, end)
            .filter(channel_lag_seconds__gt=definitions.SYNC_DELAY_SECONDS)
            .values_list("pk", flat=True)[:5000]
        )
        raised.append(
            raise_alert(
                rule=SYNC_DELAY,
                key=f"{SYNC_DELAY}:{channel.code}",
                severity=CRITICAL if rate >= 5 * float(threshold) else WARNING,
                channel=channel.code,
                title={"zh": f"{channel.name} 状态同步延迟", "en": f"{channel.name}: status sync delayed"},
                message={
                    "zh": f"近 24 小时 {sums['sync_delayed']} / {sums['sync_measured']} 个订单晚于 5 分钟同步"
                    f"（{_pct(rate)}，阈值 {_pct(float(threshold))}）。",
                    "en": f"{sums['sync_delayed']} of {sums['sync_measured']} orders reached Orderflow over 5 minutes "
                    f"late in the last 24 hours ({_pct(rate)}, threshold {_pct(float(threshold))}).",
                },
                drilldown=drilldown(delayed),
                details={
                    "rate": rate,
                    "threshold": float(threshold),
                    **{k: sums[k] for k in ("sync_measured", "sync_delayed")},
                },
            )
        )
    return raised


def orders_stopped(*, now: datetime) -> list[Alert]:
    silence = _silence()
    counts = (
        Order.objects.filter(created_at__gte=now - 2 * silence, created_at__lt=now)
        .values("channel_id")
        .annotate(
            before=Count("id", filter=Q(created_at__lt=now - silence)),
            recent=Count("id", filter=Q(created_at__gte=now - silence)),
        )
    )
    stopped = {row["channel_id"]: row["before"] for row in counts if row["before"] > 0 and row["recent"] == 0}
    channels = {pk: c for pk, c in _channels(stopped).items() if c.active and c.kind != Channel.MANUAL}
    minutes = int(silence.total_seconds() // 60)
    raised = []
    for channel_id, channel in channels.items():
        last_orders = list(
            Order.objects.filter(
                channel_id=channel_id, created_at__gte=now - 2 * silence, created_at__lt=now - silence
            ).values_list("pk", flat=True)
        )
        raised.append(
            raise_alert(
                rule=ORDERS_STOPPED,
                key=f"{ORDERS_STOPPED}:{channel.code}",
                severity=CRITICAL,
                channel=channel.code,
                title={"zh": f"{channel.name} 订单中断", "en": f"{channel.name}: orders stopped"},
                message={
                    "zh": f"近 {minutes} 分钟没有收到订单；此前 {minutes} 分钟收到 {stopped[channel_id]} 单。",
                    "en": f"No orders in the last {minutes} minutes, after {stopped[channel_id]} in the "
                    f"{minutes} before.",
                },
                drilldown=drilldown(last_orders),
                details={"previous_window_orders": stopped[channel_id], "window_minutes": minutes},
            )
        )
    return raised


def payments_unconfirmed(*, now: datetime) -> list[Alert]:
    sweep = (
        PaymentSweep.objects.filter(started_at__lte=now, started_at__gt=now - SWEEP_FRESH)
        .order_by("-started_at", "-id")
        .first()
    )
    threshold = alert_threshold()
    if sweep is None or sweep.unconfirmed <= threshold:
        return []
    minutes = int(sweep_after().total_seconds() // 60)
    return [
        raise_alert(
            rule=PAYMENTS_UNCONFIRMED,
            key=PAYMENTS_UNCONFIRMED,
            severity=WARNING,
            title={
                "zh": f"{sweep.unconfirmed} 笔支付仍未确认",
                "en": f"{sweep.unconfirmed} payments still unconfirmed",
            },
            message={
                "zh": f"支付核验机器人查询后仍有 {sweep.unconfirmed} 笔支付超过 {minutes} 分钟未确认（阈值 "
                f"{threshold} 笔），请检查支付网关连接与回调地址。",
                "en": f"After the payment sweep, {sweep.unconfirmed} payment attempts older than {minutes} minutes "
                f"are still unconfirmed (threshold {threshold}): check the gateway connections and notify URLs.",
            },
            details={"unconfirmed": sweep.unconfirmed, "threshold": threshold, "sweep_id": sweep.pk},
        )
    ]


def alerts_evaluate(*, now: datetime | None = None) -> list[Alert]:
    """Runs every rule; answers the open alerts they raised or found already open."""
    now = now or timezone.now()
    return [
        *refund_rate_up(now=now),
        *sync_delay_over_threshold(now=now),
        *orders_stopped(now=now),
        *payments_unconfirmed(now=now),
    ]
