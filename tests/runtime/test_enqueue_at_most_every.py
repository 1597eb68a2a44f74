"""``enqueue_at_most_every``: a kick after every commit queues one task per interval — per process
without Redis, across all processes with it."""

import pytest

from runtime import queue
from runtime.wakeup import shared_redis
from tests.conftest import redis_server_url

TASK = "tests.runtime.tasks.nothing"


@pytest.fixture
def queued(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(queue, "enqueue", calls.append)
    monkeypatch.setattr(queue, "_last_queued", {})
    return calls


@pytest.fixture
def clock(monkeypatch):
    moments = [100.0]
    monkeypatch.setattr(queue.time, "monotonic", lambda: moments[0])
    return moments


@pytest.fixture
def with_redis(settings):
    settings.ORDERFLOW_WAKEUP_REDIS_URL = redis_server_url("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "name": "throttle-test"}
    client = shared_redis()
    key = f"orderflow:throttle-test:queued:{TASK}"
    client.delete(key)
    yield client
    client.delete(key)


def another_process(monkeypatch) -> None:
    """What a second web or worker process sees: its own (empty) memory of what it queued."""
    monkeypatch.setattr(queue, "_last_queued", {})


def test_one_process_queues_once_per_interval(queued, clock, settings):
    settings.ORDERFLOW_WAKEUP_REDIS_URL = ""

    answers = []
    for moment in (100.0, 100.5, 101.9, 102.0, 102.1):
        clock[0] = moment
        answers.append(queue.enqueue_at_most_every(TASK, seconds=2))

    assert answers == [True, False, False, True, False]
    assert queued == [TASK, TASK]


def test_without_redis_each_process_counts_alone(queued, clock, settings, monkeypatch):
    settings.ORDERFLOW_WAKEUP_REDIS_URL = ""

    assert queue.enqueue_at_most_every(TASK, seconds=5)
    another_process(monkeypatch)
    assert queue.enqueue_at_most_every(TASK, seconds=5)

    assert queued == [TASK, TASK]


def test_with_redis_processes_queue_one_task_per_interval_between_them(queued, clock, with_redis, monkeypatch):
    assert queue.enqueue_at_most_every(TASK, seconds=5)
    for _ in range(3):
        another_process(monkeypatch)
        assert not queue.enqueue_at_most_every(TASK, seconds=5)

    assert queued == [TASK]
    assert 0 < with_redis.pttl(f"orderflow:throttle-test:queued:{TASK}") <= 5000


def test_with_redis_the_next_interval_queues_again(queued, clock, with_redis, monkeypatch):
    assert queue.enqueue_at_most_every(TASK, seconds=5)
    with_redis.delete(f"orderflow:throttle-test:queued:{TASK}")  # the interval ran out in Redis
    another_process(monkeypatch)

    assert queue.enqueue_at_most_every(TASK, seconds=5)
    assert queued == [TASK, TASK]


def test_a_process_asks_redis_once_per_interval(queued, clock, with_redis, monkeypatch):
    asked: list[str] = []
    original = with_redis.set
    monkeypatch.setattr(with_redis, "set", lambda key, *a, **kw: asked.append(key) or original(key, *a, **kw))

    for moment in (100.0, 100.1, 100.2, 104.9):
        clock[0] = moment
        queue.enqueue_at_most_every(TASK, seconds=5)

    assert len(asked) == 1
