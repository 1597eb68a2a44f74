"""The task monitor's reads: every job with its health, and a job's runs."""

from datetime import datetime, timedelta

from django.db.models import Avg, Count, Max, Q, QuerySet
from django_q.models import Schedule

from connectors.models import PollRun

from .models import JobRun
from .polls import connection_poll_jobs, poll_job_parse

WINDOW = timedelta(hours=24)
RECENT_RUNS = 10
# A job whose schedule is due longer ago than this is overdue: the scheduler or worker is not running it.
OVERDUE_GRACE = timedelta(minutes=5)

HEALTH_OK = "ok"
HEALTH_WARNING = "warning"
HEALTH_FAILING = "failing"
HEALTH_NEVER_RUN = "never_run"


def _run(run: JobRun) -> dict:
    return {
        "id": run.pk,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_ms": run.duration_ms,
        "success": run.success,
        "volume": run.volume,
        "warning": run.warning or None,
        "error": run.error,
        "alert_raised": run.alert is not None,
    }


def job_runs(*, job: str, failed: bool | None = None) -> QuerySet[JobRun]:
    """The runs of ``job``, newest first; ``failed`` keeps only failures (True) or successes (False)."""
    runs = JobRun.objects.filter(job=job).order_by("-started_at", "-id")
    if failed is not None:
        runs = runs.filter(success=not failed)
    return runs


def job_known(job: str) -> bool:
    poll_job = poll_job_parse(job)
    if poll_job is not None:
        connection_id, stream = poll_job
        return PollRun.objects.filter(connection_id=connection_id, stream=stream).exists()
    return Schedule.objects.filter(name=job).exists() or JobRun.objects.filter(job=job).exists()


def health_of(*, recent: list[dict], warnings: list[str]) -> str:
    if not recent:
        return HEALTH_NEVER_RUN
    if not recent[0]["success"]:
        return HEALTH_FAILING
    return HEALTH_WARNING if warnings else HEALTH_OK


def _schedule_interval(schedule: Schedule) -> int | None:
    return schedule.minutes if schedule.schedule_type == Schedule.MINUTES else None


def monitor_jobs(*, now: datetime) -> list[dict]:
    """Every scheduled job (and every job with recorded runs whose schedule is gone), by name, with:
    its schedule, last run, last success, consecutive successes, average duration and failures over
    the last 24 hours (the last error with them), its recent runs (volume, warnings) and one health
    word: ``failing`` (the last run failed), ``warning`` (the last run's volume warned, or the job
    is overdue), ``ok``, or ``never_run``. Each connection's polling follows as a job of its own
    (``polls``)."""
    since = now - WINDOW
    schedules = {s.name: s for s in Schedule.objects.exclude(name__isnull=True).order_by("name")}
    totals = {
        row["job"]: row
        for row in JobRun.objects.values("job").annotate(
            last_success_at=Max("started_at", filter=Q(success=True)),
            last_failure_at=Max("started_at", filter=Q(success=False)),
            runs_24h=Count("id", filter=Q(started_at__gte=since)),
            failures_24h=Count("id", filter=Q(started_at__gte=since, success=False)),
            average_duration_ms=Avg("duration_ms", filter=Q(started_at__gte=since)),
            average_volume=Avg("volume", filter=Q(started_at__gte=since)),
        )
    }
    jobs = []
    for name in sorted(set(schedules) | set(totals)):
        schedule = schedules.get(name)
        total = totals.get(name, {})
        recent = list(job_runs(job=name)[:RECENT_RUNS])
        last_failure_at = total.get("last_failure_at")
        consecutive = job_runs(job=name, failed=False)
        if last_failure_at is not None:
            consecutive = consecutive.filter(started_at__gt=last_failure_at)
        last_error = ""
        if last_failure_at is not None:
            last_error = job_runs(job=name, failed=True).values_list("error", flat=True).first() or ""
        next_run = schedule.next_run if schedule else None
        overdue = next_run is not None and next_run < now - OVERDUE_GRACE
        warnings = []
        if recent and recent[0].warning:
            warnings.append(recent[0].warning)
        if overdue:
            warnings.append("overdue")
        runs = [_run(run) for run in recent]
        average_duration = total.get("average_duration_ms")
        average_volume = total.get("average_volume")
        jobs.append(
            {
                "job": name,
                "func": schedule.func if schedule else (recent[0].func if recent else ""),
                "connection": None,
                "scheduled": schedule is not None,
                "every_minutes": _schedule_interval(schedule) if schedule else None,
                "next_run": next_run,
                "warnings": warnings,
                "last_run_at": recent[0].started_at if recent else None,
                "last_success_at": total.get("last_success_at"),
                "last_failure_at": last_failure_at,
                "last_error": last_error,
                "consecutive_successes": consecutive.count() if recent else 0,
                "runs_24h": total.get("runs_24h", 0),
                "failures_24h": total.get("failures_24h", 0),
                "average_duration_ms": round(average_duration) if average_duration is not None else None,
                "last_volume": recent[0].volume if recent else None,
                "average_volume": round(average_volume, 2) if average_volume is not None else None,
                "recent_runs": runs,
            }
        )
    jobs.extend(connection_poll_jobs(now=now, since=since, recent_runs=RECENT_RUNS, overdue_grace=OVERDUE_GRACE))
    for job in jobs:
        job["health"] = health_of(recent=job["recent_runs"], warnings=job["warnings"])
    return jobs


def run_representation(run: JobRun) -> dict:
    return _run(run)
