from core.time import iso_utc

from .models import Alert


def alert_representation(alert: Alert) -> dict:
    """The one JSON shape of an alert: the API's answer and the ``insights.alert`` event's payload."""
    return {
        "id": alert.pk,
        "rule": alert.rule,
        "severity": alert.severity,
        "channel": alert.channel or None,
        "title": alert.title,
        "message": alert.message,
        "raised_at": iso_utc(alert.raised_at),
        "resolved_at": iso_utc(alert.resolved_at),
        "resolved_by": alert.resolved_by.get_username() if alert.resolved_by is not None else None,
        "drilldown": alert.drilldown,
    }
