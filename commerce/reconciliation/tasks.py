"""django-q2 entry point of reconciliation (scheduled in ``orderflow.schedules.services``, every
15 minutes): yesterday's run once the Asia/Shanghai clock passes ``ORDERFLOW_RECONCILIATION_AT``,
and the retries of partial days — a day whose bill was not published yet (or could not be fetched)
is run again every ``ORDERFLOW_RECONCILIATION_RETRY_MINUTES`` (60) until
``ORDERFLOW_RECONCILIATION_RETRY_UNTIL`` (12:00) of the next day; the run after that cut-off
leaves it ``incomplete`` and alerts finance (``services.reconciliation_apply``). Re-running a day
is idempotent: a difference is filed once, however many retries it takes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from core.actors import Actor
from core.errors import InvalidInput

from . import categories as c
from .models import ReconciliationDay
from .services import reconciliation_run, retry_every

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


RETRY_DAYS = 7  # partial days older than this are left alone (a manual run still works)


def reconciliation_days_to_retry(*, now: datetime | None = None) -> list[date]:
    """Partial days (of the last ``RETRY_DAYS``) whose last attempt is ``retry_every()`` old."""
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)).date()
    return list(
        ReconciliationDay.objects.filter(
            status=c.PARTIAL, day__gte=local - timedelta(days=RETRY_DAYS), last_fetch_at__lte=now - retry_every()
        )
        .order_by("day")
        .values_list("day", flat=True)
    )


def reconciliation_daily_task() -> dict:
    now = timezone.now()
    day = reconciliation_day_due(now=now)
    answer: dict = {"reconciled": None}
    if day is not None:
        record = reconciliation_run(day=day, actor=DAILY_ACTOR)
        answer = {"reconciled": day.isoformat(), "status": record.status, "differing": record.differing}
    retried = {}
    for other in reconciliation_days_to_retry(now=now):
        if other != day:
            retried[other.isoformat()] = reconciliation_run(day=other, actor=DAILY_ACTOR).status
    if retried:
        answer["retried"] = retried
    return answer
