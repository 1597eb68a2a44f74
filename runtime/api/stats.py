"""Run statistics per flow, for the flow list: one aggregate query for any number of flows.

Kept beside the endpoint that serves it; it is a read like those in ``runtime.selectors``.
"""

from datetime import timedelta

from django.db.models import Count, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from builder.models import Flow

from .. import statuses
from ..models import Execution

STATS_WINDOW = timedelta(days=7)
# Executions that ended in failure. ``dead`` is the only one: a failed step that will retry leaves
# the run ``retrying``, not failed.
FAILED_STATUSES = (statuses.DEAD,)


def execution_stats(*, flow_ids: list[int] | None, since) -> list[dict]:
    """Per flow (id order): when it last ran and how, and its runs and failures created since ``since``.

    ``flow_ids`` None means every flow; ids of flows that do not exist are left out. One query:
    the window's executions are joined per flow (the join condition, not the WHERE, holds the window,
    so flows without runs keep their row) and counted; the latest run comes from a correlated subquery.
    ``last_run_at`` is when the latest run started, or was created if it has not started yet.
    """
    latest = Execution.objects.filter(flow=OuterRef("pk")).order_by("-created_at", "-id")
    flows = Flow.objects.all() if flow_ids is None else Flow.objects.filter(pk__in=flow_ids)
    rows = (
        flows.annotate(recent=FilteredRelation("executions", condition=Q(executions__created_at__gte=since)))
        .values("pk")
        .annotate(
            runs=Count("recent"),
            failures=Count("recent", filter=Q(recent__status__in=FAILED_STATUSES)),
            last_run_at=Subquery(latest.values(at=Coalesce("started_at", "created_at"))[:1]),
            last_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("pk")
    )
    return [
        {
            "flow": row["pk"],
            "last_run_at": row["last_run_at"],
            "last_status": row["last_status"],
            "runs": row["runs"],
            "failures": row["failures"],
        }
        for row in rows
    ]


def stats_since(now=None):
    return (now or timezone.now()) - STATS_WINDOW
