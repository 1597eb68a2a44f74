"""Every commit a django-q2 worker makes is durable: a real cluster (``manage.py qcluster``, its own
process tree, the ORM broker on the test database) runs a task that reports the setting its
database connection commits with. Flow transitions, sweeps, stock imports and action receipts all
commit through such connections; a receipt lost in a crash would repeat an SMS or a refund.
"""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 60


def report_durability(path: str) -> None:
    """The task the cluster runs: what its connection commits with, in autocommit and in a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        (session,) = cursor.fetchone()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        (in_transaction,) = cursor.fetchone()
    report = {
        "in_cluster_worker": multiprocessing.parent_process() is not None,
        "conn_max_age": connections.settings["default"]["CONN_MAX_AGE"],  # the worker set-up ran
        "session": session,
        "in_transaction": in_transaction,
    }
    Path(path).write_text(json.dumps(report))


def test_a_cluster_worker_commits_with_synchronous_commit_on():
    params = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ORDERFLOW_DB_POOL", "CONN_MAX_AGE")},
        "DATABASE_URL": f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}",
        "ORDERFLOW_Q_NAME": f"orderflow-test-{uuid.uuid4().hex[:12]}",
        "Q_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "orderflow.settings",
        "PYTHONPATH": str(REPO),
    }
    report = Path(tempfile.mkdtemp(prefix="durability-")) / "report.json"
    log = tempfile.NamedTemporaryFile(prefix="qcluster-durability-", suffix=".log", delete=False)
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        enqueue = (
            "import django; django.setup(); from django_q.tasks import async_task; "
            f"async_task('{__name__}.report_durability', {str(report)!r})"
        )
        subprocess.run([sys.executable, "-c", enqueue], cwd=REPO, env=env, check=True, timeout=DEADLINE_SECONDS)
        started = time.monotonic()
        while not report.exists():
            assert cluster.poll() is None, f"the cluster exited: {Path(log.name).read_text()[-2000:]}"
            assert time.monotonic() - started < DEADLINE_SECONDS, Path(log.name).read_text()[-2000:]
            time.sleep(0.2)
    finally:
        _stop(cluster)
        os.unlink(log.name)

    assert json.loads(report.read_text()) == {
        "in_cluster_worker": True,
        "conn_max_age": 600,
        "session": "on",
        "in_transaction": "on",
    }


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the cluster's process group, SIGKILL if it is still there after 5 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
