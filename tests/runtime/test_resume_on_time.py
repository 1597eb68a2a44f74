"""Parked runs (a retry's backoff, a short ``delay``) resume on time, and once.

The one record of when (``runtime.queue``): the execution's ``resume_at``, committed with the
park; the sweep claims the due ones. In a cluster worker an in-process wake-up queues the run at
``resume_at`` for promptness; parks longer than a minute are left to the sweep.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django_q.models import Schedule
from django_q.signals import post_spawn

from runtime import queue, receivers
from runtime.actions import registered
from runtime.dispatch import outbox_drain
from runtime.engine import execution_run
from runtime.models import Execution
from runtime.services import runtime_sweep
from runtime.tasks import execution_run_task
from tests.conftest import redis_server_url
from tests.factories import create_order
from tests.runtime.actions import Flaky
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _flaky_run(channel, external_id: str, backoff_seconds: int) -> Execution:
    publish(
        event_flow(
            "order.paid",
            [action("flaky", "test.flaky", retry={"max_attempts": 3, "backoff_seconds": backoff_seconds})],
        )
    )
    order = create_order(channel, external_id=external_id, lines=(("TEA-001", 1),), status="paid")
    outbox_drain()
    return Execution.objects.get(subject_key=f"order:{order.pk}")


def test_a_park_is_recorded_as_resume_at_alone(channel, stocked):
    with registered(Flaky(failures=1)):
        execution = _flaky_run(channel, "ON-TIME-1", backoff_seconds=30)
        before = timezone.now()

        assert execution_run(execution_id=execution.pk) == "retrying"

    execution.refresh_from_db()
    assert execution.status == "retrying"
    assert timedelta(seconds=29) < execution.resume_at - before < timedelta(seconds=31)
    assert not Schedule.objects.exists()  # no second record of the same moment


def test_the_sweep_resumes_the_run_once_resume_at_has_come_and_only_once(channel, stocked, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    flaky = Flaky(failures=1)
    with registered(flaky):
        execution = _flaky_run(channel, "ON-TIME-2", backoff_seconds=30)
        assert execution_run(execution_id=execution.pk) == "retrying"
        execution.refresh_from_db()

        early = runtime_sweep(now=execution.resume_at - timedelta(seconds=1))
        assert (early["woken"], Execution.objects.get(pk=execution.pk).status) == (0, "retrying")

        due = runtime_sweep(now=execution.resume_at)
        again = runtime_sweep(now=execution.resume_at + timedelta(seconds=1))

    assert (due["woken"], again["woken"]) == (1, 0)
    assert Execution.objects.get(pk=execution.pk).status == "succeeded"
    assert flaky.calls == 2


def test_two_resumes_of_one_parked_run_run_it_once(channel, stocked):
    flaky = Flaky(failures=1)
    with registered(flaky):
        execution = _flaky_run(channel, "ON-TIME-3", backoff_seconds=30)
        assert execution_run(execution_id=execution.pk) == "retrying"
        execution.refresh_from_db()

        assert execution_run_task(execution.pk, now=execution.resume_at - timedelta(seconds=1)) == "not_claimed"
        assert execution_run_task(execution.pk, now=execution.resume_at) == "succeeded"
        assert execution_run_task(execution.pk, now=execution.resume_at) == "not_claimed"

    assert flaky.calls == 2


def test_a_park_longer_than_the_sweep_interval_arms_no_wake_up(
    channel, stocked, monkeypatch, django_capture_on_commit_callbacks
):
    armed = []
    monkeypatch.setattr(queue, "timers_enabled", True)
    monkeypatch.setattr(queue, "resume_timer_arm", lambda execution_id, resume_at: armed.append(execution_id))
    with registered(Flaky(failures=1)):
        execution = _flaky_run(channel, "ON-TIME-6", backoff_seconds=120)

        with django_capture_on_commit_callbacks(execute=True):
            assert execution_run(execution_id=execution.pk) == "retrying"

    assert armed == []


def test_in_a_cluster_worker_the_park_arms_a_timer_for_resume_at_once_it_commits(
    channel, stocked, monkeypatch, django_capture_on_commit_callbacks
):
    armed = []
    monkeypatch.setattr(queue, "timers_enabled", True)
    monkeypatch.setattr(
        queue, "resume_timer_arm", lambda execution_id, resume_at: armed.append((execution_id, resume_at))
    )
    with registered(Flaky(failures=1)):
        execution = _flaky_run(channel, "ON-TIME-4", backoff_seconds=30)

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert execution_run(execution_id=execution.pk) == "retrying"
        assert armed == []
        for callback in callbacks:
            callback()

    execution.refresh_from_db()
    assert armed == [(execution.pk, execution.resume_at)]


def test_outside_a_cluster_worker_no_timer_is_armed(channel, stocked, monkeypatch, django_capture_on_commit_callbacks):
    armed = []
    monkeypatch.setattr(queue, "resume_timer_arm", lambda execution_id, resume_at: armed.append(execution_id))
    with registered(Flaky(failures=1)):
        execution = _flaky_run(channel, "ON-TIME-5", backoff_seconds=30)

        with django_capture_on_commit_callbacks(execute=True):
            assert execution_run(execution_id=execution.pk) == "retrying"

    assert armed == []


def test_a_spawned_cluster_worker_arms_timers_and_keeps_connections_and_sync_mode_does_not(monkeypatch):
    monkeypatch.setattr(queue, "timers_enabled", False)
    kept = []
    monkeypatch.setattr(receivers, "keep_connections", kept.append)

    post_spawn.send(sender="django_q", proc_name="MainProcess")  # django-q2's sync mode, in this process
    assert queue.timers_enabled is False
    assert kept == []

    monkeypatch.setattr("multiprocessing.parent_process", lambda: object())  # as in a forked cluster worker
    post_spawn.send(sender="django_q", proc_name="Process-1:1")
    assert queue.timers_enabled is True
    assert kept == [600]


def test_keep_connections_sets_the_age_and_health_checks_of_every_alias(monkeypatch):
    for alias in connections:
        monkeypatch.setitem(connections.settings[alias], "CONN_MAX_AGE", 0)
        monkeypatch.setitem(connections.settings[alias], "CONN_HEALTH_CHECKS", False)

    receivers.keep_connections(600)

    assert {alias: connections.settings[alias]["CONN_MAX_AGE"] for alias in connections} == dict.fromkeys(
        connections, 600
    )
    assert all(connections.settings[alias]["CONN_HEALTH_CHECKS"] for alias in connections)


def test_the_timer_queues_the_run_at_resume_at(monkeypatch):
    fired = threading.Event()
    queued = []

    def record(func, *args, **kwargs):
        queued.append((func, args, time.monotonic()))
        fired.set()

    monkeypatch.setattr(queue, "enqueue", record)
    started = time.monotonic()

    queue.resume_timer_arm(42, timezone.now() + timedelta(milliseconds=300))

    assert fired.wait(5)
    [(func, args, at)] = queued
    assert (func, args) == ("runtime.tasks.execution_run_task", (42,))
    assert 0.29 <= at - started < 0.5


def test_tasks_are_queued_through_one_broker_per_process(monkeypatch):
    used = []
    monkeypatch.setattr(queue, "async_task", lambda func, *args, q_options, **kwargs: used.append(q_options["broker"]))

    queue.enqueue(queue.DRAIN_TASK)
    queue.enqueue(queue.RUN_TASK, 1)

    assert used[0] is used[1] is queue.broker()
    monkeypatch.setattr(queue.os, "getpid", lambda: -1)  # as in a forked child
    assert queue.broker() is not used[0]


def test_the_drain_is_queued_through_the_head_of_the_queue(db, monkeypatch, settings):
    """Every run waits for the drain, so a drain requested after a commit must not wait behind a
    backlog of runs: it is queued at the head (``first``) — where the queue is Redis."""
    from django_q.brokers.redis_broker import Redis

    from runtime.dispatch import dispatch_request

    used = []
    monkeypatch.setattr(queue, "async_task", lambda func, *args, q_options, **kwargs: used.append(q_options["broker"]))
    monkeypatch.setattr(queue, "get_broker", lambda: Redis(list_key="head-test"))
    monkeypatch.setattr(queue, "_brokers", {})
    settings.ORDERFLOW_WAKEUP_REDIS_URL = ""

    assert dispatch_request()
    queue.enqueue(queue.RUN_TASK, 1)

    assert isinstance(used[0], queue.HeadOfQueue)
    assert type(used[1]) is Redis


def test_without_redis_the_head_of_the_queue_is_the_queue(monkeypatch):
    monkeypatch.setattr(queue, "_brokers", {})

    assert queue.broker(first=True) is not None
    assert type(queue.broker(first=True)) is type(queue.broker())
    assert not isinstance(queue.broker(first=True), queue.HeadOfQueue)


def test_a_task_queued_at_the_head_is_taken_before_the_backlog():
    """Against Redis itself: django-q2's pusher takes from the head of the list (``BLPOP``)."""
    import redis
    from django_q.brokers.redis_broker import Redis

    url = redis_server_url("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    tail, head = Redis(list_key="head-test"), queue.HeadOfQueue(list_key="head-test")
    tail.connection = head.connection = redis.Redis.from_url(url)
    tail.delete_queue()
    try:
        for i in range(3):
            tail.enqueue(f"run {i}")
        head.enqueue("drain")

        taken = [tail.dequeue()[0][1] for _ in range(4)]
    finally:
        tail.delete_queue()

    assert taken == [b"drain", b"run 0", b"run 1", b"run 2"]
