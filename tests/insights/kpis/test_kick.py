"""A committed domain event queues a refresh of the KPI rollups, at most once per interval."""

import pytest

from insights.kpis import kick
from runtime import queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch, settings):
    settings.ORDERFLOW_KPI_REFRESH_ON_EVENTS = True
    settings.ORDERFLOW_KPI_KICK_SECONDS = 5
    settings.ORDERFLOW_WAKEUP_REDIS_URL = ""  # per process (tests/runtime/test_enqueue_at_most_every.py: Redis)
    calls: list[str] = []
    monkeypatch.setattr(queue, "enqueue", calls.append)
    monkeypatch.setattr(queue, "_last_queued", {})
    return calls


def test_orders_committed_in_a_burst_queue_one_refresh(queued, channel, stocked, django_capture_on_commit_callbacks):
    from tests.factories import create_order

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            create_order(channel, external_id=f"KICK-{n}")

    assert queued == [kick.REFRESH_TASK]


def test_the_next_interval_queues_again(queued, monkeypatch):
    clock = iter([100.0, 101.0, 106.0])
    monkeypatch.setattr(queue.time, "monotonic", lambda: next(clock))

    for _ in range(3):
        kick.kpi_refresh_kick()

    assert queued == [kick.REFRESH_TASK, kick.REFRESH_TASK]


def test_switched_off_nothing_is_queued(queued, settings):
    settings.ORDERFLOW_KPI_REFRESH_ON_EVENTS = False

    kick.kpi_refresh_kick()

    assert queued == []
