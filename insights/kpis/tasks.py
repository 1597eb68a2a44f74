"""The scheduled refresh of the KPI rollups (``insights.kpi_rollups`` in ``orderflow.schedules``)."""

from .rollups import kpi_rollups_refresh


def kpi_rollups_refresh_task() -> dict:
    result = kpi_rollups_refresh()
    return {"rebuilt": result.rebuilt, "changed": result.changed, "refreshed_until": result.refreshed_until.isoformat()}
