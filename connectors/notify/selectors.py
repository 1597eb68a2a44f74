"""Reads of the notification log: the list the operators see, and the reach rate the dashboards show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from .models import NotificationLog


def notification_list(
    *, channel: str = "", status: str = "", order_id: int | None = None, connection_id: int | None = None
) -> QuerySet[NotificationLog]:
    logs = NotificationLog.objects.all()
    if channel:
        logs = logs.filter(channel=channel)
    if status:
        logs = logs.filter(status=status)
    if order_id is not None:
        logs = logs.filter(order_id=order_id)
    if connection_id is not None:
        logs = logs.filter(connection_id=connection_id)
    return logs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class ReachRate:
    """Notifications ``sent`` among those ``attempted`` (at least one attempt made): the reach rate
    KPI. Rows still waiting for their first attempt (quiet hours) are not counted yet."""

    attempted: int
    sent: int

    @property
    def rate(self) -> float | None:
        return self.sent / self.attempted if self.attempted else None


def notification_reach_rate(
    *, since: datetime | None = None, until: datetime | None = None, channel: str = ""
) -> ReachRate:
    logs = NotificationLog.objects.filter(attempts__gt=0)
    if since is not None:
        logs = logs.filter(created_at__gte=since)
    if until is not None:
        logs = logs.filter(created_at__lt=until)
    if channel:
        logs = logs.filter(channel=channel)
    counts = logs.aggregate(attempted=Count("id"), sent=Count("id", filter=Q(status=NotificationLog.SENT)))
    return ReachRate(attempted=counts["attempted"], sent=counts["sent"])
