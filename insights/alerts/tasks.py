"""The scheduled evaluation of the anomaly rules (``insights.alerts_evaluate`` in ``orderflow.schedules``)."""

from .rules import alerts_evaluate


def alerts_evaluate_task() -> dict:
    alerts = alerts_evaluate()
    return {"open_alerts_raised_or_found": [alert.key for alert in alerts]}
