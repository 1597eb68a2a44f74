"""django-q2 entry point of reconciliation (scheduled in ``orderflow.schedules.services``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from core.actors import Actor
from core.errors import InvalidInput

from .models import ReconciliationDay
from .services import reconciliation_run

DAILY_ACTOR = Actor.system("daily reconciliation", source="schedule")


def run_at() -> time:
    value = str(getattr(settings, "ORDERFLOW_RECONCILIATION_AT", "02:00"))
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(details={"ORDERFLOW_RECONCILIATION_AT": "a time as HH:MM"}) from None


def reconciliation_day_due(*, now: datetime | None = None) -> date | None:
    """Yesterday (Asia/Shanghai), once the clock passed ``ORDERFLOW_RECONCILIATION_AT`` and it is
    not reconciled yet; else None."""
    local = (now or timezone.now()).astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE))
    if local.time() < run_at():
        return None
    yesterday = local.date() - timedelta(days=1)
    if ReconciliationDay.objects.filter(day=yesterday).exists():
        return None
    return yesterday


def reconciliation_daily_task() -> dict:
    day = reconciliation_day_due()
    if day is None:
        return {"reconciled": None}
    record = reconciliation_run(day=day, actor=DAILY_ACTOR)
    return {"reconciled": day.isoformat(), "status": record.status, "differing": record.differing}
