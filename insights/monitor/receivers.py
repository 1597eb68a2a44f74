"""django-q2's signals: ``pre_execute`` (in the worker, as a task starts) stamps when it started —
django-q2's own ``started`` is when it was queued — and ``post_execute`` (in the cluster's monitor
process, for every finished task) records the tasks a schedule started: their ``group`` is the
schedule's name."""

import logging
import time

from django.utils import timezone
from django_q.models import Schedule
from django_q.signals import post_execute, pre_execute
from django_q.utils import get_func_repr

from .services import job_run_record

logger = logging.getLogger(__name__)

NAMES_FRESH_SECONDS = 60
# Where pre_execute leaves the start time in the task, which travels on to the monitor process.
STARTED_KEY = "orderflow_monitor_started"
_names: tuple[float, frozenset[str]] = (float("-inf"), frozenset())


def schedule_names() -> frozenset[str]:
    """The names of the stored schedules, read at most once a minute per process."""
    global _names
    read_at, names = _names
    if time.monotonic() - read_at > NAMES_FRESH_SECONDS:
        names = frozenset(Schedule.objects.exclude(name__isnull=True).values_list("name", flat=True))
        _names = (time.monotonic(), names)
    return names


def forget_schedule_names() -> None:
    global _names
    _names = (float("-inf"), frozenset())


def task_starting(sender, task: dict, **kwargs) -> None:
    task[STARTED_KEY] = timezone.now()


def task_finished(sender, task: dict, **kwargs) -> None:
    """Records ``task`` when a schedule started it. Never raises: the signal is sent in the
    cluster's monitor process, which a failure here must not stop."""
    group = task.get("group")
    if not group or not isinstance(group, str):
        return
    try:
        if group not in schedule_names():
            return
        job_run_record(
            job=group,
            func=get_func_repr(task["func"]),
            task_id=str(task["id"]),
            started_at=task.get(STARTED_KEY) or task["started"],
            finished_at=task["stopped"],
            success=bool(task["success"]),
            result=task.get("result"),
        )
    except Exception:
        logger.warning("task monitor: the run of %s could not be recorded", group, exc_info=True)


def connect() -> None:
    pre_execute.connect(task_starting, dispatch_uid="insights.monitor.task_starting")
    post_execute.connect(task_finished, dispatch_uid="insights.monitor.task_finished")
