"""Recording the runs of scheduled jobs, and what a run says about its job's health.

Every django-q2 task started by a schedule carries the schedule's name as its ``group``
(django-q2's scheduler sets it); ``receivers`` hands each such finished task to
``job_run_record``. So every job of the schedules table (``orderflow.schedules``) is covered,
today's and those added later, with no code per job.

**Volume.** A task reports how much it processed in its return value (``volume_of``): an
integer; or a dict with one of ``VOLUME_KEYS`` (the first found); or a dict of counts keyed by
id (``{connection_id: polled}``: summed; ``{}`` is 0). Anything else — ``None`` included —
records no volume.

**Warnings** compare a run's volume with the job's previous ``HISTORY`` runs that reported one
(at least ``MIN_HISTORY`` of them): ``volume_zero`` when it is 0 and every one of those was
above 0 (the stream stopped), ``volume_spike`` when it is at least ``SPIKE_FACTOR`` times their
mean (taken as at least 1) and at least ``SPIKE_MIN`` more than it.

**Failures** are recorded with the task's error and raise an ``insights.alert`` (``_alert_failed_job``):
one open alert per failing job, which flows can act on.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from insights.alerts.services import raise_alert

from .models import JobRun

logger = logging.getLogger(__name__)

RETENTION = timedelta(days=7)
HISTORY = 10
MIN_HISTORY = 5
SPIKE_FACTOR = 5
SPIKE_MIN = 10
ERROR_MAX = 4000
VOLUME_KEYS = ("processed", "count", "checked", "dispatched", "total")

ALERT_RULE = "task_failed"
ALERT_SEVERITY = "critical"


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def volume_of(result) -> int | None:
    """How much a task reported processing (see the module's docstring); ``None`` if it said nothing countable."""
    if _count(result) is not None:
        return result
    if not isinstance(result, dict):
        return None
    for key in VOLUME_KEYS:
        if key in result:
            return _count(result[key])
    keyed_by_id = all(isinstance(key, int) or (isinstance(key, str) and key.isdigit()) for key in result)
    counts = [_count(value) for value in result.values()]
    if keyed_by_id and all(count is not None for count in counts):
        return sum(counts)  # type: ignore[arg-type]
    return None


def volume_warning(volume: int | None, previous: list[int]) -> str:
    """The warning for ``volume`` against the ``previous`` volumes of the job (newest first)."""
    if volume is None or len(previous) < MIN_HISTORY:
        return ""
    if volume == 0 and all(v > 0 for v in previous):
        return JobRun.WARNING_VOLUME_ZERO
    mean = max(sum(previous) / len(previous), 1)
    if volume >= SPIKE_FACTOR * mean and volume - mean >= SPIKE_MIN:
        return JobRun.WARNING_VOLUME_SPIKE
    return ""


def _error_text(result) -> str:
    text = str(result) if result is not None else ""
    return text[:ERROR_MAX]


def job_run_record(
    *,
    job: str,
    func: str,
    task_id: str,
    started_at: datetime,
    finished_at: datetime,
    success: bool,
    result,
) -> JobRun | None:
    """Records one finished run of ``job``. Idempotent per ``task_id``: a task reported twice
    (django-q2 retries a task whose worker died) is recorded once — the second call answers ``None``.

    Also removes the job's runs older than ``RETENTION``, and for a failure asks for an alert.
    """
    volume = volume_of(result) if success else None
    previous = [
        volume
        for volume in JobRun.objects.filter(job=job, volume__isnull=False, started_at__lt=started_at)
        .order_by("-started_at", "-id")
        .values_list("volume", flat=True)[:HISTORY]
        if volume is not None
    ]
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                job=job[:100],
                func=func[:256],
                task_id=task_id,
                started_at=started_at,
                finished_at=finished_at,
                duration_ms=max(int((finished_at - started_at).total_seconds() * 1000), 0),
                success=success,
                volume=volume,
                error="" if success else _error_text(result),
                warning=volume_warning(volume, previous),
            )
    except IntegrityError:
        return None
    JobRun.objects.filter(job=job, started_at__lt=timezone.now() - RETENTION).delete()
    if not success:
        _alert_failed_job(run)
    return run


def _alert_failed_job(run: JobRun) -> None:
    """Records on ``run`` the alert its failure asks for: one open alert per failing job (``key``),
    resolved by whoever fixes it. The alert's title and message name the job and its error."""
    first_line = run.error.strip().splitlines()[0][:300] if run.error.strip() else ""
    run.alert = {
        "rule": ALERT_RULE,
        "key": f"{ALERT_RULE}:{run.job}",
        "severity": ALERT_SEVERITY,
        "title": {"zh": f"定时任务失败：{run.job}", "en": f"Scheduled job failed: {run.job}"},
        "message": {
            "zh": f"任务 {run.job}（{run.func}）在 {run.started_at:%Y-%m-%d %H:%M:%S} UTC 运行失败：{first_line}",
            "en": f"Job {run.job} ({run.func}) failed at {run.started_at:%Y-%m-%d %H:%M:%S} UTC: {first_line}",
        },
        "details": {"job": run.job, "func": run.func, "task_id": run.task_id, "run": run.pk},
    }
    run.save(update_fields=["alert"])
    raise_alert(**{key: run.alert[key] for key in ("rule", "key", "severity", "title", "message", "details")})
