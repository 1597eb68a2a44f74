"""The rollups follow the orders within seconds: a committed domain event kicks a refresh.

``kpi_refresh_kick`` listens to ``commerce.outbox.services.outbox_committed`` and queues the
refresh task (``tasks.kpi_rollups_refresh_task``) at most once per ``ORDERFLOW_KPI_KICK_SECONDS``
(5) across all processes where the queue is Redis (``runtime.queue.enqueue_at_most_every``; per
process otherwise); the minute schedule stays as the safety net. A web process's live follower sees the
refresh land and tells the dashboards (``kpis.changed``), so a new order shows in the KPIs within
seconds rather than at the next minute.
"""

from __future__ import annotations

import logging

from django.conf import settings

from runtime.queue import enqueue_at_most_every

logger = logging.getLogger(__name__)

REFRESH_TASK = "insights.kpis.tasks.kpi_rollups_refresh_task"


def kpi_refresh_kick(**_signal) -> None:
    """``outbox_committed`` receiver: a clock read, and nothing else, when this process kicked recently."""
    if not getattr(settings, "ORDERFLOW_KPI_REFRESH_ON_EVENTS", True):
        return
    try:
        enqueue_at_most_every(REFRESH_TASK, seconds=float(getattr(settings, "ORDERFLOW_KPI_KICK_SECONDS", 5)))
    except Exception:  # the queue being down must not fail the commit that already happened
        logger.exception("kpis: could not queue the rollups' refresh")
