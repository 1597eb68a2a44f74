"""The health KPIs: what each one counts, its unit, its default threshold and which way is healthy.

Every KPI is a ratio (or a mean) of rollup counters (``insights.kpis.models.COUNTERS``) summed over
a period, so it can be computed for any range, channel, day or the period before from the same
rows. The counters of an order are those of the Asia/Shanghai hour the channel says it was
**placed** in (``Order.placed_at``); a notification's are those of the hour it was logged.

- ``sync_delay_rate``: of the orders a live channel sync brought (webhook or poll — manual and
  imported orders have no channel event to be late), those whose slowest channel event reached
  Orderflow more than 5 minutes after the channel changed the order (``Order.channel_lag_seconds``
  > 300) / those orders. Healthy below 1 %.
- ``notification_reach_rate``: notifications delivered (the provider accepted them: ``sent``) /
  notifications due (every logged notification once attempted: ``sent``, ``failed``, ``dead``, or
  queued again after a failed attempt; a queued one not yet attempted is not due yet). Healthy at
  98 % or more.
- ``reconciliation_difference_rate``: the differences daily reconciliation found (open or resolved;
  not those a re-run cleared) / the payments, bill lines and shipments it compared, over the days
  reconciled in the period (``commerce.reconciliation``: ``ReconciliationDay.differing`` and
  ``checked``, counted company-wide — with a channel chosen it is not measured). A period no run
  covered is not measured. Healthy below 0.3 %.
- ``exception_order_share``: orders needing a person now — on hold, with a dead (failed, not
  replayed) flow execution, or with an open ticket — / all orders. Healthy below 2 %.
- ``payment_conversion``: orders paid (``paid_at`` set) / all orders.
- ``on_time_fulfilment``: paid orders shipped within the SLA (``ORDERFLOW_KPI_SHIP_SLA_HOURS``
  after payment, 48 h by default) / paid orders whose shipping is decided: shipped, or not shipped
  and past the SLA (late). Orders cancelled or closed unshipped are left out.
- ``refund_rate``: paid orders money went back to — a gateway refund that succeeded, or a refund
  request refunded (through the gateway, offline by finance, or by the sales channel) — / paid
  orders.
- ``avg_processing_minutes``: the mean of shipped − paid, in minutes, over shipped orders.

A KPI whose denominator is zero over a period is not measured there: value, ok and the trend
point are null, never a fake 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

RATIO = "ratio"
MINUTES = "minutes"
COUNT = "count"
MONEY = "money"

LT, LTE, GT, GTE = "lt", "lte", "gt", "gte"
COMPARISONS = (LT, LTE, GT, GTE)

# An order whose slowest channel event arrived more than this many seconds late counts as delayed.
SYNC_DELAY_SECONDS = 5 * 60


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    zh: str
    en: str
    unit: str
    # Which way is healthy, kept even without a threshold: a threshold an admin sets later uses it.
    comparison: str
    default_threshold: Decimal | None
    # The counters (see ``models.COUNTERS``): value = numerator / denominator (× scale).
    numerator: str | None
    denominator: str | None
    scale: Decimal = Decimal(1)
    # The highest threshold an admin may set.
    max_threshold: Decimal = Decimal(1)

    @property
    def title(self) -> dict:
        return {"zh": self.zh, "en": self.en}

    def value(self, sums: dict) -> float | None:
        """The KPI over counters summed over a period; ``None`` when not measured there."""
        if self.numerator is None or self.denominator is None:
            return None
        denominator = sums.get(self.denominator) or 0
        if not denominator:
            return None
        return float(Decimal(sums.get(self.numerator) or 0) * self.scale / Decimal(denominator))


DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "sync_delay_rate", "状态同步延迟率", "Status sync delay rate", RATIO, LT, Decimal("0.01"),
        "sync_delayed", "sync_measured",
    ),
    KpiDefinition(
        "notification_reach_rate", "通知触达率", "Notification reach rate", RATIO, GTE, Decimal("0.98"),
        "notifications_delivered", "notifications_due",
    ),
    KpiDefinition(
        "reconciliation_difference_rate", "对账差异率", "Reconciliation difference rate", RATIO, LT,
        Decimal("0.003"), "reconciliation_differences", "reconciliation_checked",
    ),
    KpiDefinition(
        "exception_order_share", "异常订单占比", "Exception order share", RATIO, LT, Decimal("0.02"),
        "exceptions", "orders",
    ),
    KpiDefinition(
        "payment_conversion", "支付转化率", "Payment conversion", RATIO, GTE, None, "paid", "orders",
    ),
    KpiDefinition(
        "on_time_fulfilment", "准时发货率", "On-time fulfilment", RATIO, GTE, None, "sla_met", "sla_due",
    ),
    KpiDefinition("refund_rate", "退款率", "Refund rate", RATIO, LTE, None, "refunded", "paid"),
    KpiDefinition(
        "avg_processing_minutes", "平均处理时长（支付→发货）", "Average processing time (paid → shipped)",
        MINUTES, LTE, None, "processing_seconds", "processed", scale=Decimal(1) / Decimal(60),
        max_threshold=Decimal(100_000),
    ),
)  # fmt: skip

BY_KEY = {definition.key: definition for definition in DEFINITIONS}
KEYS = tuple(BY_KEY)


def is_ok(value: float | None, threshold: Decimal | None, comparison: str) -> bool | None:
    """Whether ``value`` is healthy against ``threshold``; ``None`` if either is missing."""
    if value is None or threshold is None:
        return None
    limit = float(threshold)
    return {
        LT: value < limit,
        LTE: value <= limit,
        GT: value > limit,
        GTE: value >= limit,
    }[comparison]
