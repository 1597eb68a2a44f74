"""The rollups follow the orders within seconds: a committed domain event kicks a refresh.

``kpi_refresh_kick`` listens to ``commerce.outbox.services.outbox_committed`` and queues the
refresh task (``tasks.kpi_rollups_refresh_task``) at most once per ``ORDERFLOW_KPI_KICK_SECONDS``
(5) per process; the minute schedule stays as the safety net. A web process's live follower sees the
refresh land and tells the dashboards (``kpis.changed``), so a new order shows in the KPIs within
seconds rather than at the next minute.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

from runtime.queue import enqueue

logger = logging.getLogger(__name__)

REFRESH_TASK = "insights.kpis.tasks.kpi_rollups_refresh_task"
_lock = threading.Lock()
_last_kick = float("-inf")


def kpi_refresh_kick(**_signal) -> None:
    """``outbox_committed`` receiver: a clock read, and nothing else, when a kick went out recently."""
    global _last_kick
    if not getattr(settings, "ORDERFLOW_KPI_REFRESH_ON_EVENTS", True):
        return
    now = time.monotonic()
    with _lock:
        if now - _last_kick < float(getattr(settings, "ORDERFLOW_KPI_KICK_SECONDS", 5)):
            return
        _last_kick = now
    try:
        enqueue(REFRESH_TASK)
    except Exception:  # the queue being down must not fail the commit that already happened
        logger.exception("kpis: could not queue the rollups' refresh")
