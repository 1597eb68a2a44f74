"""Scale-out: two django-q2 clusters (``manage.py qcluster``, separate processes) on PostgreSQL and
Redis share the work. A third process writes orders and moves them along; its outbox commits
wake the dispatcher through Redis. Every event is executed once, and each order's events are
executed in the order they happened.

The clusters use their own queue name (``ORDERFLOW_Q_NAME``), so stale tasks of other runs in
Redis cannot interfere. The test is bounded (60 s) and always stops the processes it started.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from commerce.audit.models import AuditEntry
from commerce.orders.models import Order
from commerce.outbox.models import OutboxEvent
from runtime.models import ActionReceipt, Execution
from tests.runtime.conftest import action, event_flow, publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
ORDERS = 20
DEADLINE_SECONDS = 60

PRODUCER = f"""
import django
django.setup()
from core.actors import Actor
from commerce.channels.models import Channel
from commerce.orders import services
from tests.factories import order_input

actor = Actor.system("producer", source="tests")
channel = Channel.objects.get(code="tmall")
for i in range({ORDERS}):
    order, _ = services.order_create(data=order_input(channel, external_id=f"SO-{{i}}"), actor=actor)
    for to in ("paid", "processing", "shipped"):
        services.order_transition(order_id=order.pk, to=to, actor=actor)
"""


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to every process group at once, then SIGKILL to what is still there after 3 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_two_clusters_execute_every_event_once_in_order_per_order(channel, stocked):
    redis.Redis.from_url(REDIS_URL).ping()  # a clear failure when Redis is not there
    publish(event_flow("order.status_changed", [action("note", "order.note", {"text": "{{ from }}→{{ to }}"})]))
    params = connection.settings_dict
    queue = f"orderflow-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}",
        "REDIS_URL": REDIS_URL,
        "ORDERFLOW_Q_NAME": queue,
        "Q_WORKERS": "2",
        "DJANGO_SETTINGS_MODULE": "orderflow.settings",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(REPO),
    }
    logs = [tempfile.NamedTemporaryFile(prefix=f"qcluster-{n}-", suffix=".log", delete=False) for n in range(2)]
    started = time.monotonic()
    clusters = [
        subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for log in logs
    ]
    try:
        subprocess.run([sys.executable, "-c", PRODUCER], cwd=REPO, env=env, check=True, timeout=DEADLINE_SECONDS)
        expected = ORDERS * 3
        while True:
            finished = Execution.objects.filter(status="succeeded").count()
            if finished == expected and not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists():
                break
            assert all(c.poll() is None for c in clusters), "a cluster exited"
            assert time.monotonic() - started < DEADLINE_SECONDS, f"only {finished} of {expected} executions finished"
            time.sleep(0.2)
    finally:
        _stop(clusters)
        redis.Redis.from_url(REDIS_URL).delete(f"django_q:{queue}:q")

    assert Execution.objects.count() == ORDERS * 3
    assert ActionReceipt.objects.count() == ORDERS * 3
    for order in Order.objects.all():
        notes = AuditEntry.objects.filter(subject_type="order", subject_id=str(order.pk), action=AuditEntry.NOTED)
        assert [e.changes["text"] for e in notes.order_by("id")] == [
            "pending_payment→paid",
            "paid→processing",
            "processing→shipped",
        ]
    ran = []
    for log in logs:
        text = Path(log.name).read_text()
        ran.append(text.count("runtime.tasks.execution_run_task"))
        os.unlink(log.name)
    assert all(count > 0 for count in ran), f"run tasks per cluster: {ran}"
