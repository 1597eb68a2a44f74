"""Each connection's polling as a job of the task monitor, read from the connectors' own record
of every poll (``PollRun``: status, pages fetched, error).

One minute's schedule (``connectors.polls``) queues a poll task per due connection; those tasks
belong to no schedule, and a poll that the provider refuses is recorded as a failed ``PollRun``
by the task that then succeeds. So the health of each connection's polling is read from its
``PollRun`` rows — with the same figures, warnings and health words as the scheduled jobs.

Each polled list of a connection is a job of its own, so that a list's volume is warned against
its own history: ``connectors.poll:<connection id>`` for its orders, and
``connectors.poll:<connection id>:refunds`` for its refunds (marketplaces with a refund poll). The
volume is the items fetched.
"""

from datetime import datetime

from django.db.models import Avg, Count, Max, Q, QuerySet

from connectors.models import ORDERS, REFUNDS, STREAMS, Connection, PollRun
from connectors.services.polling import poll_interval

from .services import HISTORY, volume_warning

JOB_PREFIX = "connectors.poll:"
TASKS = {ORDERS: "connectors.tasks.connection_poll_task", REFUNDS: "connectors.tasks.connection_refund_poll_task"}


def poll_job_name(connection_id: int, stream: str) -> str:
    return f"{JOB_PREFIX}{connection_id}" + ("" if stream == ORDERS else f":{stream}")


def poll_job_parse(job: str) -> tuple[int, str] | None:
    """The connection id and list of a poll job's name, or ``None`` when ``job`` is not one."""
    if not job.startswith(JOB_PREFIX):
        return None
    tail, _, stream = job.removeprefix(JOB_PREFIX).partition(":")
    if not (tail.isdigit() and len(tail) <= 18) or stream == ORDERS:
        return None
    stream = stream or ORDERS
    return (int(tail), stream) if stream in STREAMS else None


def poll_runs(connection_id: int, stream: str = ORDERS, *, failed: bool | None = None) -> QuerySet[PollRun]:
    """The finished polls of one of a connection's lists, newest first."""
    runs = PollRun.objects.filter(connection_id=connection_id, stream=stream).exclude(status=PollRun.RUNNING)
    if failed is True:
        runs = runs.filter(status=PollRun.FAILED)
    elif failed is False:
        runs = runs.filter(status=PollRun.SUCCEEDED)
    return runs.order_by("-started_at", "-id")


def poll_run_representation(run: PollRun, warning: str = "") -> dict:
    finished = run.finished_at or run.started_at
    success = run.status == PollRun.SUCCEEDED
    return {
        "id": run.pk,
        "started_at": run.started_at,
        "finished_at": finished,
        "duration_ms": max(int((finished - run.started_at).total_seconds() * 1000), 0),
        "success": success,
        "volume": run.fetched if success else None,
        "warning": warning or None,
        "error": run.error,
        "alert_raised": False,
    }


def poll_runs_with_warnings(connection_id: int, stream: str, limit: int) -> list[dict]:
    """The last ``limit`` polls of a list, each success warned against the successful polls before it."""
    runs = list(poll_runs(connection_id, stream)[: limit + HISTORY])
    shown = []
    for index, run in enumerate(runs[:limit]):
        warning = ""
        if run.status == PollRun.SUCCEEDED:
            earlier = [r.fetched for r in runs[index + 1 :] if r.status == PollRun.SUCCEEDED][:HISTORY]
            warning = volume_warning(run.fetched, earlier)
        shown.append(poll_run_representation(run, warning))
    return shown


def connection_poll_jobs(*, now: datetime, since: datetime, recent_runs: int, overdue_grace) -> list[dict]:
    """One entry per list of a connection that has polled, in ``selectors.monitor_jobs``' shape."""
    finished = PollRun.objects.exclude(status=PollRun.RUNNING)
    totals = {
        (row["connection_id"], row["stream"]): row
        for row in finished.values("connection_id", "stream").annotate(
            last_success_at=Max("started_at", filter=Q(status=PollRun.SUCCEEDED)),
            last_failure_at=Max("started_at", filter=Q(status=PollRun.FAILED)),
            runs_24h=Count("id", filter=Q(started_at__gte=since)),
            failures_24h=Count("id", filter=Q(started_at__gte=since, status=PollRun.FAILED)),
            average_volume=Avg("fetched", filter=Q(started_at__gte=since, status=PollRun.SUCCEEDED)),
        )
    }
    connections = Connection.objects.in_bulk({connection_id for connection_id, _stream in totals})
    jobs = []
    for connection_id, stream in sorted(totals, key=lambda key: (key[0], STREAMS.index(key[1]))):
        total = totals[connection_id, stream]
        connection = connections[connection_id]
        recent = poll_runs_with_warnings(connection.pk, stream, recent_runs)
        last_failure_at = total["last_failure_at"]
        consecutive = poll_runs(connection.pk, stream, failed=False)
        if last_failure_at is not None:
            consecutive = consecutive.filter(started_at__gt=last_failure_at)
        last_error = ""
        if last_failure_at is not None:
            last_error = poll_runs(connection.pk, stream, failed=True).values_list("error", flat=True).first() or ""
        durations = [
            (end - start).total_seconds() * 1000
            for start, end in finished.filter(connection=connection, stream=stream, started_at__gte=since).values_list(
                "started_at", "finished_at"
            )
            if end is not None
        ]
        interval = poll_interval(connection)
        next_run = recent[0]["started_at"] + interval if recent and connection.enabled else None
        warnings = [recent[0]["warning"]] if recent and recent[0]["warning"] else []
        if next_run is not None and next_run < now - overdue_grace:
            warnings.append("overdue")
        average_volume = total["average_volume"]
        jobs.append(
            {
                "job": poll_job_name(connection.pk, stream),
                "func": TASKS[stream],
                "connection": {"id": connection.pk, "name": connection.name, "connector": connection.connector},
                "scheduled": connection.enabled,
                "every_minutes": max(round(interval.total_seconds() / 60), 1),
                "next_run": next_run,
                "warnings": warnings,
                "last_run_at": recent[0]["started_at"] if recent else None,
                "last_success_at": total["last_success_at"],
                "last_failure_at": last_failure_at,
                "last_error": last_error,
                "consecutive_successes": consecutive.count(),
                "runs_24h": total["runs_24h"],
                "failures_24h": total["failures_24h"],
                "average_duration_ms": round(sum(durations) / len(durations)) if durations else None,
                "last_volume": recent[0]["volume"] if recent else None,
                "average_volume": round(average_volume, 2) if average_volume is not None else None,
                "recent_runs": recent,
            }
        )
    return jobs
