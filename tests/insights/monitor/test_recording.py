"""Every run of every scheduled job is recorded, through django-q2's own signals, with no code per job."""

from datetime import UTC, datetime, timedelta
from multiprocessing import Queue, Value

import pytest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.monitor import monitor
from django_q.scheduler import scheduler
from django_q.signing import SignedPackage
from django_q.tasks import async_task
from django_q.worker import worker

from insights.monitor import receivers
from insights.monitor.models import JobRun
from insights.monitor.services import job_run_record, volume_of, volume_warning

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_schedule_names():
    receivers.forget_schedule_names()
    yield
    receivers.forget_schedule_names()


def scheduled(name: str, func: str) -> Schedule:
    return Schedule.objects.create(name=name, func=func, schedule_type=Schedule.MINUTES, minutes=1, repeats=-1)


@pytest.fixture(autouse=True)
def _connections_kept(monkeypatch):
    """django-q2's worker and monitor close the database connection around each task unless
    ``Conf.SYNC``; here they run inside the test's transaction, which must stay open."""
    monkeypatch.setattr(Conf, "SYNC", True)


def run_as_scheduled(name: str, func: str, *args) -> None:
    """A task queued as django-q2's scheduler queues a due schedule's (``group`` = the schedule's
    name), then taken from the broker through django-q2's own worker and monitor, here in this
    process as its sync mode does — but as a cluster task, so that a failure is reported, not raised."""
    broker = get_broker()
    async_task(func, *args, q_options={"group": name, "broker": broker, "sync": False})
    ((ack_id, pack),) = broker.dequeue()
    task_queue, result_queue = Queue(), Queue()
    task_queue.put({**SignedPackage.loads(pack), "ack_id": ack_id})
    task_queue.put("STOP")
    worker(task_queue, result_queue, Value("f", -1))
    result_queue.put("STOP")
    monitor(result_queue, broker)


def test_django_q2s_scheduler_running_a_due_schedule_records_the_run_under_its_name():
    schedule = scheduled("shipments.stalled_check", "tests.insights.monitor.jobs.processed")
    Schedule.objects.filter(pk=schedule.pk).update(next_run=T0, args="3")

    scheduler(broker=get_broker())  # with Conf.SYNC the task runs at once, through the worker and monitor

    run = JobRun.objects.get()
    assert (run.job, run.func, run.success, run.volume) == (
        "shipments.stalled_check",
        "tests.insights.monitor.jobs.processed",
        True,
        3,
    )


def test_a_scheduled_run_is_recorded_with_its_volume_and_duration():
    scheduled("orders.expire_unpaid", "tests.insights.monitor.jobs.processed")

    run_as_scheduled("orders.expire_unpaid", "tests.insights.monitor.jobs.processed", 12)

    run = JobRun.objects.get()
    assert (run.job, run.func, run.success, run.volume, run.error, run.warning, run.alert) == (
        "orders.expire_unpaid",
        "tests.insights.monitor.jobs.processed",
        True,
        12,
        "",
        "",
        None,
    )
    assert run.finished_at >= run.started_at
    assert run.duration_ms == int((run.finished_at - run.started_at).total_seconds() * 1000)


def test_a_failed_run_is_recorded_with_its_error_and_asks_for_an_alert():
    scheduled("couriers.poll", "tests.insights.monitor.jobs.broken")

    run_as_scheduled("couriers.poll", "tests.insights.monitor.jobs.broken")

    run = JobRun.objects.get()
    assert run.success is False
    assert run.volume is None
    assert run.error.startswith("courier API unreachable: connection refused : Traceback")
    assert run.alert == {
        "rule": "task_failed",
        "key": "task_failed:couriers.poll",
        "severity": "critical",
        "title": {"zh": "定时任务失败：couriers.poll", "en": "Scheduled job failed: couriers.poll"},
        "message": {
            "zh": f"任务 couriers.poll（tests.insights.monitor.jobs.broken）在 {run.started_at:%Y-%m-%d %H:%M:%S} UTC "
            "运行失败：courier API unreachable: connection refused : Traceback (most recent call last):",
            "en": f"Job couriers.poll (tests.insights.monitor.jobs.broken) failed at "
            f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC: courier API unreachable: connection refused : "
            "Traceback (most recent call last):",
        },
        "details": {
            "job": "couriers.poll",
            "func": "tests.insights.monitor.jobs.broken",
            "task_id": run.task_id,
            "run": run.pk,
        },
    }


