from django.db.models import QuerySet

from .models import Alert


def alert_list(*, status: str | None = None) -> QuerySet[Alert]:
    """Alerts, newest first; ``status``: ``open`` or ``resolved``."""
    alerts = Alert.objects.select_related("resolved_by")
    if status == "open":
        alerts = alerts.filter(resolved_at__isnull=True)
    elif status == "resolved":
        alerts = alerts.filter(resolved_at__isnull=False)
    return alerts


def alert_get(*, alert_id: int) -> Alert | None:
    return Alert.objects.select_related("resolved_by").filter(pk=alert_id).first()
