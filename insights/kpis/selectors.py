"""The KPI report, read from the rollups alone (five small queries, whatever the number of orders)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Sum

from commerce.channels.models import Channel
from commerce.reconciliation.models import ReconciliationDay

from . import definitions
from .facts import TIME_ZONE_NAME, local_hour
from .models import COUNTERS, KpiBacklog, KpiHourly, KpiThreshold
from .rollups import BACKLOG_STATUSES

# The longest range one report covers.
MAX_RANGE_DAYS = 366


def thresholds() -> list[dict]:
    """Every KPI's threshold in force (an admin's, else the default) and its comparison (null without one)."""
    stored = {row.key: row.threshold for row in KpiThreshold.objects.all()}
    answer = []
    for definition in definitions.DEFINITIONS:
        threshold = stored[definition.key] if definition.key in stored else definition.default_threshold
        answer.append(
            {
                "key": definition.key,
                "threshold": float(threshold) if threshold is not None else None,
                "comparison": definition.comparison if threshold is not None else None,
            }
        )
    return answer


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def _sums(rows) -> dict:
    total = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            total[name] += row[name] or 0
    return total


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _reconciled(start: date, end: date) -> dict[date, tuple[int, int]]:
    """(differences, compared) of each reconciled day in [start, end] (daily reconciliation's own
    counts: a handful of rows, one per day)."""
    rows = ReconciliationDay.objects.filter(day__gte=start, day__lte=end).values_list("day", "differing", "checked")
    return {day: (differing, checked) for day, differing, checked in rows}


def _with_reconciliation(sums: dict, reconciled: dict[date, tuple[int, int]], days) -> dict:
    chosen = [reconciled[day] for day in days if day in reconciled]
    return {
        **sums,
        "reconciliation_differences": sum(d for d, _c in chosen),
        "reconciliation_checked": sum(c for _d, c in chosen),
    }


def kpi_values(sums: dict) -> dict[str, float | None]:
    """Each KPI's value over counters summed over a period (``None``: not measured there)."""
    return {definition.key: definition.value(sums) for definition in definitions.DEFINITIONS}


def kpi_report(*, date_from: date, date_to: date, channel: Channel | None) -> dict:
    """The KPIs over the Asia/Shanghai days ``date_from``..``date_to`` (inclusive), their trend per
    day and their value over as many days just before; orders and GMV by day, hour of day and
    channel; the backlog now. ``channel`` narrows everything to one channel."""
    length = (date_to - date_from).days + 1
    previous_from = date_from - timedelta(days=length)
    scope = KpiHourly.objects.all() if channel is None else KpiHourly.objects.filter(channel_id=channel.pk)
    sums = {name: Sum(name) for name in COUNTERS}

    per_day = {
        row["day"]: row
        for row in scope.filter(day__gte=previous_from, day__lte=date_to).values("day").annotate(**sums).order_by()
    }
    days = _days(date_from, date_to)
    # Reconciliation is company-wide: with a channel chosen, its rate is not measured.
    reconciled = _reconciled(previous_from, date_to) if channel is None else {}
    current = _with_reconciliation(
        _sums(row for day, row in per_day.items() if day >= date_from), reconciled, _days(date_from, date_to)
    )
    previous = _with_reconciliation(
        _sums(row for day, row in per_day.items() if day < date_from),
        reconciled,
        _days(previous_from, date_from - timedelta(days=1)),
    )
    in_range = scope.filter(day__gte=date_from, day__lte=date_to)
    by_hour = {
        row["hour"]: row for row in in_range.values("hour").annotate(orders=Sum("orders"), gmv=Sum("gmv")).order_by()
    }
    by_channel = list(
        in_range.exclude(orders=0).values("channel_id").annotate(orders=Sum("orders"), gmv=Sum("gmv")).order_by()
    )
    known = list(
        Channel.objects.filter(pk__in=[row["channel_id"] for row in by_channel]).values_list("pk", "code", "name")
    )
    names = {pk: code for pk, code, _name in known}
    titles = {pk: name for pk, _code, name in known}
    backlog_scope = KpiBacklog.objects.filter(status__in=BACKLOG_STATUSES)
    if channel is not None:
        backlog_scope = backlog_scope.filter(channel_id=channel.pk)
    backlog = dict(backlog_scope.values("status").annotate(total=Sum("count")).values_list("status", "total"))

    now_values, before_values = kpi_values(current), kpi_values(previous)
    daily_values = {
        day: kpi_values(_with_reconciliation(_sums([per_day[day]] if day in per_day else []), reconciled, [day]))
        for day in days
    }
    limits = {row["key"]: row for row in thresholds()}
    kpis = []
    for definition in definitions.DEFINITIONS:
        value = now_values[definition.key]
        limit = limits[definition.key]
        threshold = Decimal(str(limit["threshold"])) if limit["threshold"] is not None else None
        kpis.append(
            {
                "key": definition.key,
                "title": definition.title,
                "unit": definition.unit,
                "value": value,
                "measured": value is not None,
                "threshold": limit["threshold"],
                "comparison": limit["comparison"],
                "ok": definitions.is_ok(value, threshold, definition.comparison),
                "previous": before_values[definition.key],
                "trend": [{"date": day.isoformat(), "value": daily_values[day][definition.key]} for day in days],
            }
        )
    return {
        "range": {"from": date_from.isoformat(), "to": date_to.isoformat(), "timezone": TIME_ZONE_NAME},
        "channel": channel.code if channel is not None else None,
        "kpis": kpis,
        "totals": {"orders": current["orders"], "gmv": _money(current["gmv"]), "currency": "CNY"},
        "series": {
            "by_day": [
                {
                    "date": day.isoformat(),
                    "orders": per_day[day]["orders"] if day in per_day else 0,
                    "gmv": _money(per_day[day]["gmv"] if day in per_day else 0),
                }
                for day in days
            ],
            "by_hour": [
                {
                    "hour": hour,
                    "orders": by_hour[hour]["orders"] if hour in by_hour else 0,
                    "gmv": _money(by_hour[hour]["gmv"] if hour in by_hour else 0),
                }
                for hour in range(24)
            ],
            "by_channel": sorted(
                (
                    {
                        "channel": names.get(row["channel_id"], str(row["channel_id"])),
                        "name": _channel_name(titles.get(row["channel_id"], ""), names.get(row["channel_id"], "")),
                        "orders": row["orders"],
                        "gmv": _money(row["gmv"]),
                    }
                    for row in by_channel
                ),
                key=lambda point: (-point["orders"], point["channel"]),
            ),
        },
        "backlog": [{"status": status, "count": backlog.get(status, 0)} for status in BACKLOG_STATUSES],
    }


def _channel_name(name: str, code: str) -> dict:
    """A channel's name in both languages: the name an admin gave it (one text) in both."""
    text = name or code
    return {"zh": text, "en": text}


def kpi_window_sums(*, start: datetime, end: datetime) -> dict[int, dict]:
    """Counters per channel id over the Asia/Shanghai hours from the one holding ``start`` up to
    the one before the one holding ``end`` (for the alert rules, which pass whole hours)."""
    first = local_hour(start)
    last = local_hour(end)
    rows = KpiHourly.objects.filter(day__gte=first[0], day__lte=last[0]).values("channel_id", "day", "hour", *COUNTERS)
    per_channel: dict[int, list] = {}
    for row in rows:
        if first <= (row["day"], row["hour"]) < last:
            per_channel.setdefault(row["channel_id"], []).append(row)
    return {channel_id: _sums(channel_rows) for channel_id, channel_rows in per_channel.items()}
