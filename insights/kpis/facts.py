"""What one order or one notification adds to the KPI counters (see ``definitions`` for the KPIs).

Pure functions of the rows read by ``rollups``: the same rows and the same ``now`` give the same
fact, which is what lets the incremental refresh and the rebuild agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from commerce.orders import statuses

from .definitions import SYNC_DELAY_SECONDS
from .models import COUNTERS, NO_CHANNEL, KpiFact

# The KPIs' days and hours are Asia/Shanghai's (the API says so in ``range.timezone``).
TIME_ZONE_NAME = "Asia/Shanghai"
TIME_ZONE = ZoneInfo(TIME_ZONE_NAME)

ORDER_COLUMNS = (
    "pk",
    "channel_id",
    "placed_at",
    "status",
    "total_amount",
    "paid_at",
    "shipped_at",
    "on_hold",
    "channel_lag_seconds",
)
NOTIFICATION_COLUMNS = ("pk", "created_at", "order__channel_id", "status", "attempts")

# An order paid and then cancelled or closed without shipping is no fulfilment, late or on time.
_ENDED_UNSHIPPED = frozenset({statuses.CANCELLED, statuses.CLOSED})


def local_hour(moment: datetime) -> tuple[date, int]:
    """The Asia/Shanghai day and hour (0–23) of a UTC moment."""
    local = moment.astimezone(TIME_ZONE)
    return local.date(), local.hour


@dataclass(frozen=True)
class Fact:
    day: date
    hour: int
    channel_id: int
    counters: dict = field(hash=False)
    status: str = ""
    held: bool = False
    failed_execution: bool = False
    open_ticket: bool = False

    @classmethod
    def of(cls, stored: KpiFact) -> Fact:
        return cls(
            day=stored.day,
            hour=stored.hour,
            channel_id=stored.channel_id,
            counters={name: getattr(stored, name) for name in COUNTERS},
            status=stored.status,
            held=stored.held,
            failed_execution=stored.failed_execution,
            open_ticket=stored.open_ticket,
        )

    def value_of(self, name: str):
        return self.counters[name] if name in self.counters else getattr(self, name)

    def fields(self) -> dict:
        return {
            "day": self.day,
            "hour": self.hour,
            "channel_id": self.channel_id,
            "status": self.status,
            "held": self.held,
            "failed_execution": self.failed_execution,
            "open_ticket": self.open_ticket,
            **self.counters,
        }


def _counters(**values) -> dict:
    return {name: values.get(name, 0) for name in COUNTERS}


def order_fact(row: tuple, *, failed: bool, ticketed: bool, refunded: bool, sla: timedelta, now: datetime) -> Fact:
    """``row`` holds ``ORDER_COLUMNS``; ``failed``/``ticketed``: it has a dead flow execution / an
    open ticket; ``refunded``: a gateway refund of it succeeded."""
    _pk, channel_id, placed_at, status, total, paid_at, shipped_at, on_hold, lag = row
    day, hour = local_hour(placed_at)
    paid = paid_at is not None
    sla_due = sla_met = processed = processing_seconds = 0
    if paid and shipped_at is not None:
        elapsed = shipped_at - paid_at
        sla_due, sla_met = 1, int(elapsed <= sla)
        processed, processing_seconds = 1, max(0, int(elapsed.total_seconds()))
    elif paid and status not in _ENDED_UNSHIPPED and paid_at + sla <= now:
        sla_due = 1
    return Fact(
        day=day,
        hour=hour,
        channel_id=channel_id,
        status=status,
        held=on_hold,
        failed_execution=failed,
        open_ticket=ticketed,
        counters=_counters(
            orders=1,
            gmv=total if paid else Decimal("0"),
            paid=int(paid),
            sync_measured=int(lag is not None),
            sync_delayed=int(lag is not None and lag > SYNC_DELAY_SECONDS),
            exceptions=int(on_hold or failed or ticketed),
            sla_due=sla_due,
            sla_met=sla_met,
            processed=processed,
            processing_seconds=processing_seconds,
            refunded=int(paid and refunded),
        ),
    )


def notification_fact(row: tuple) -> Fact:
    """``row`` holds ``NOTIFICATION_COLUMNS``. Due: attempted at least once (or settled);
    delivered: the provider accepted it (``sent``)."""
    _pk, created_at, channel_id, status, attempts = row
    day, hour = local_hour(created_at)
    due = status in ("sent", "failed", "dead") or attempts > 0
    return Fact(
        day=day,
        hour=hour,
        channel_id=channel_id if channel_id is not None else NO_CHANNEL,
        counters=_counters(notifications_due=int(due), notifications_delivered=int(status == "sent")),
    )
