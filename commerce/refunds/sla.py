"""Refund SLA: how long a request has waited, as a board colour, and ``refund.sla_breached`` once per level.

A request's clock runs from filing until the money is back (``statuses.CLOCK_RUNNING``). At
``ORDERFLOW_REFUND_SLA_HOURS`` (12, 24 and 36 hours by default) it turns yellow, orange and red;
``refunds_sla_check`` (every 5 minutes, ``orderflow.schedules.services``) announces each level a
request reaches with a ``refund.sla_breached`` event — once per level, recorded in ``sla_level`` —
so a flow can escalate to a supervisor or notify someone (``services.refunds_sla_check``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from . import statuses


def sla_hours() -> tuple[float, float, float]:
    yellow, orange, red = getattr(settings, "ORDERFLOW_REFUND_SLA_HOURS", (12, 24, 36))
    return float(yellow), float(orange), float(red)


def sla_level(refund, *, now: datetime | None = None) -> str:
    """The colour a request shows now: "" while on time, or when its clock has stopped."""
    if refund.status not in statuses.CLOCK_RUNNING:
        return ""
    waited = (now or timezone.now()) - refund.created_at
    level = ""
    for name, hours in zip(statuses.SLA_LEVELS, sla_hours(), strict=True):
        if waited >= timedelta(hours=hours):
            level = name
    return level


def sla_rank(level: str) -> int:
    return statuses.SLA_LEVELS.index(level) + 1 if level else 0