def test_a_failing_job_raises_one_open_alert_and_its_event_however_often_it_fails():
    from commerce.outbox.models import OutboxEvent
    from insights.alerts.models import Alert

    scheduled("couriers.poll", "tests.insights.monitor.jobs.broken")

    run_as_scheduled("couriers.poll", "tests.insights.monitor.jobs.broken")
    run_as_scheduled("couriers.poll", "tests.insights.monitor.jobs.broken")

    alert = Alert.objects.get()
    assert (alert.rule, alert.key, alert.severity) == ("task_failed", "task_failed:couriers.poll", "critical")
    assert alert.resolved_at is None
    assert OutboxEvent.objects.filter(name="insights.alert").count() == 1


def test_tasks_no_schedule_started_are_not_recorded():
    scheduled("orders.expire_unpaid", "tests.insights.monitor.jobs.processed")

    async_task("tests.insights.monitor.jobs.processed", 1, q_options={"sync": True})
    run_as_scheduled("imports", "tests.insights.monitor.jobs.processed", 1)

    assert JobRun.objects.count() == 0


def test_a_task_reported_twice_is_recorded_once():
    first = job_run_record(
        job="payments.sweep", func="f", task_id="t-1", started_at=T0, finished_at=T0, success=True, result=1
    )
    second = job_run_record(
        job="payments.sweep", func="f", task_id="t-1", started_at=T0, finished_at=T0, success=True, result=1
    )

    assert first is not None and second is None
    assert JobRun.objects.count() == 1


def test_a_jobs_runs_older_than_a_week_are_removed_when_it_records_a_new_one():
    month_ago = timezone.now() - timedelta(days=30)
    for job, task_id in (("a.job", "old"), ("b.job", "other")):
        JobRun.objects.create(
            job=job, func="f", task_id=task_id, started_at=month_ago, finished_at=month_ago, duration_ms=0, success=True
        )

    job_run_record(job="a.job", func="f", task_id="new", started_at=T0, finished_at=T0, success=True, result=1)

    assert sorted(JobRun.objects.values_list("task_id", flat=True)) == ["new", "other"]


@pytest.mark.parametrize(
    ("result", "volume"),
    [
        (0, 0),
        (17, 17),
        (True, None),
        (-1, None),
        (None, None),
        ("done", None),
        ([1, 2], None),
        ({"processed": 4, "other": 9}, 4),
        ({"kill_switch": False, "dispatched": 6, "woken": 2}, 6),
        ({"sweep": 31, "checked": 5, "repaired": 1, "unreachable": 0}, 5),
        ({"7": 2, "9": 3}, 5),
        ({7: 2, 9: 3}, 5),
        ({}, 0),  # a mapping of counts with nothing in it
        ({"a": 1}, None),
        ({"7": "x"}, None),
        ({"count": None}, None),
    ],
)
def test_the_volume_a_task_reports(result, volume):
    assert volume_of(result) == volume


def test_a_mapping_of_counts_is_summed_through_the_signal():
    scheduled("couriers.poll", "tests.insights.monitor.jobs.per_connection")

    run_as_scheduled("couriers.poll", "tests.insights.monitor.jobs.per_connection")

    assert JobRun.objects.get().volume == 5


@pytest.mark.parametrize(
    ("volume", "previous", "warning"),
    [
        (0, [3, 1, 2, 5, 1], "volume_zero"),
        (0, [3, 1, 0, 5, 1], ""),  # it was zero before: not sudden
        (0, [3, 1, 2, 5], ""),  # too little history
        (None, [3, 1, 2, 5, 1], ""),
        (19, [4, 4, 4, 4, 4], ""),  # under 5 × the mean
        (20, [4, 4, 4, 4, 4], "volume_spike"),  # 5 × the mean, 16 more
        (10, [0, 0, 0, 0, 0], ""),  # 10 × the mean (taken as 1) but only 9 more: under SPIKE_MIN
        (11, [0, 0, 0, 0, 0], "volume_spike"),
        (4, [4, 4, 4, 4, 4], ""),
    ],
)
def test_volume_warnings_against_recent_runs(volume, previous, warning):
    assert volume_warning(volume, previous) == warning


def test_a_run_warns_when_the_volume_drops_to_zero_after_steady_runs():
    for n in range(5):
        at = T0 + timedelta(minutes=n)
        job_run_record(
            job="orders.import", func="f", task_id=f"t{n}", started_at=at, finished_at=at, success=True, result=3
        )

    at = T0 + timedelta(minutes=5)
    run = job_run_record(
        job="orders.import", func="f", task_id="t5", started_at=at, finished_at=at, success=True, result=0
    )

    assert run is not None and run.warning == "volume_zero"
    assert list(JobRun.objects.order_by("started_at").values_list("warning", flat=True)) == [""] * 5 + ["volume_zero"]
