"""Faults injected into a running Orderflow on PostgreSQL and Redis, with a report.

    python tests/faults/run.py [--kills 20] [--skip-redis] [--skip-postgres] [--skip-exhaustion]

On a throwaway database, with the web server (gunicorn), a django-q2 worker cluster and a flow of
three actions on ``order.created`` (tag, note, tag), while orders stream in through the API:

1. **worker killed**: the worker's process group SIGKILLed ``--kills`` times at random moments
   (restarted each time); then the sweep (the minute schedule's task, run every few seconds here)
   until every run is over. Checked: every acknowledged order is stored; every order has exactly
   one execution, ``succeeded``; each execution has one receipt per action and each order one note
   (no action twice).
2. **Redis stopped and started** (the shared server: restarted right after): orders keep being
   acknowledged meanwhile; afterwards the flows catch up. Checked as above.
3. **PostgreSQL restarted** during an order burst, once, last (the shared server; waited for
   until it answers again): every answer while it is down is 503 with the error body, never 500;
   every order acknowledged before the restart is there after it.

Disk full and connections exhausted are not injected here (the first would fill the shared
machine's disk, the second take the shared server's connections from everyone on it): their
answers, 503 ``storage_full`` and ``database_busy`` with the error body, are tested in
``tests/core/api/test_database_unavailable.py`` from the database's own errors. Exits 1 on any
duplicate, loss or 500.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import harness as h  # noqa: E402

SETTINGS = "tests.faults.settings"
FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Fault flow",
    "trigger": {"type": "event", "event": "order.created"},
    "nodes": [
        {"id": "first", "type": "action", "action": "order.tag", "params": {"tag": "fault-a"}},
        {"id": "note", "type": "action", "action": "order.note", "params": {"text": "fault flow saw it"}},
        {"id": "last", "type": "action", "action": "order.tag", "params": {"tag": "fault-b"}},
    ],
    "edges": [{"from": "trigger", "to": "first"}, {"from": "first", "to": "note"}, {"from": "note", "to": "last"}],
}
ACTIONS = 3
KILL_PHASE: set[str] = set()  # the orders of the first phase, checked again after the Redis outage


class Worker:
    """``manage.py qcluster`` in a process group of its own, killable with SIGKILL and restartable."""

    def __init__(self, env: dict):
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = open(f"/tmp/faults-qcluster-{os.getpid()}.log", "a")  # noqa: SIM115
        self.kills = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=REPO,
            env=self.env,
            start_new_session=True,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Stream(threading.Thread):
    """Posts orders at ``rate`` a second until stopped; keeps every answer's status by external id."""

    def __init__(self, *, port: int, token: str, channel: str, skus: list[str], rate: float, prefix: str):
        super().__init__(daemon=True)
        self.port, self.token, self.channel, self.skus, self.rate, self.prefix = (
            port,
            token,
            channel,
            skus,
            rate,
            prefix,
        )
        self.answers: dict[str, int] = {}
        self.bodies: dict[int, list[str]] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        index = 0
        started = time.monotonic()
        while not self.stopping.is_set():
            index += 1
            external_id = f"{self.prefix}-{index}"
            status, body = post_order(self.port, self.token, self.channel, self.skus, external_id)
            self.answers[external_id] = status
            if status >= 500:
                self.bodies.setdefault(status, []).append(body[:300])
            wait = started + index / self.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def acknowledged(self) -> list[str]:
        return [external_id for external_id, status in self.answers.items() if status in (200, 201)]


def post_order(port: int, token: str, channel: str, skus: list[str], external_id: str) -> tuple[int, str]:
    body = {
        "channel": channel,
        "external_id": external_id,
        "customer": {"name": "张伟", "phone": "13800138000"},
        "shipping_address": {"province": "浙江省", "city": "杭州市", "district": "西湖区", "line": "文三路 90 号"},
        "lines": [{"sku": random.choice(skus), "quantity": 1}],
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/orders/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept-Language": "en"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, str(error)


def sweep_until_done(order_ids: list[int], flow_id: int, timeout: float) -> None:
    """The minute schedule's sweep, every 2 s here, until every order's run is over."""
    from django.db import connection

    from runtime import statuses
    from runtime.models import Execution
    from runtime.services import runtime_sweep

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runtime_sweep(all_pending=True)
        finished = Execution.objects.filter(flow_id=flow_id, status=statuses.SUCCEEDED).count()
        if finished >= len(order_ids):
            break
        time.sleep(2)
    connection.close()


def check_runs(acknowledged: list[str], channel: str, flow_id: int) -> dict:
    """Losses (acknowledged, not stored) and duplicates (two runs, two receipts or two notes)."""
    from django.db.models import Count

    from commerce.audit.models import AuditEntry
    from commerce.orders.models import Order
    from runtime.models import ActionReceipt, Execution

    stored = dict(
        Order.objects.filter(channel__code=channel, external_id__in=acknowledged).values_list("external_id", "pk")
    )
    order_ids = list(stored.values())
    runs = Counter()
    statuses = Counter()
    for subject_key, status in Execution.objects.filter(flow_id=flow_id).values_list("subject_key", "status"):
        runs[int(subject_key.removeprefix("order:")) if subject_key.startswith("order:") else None] += 1
        statuses[status] += 1
    receipts = Counter(ActionReceipt.objects.filter(execution__flow_id=flow_id).values_list("execution_id", flat=True))
    notes = dict(
        AuditEntry.objects.filter(subject_type="order", subject_id__in=[str(pk) for pk in order_ids], action="noted")
        .values("subject_id")
        .annotate(n=Count("id"))
        .values_list("subject_id", "n")
    )
    return {
        "orders_acknowledged": len(acknowledged),
        "orders_lost": len(set(acknowledged) - set(stored)),
        "executions": sum(runs.values()),
        "execution_statuses": dict(statuses),
        "orders_without_run": sum(1 for pk in order_ids if runs.get(pk, 0) == 0),
        "orders_with_two_runs": sum(1 for pk in order_ids if runs.get(pk, 0) > 1),
        "receipts": sum(receipts.values()),
        "executions_with_receipts_not_3": sum(1 for n in receipts.values() if n != ACTIONS),
        "orders_with_notes_not_1": sum(1 for pk in order_ids if notes.get(str(pk), 0) != 1),
    }


def failed(check: dict) -> bool:
    return bool(
        check["orders_lost"]
        or check["orders_without_run"]
        or check["orders_with_two_runs"]
        or check["executions_with_receipts_not_3"]
        or check["orders_with_notes_not_1"]
        or set(check["execution_statuses"]) - {"succeeded"}
    )


# How the shared Redis runs on this machine (``redis-server 127.0.0.1:6379``, daemonized, its data in
# /var/lib/redis): it is shut down saving its data and started again the same way.
REDIS_START = ["redis-server", "--bind", "127.0.0.1", "--port", "6379", "--daemonize", "yes", "--dir", "/var/lib/redis"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rate", type=float, default=15.0, help="orders per second streamed in (default 15)")
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true", help="do not restart the (shared) PostgreSQL")
    parser.add_argument("--pg-url", default=h.DEFAULT_PG_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    args.no_redis = False
    report: dict = {}
    bad = False
    with h.redis_queue(args), h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        os.environ["DATABASE_URL"] = db_url
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
        os.environ["ORDERFLOW_STOCK_SYNC_ON_EVENTS"] = "0"
        os.environ["ORDERFLOW_KPI_REFRESH_ON_EVENTS"] = "0"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from django.db import connection

        from builder import services as flow_services
        from tests.factories import make_user

        seed = h.seed(stock={f"FAULT-{n:03d}": 10_000_000 for n in range(20)})
        skus = [f"FAULT-{n:03d}" for n in range(20)]
        owner = make_user("fault-owner", "operator")
        flow = flow_services.flow_create(owner=owner, definition=FLOW)
        flow_services.flow_publish(flow_id=flow.pk, user=owner)
        flow_services.flow_set_enabled(flow_id=flow.pk, enabled=True)
        connection.close()
        env = {**os.environ, "PYTHONPATH": str(REPO), "Q_WORKERS": "2"}
        os.environ["ORDERFLOW_DB_POOL"] = "1"
        with h.WebServers(db_url=db_url, procs=1) as servers:
            port = servers.ports[0]
            worker = Worker(env)
            worker.start()
            try:
                # 1. the worker killed 20 times while orders stream in
                stream = Stream(port=port, token=seed.token, channel=seed.channel_code, skus=skus, rate=args.rate,
                                prefix="KILL")  # fmt: skip
                stream.start()
                rng = random.Random(20261206)
                for _ in range(args.kills):
                    time.sleep(rng.uniform(0.3, 2.0))
                    worker.kill()
                    worker.start()
                time.sleep(2)
                stream.stopping.set()
                stream.join()
                acknowledged = stream.acknowledged()
                KILL_PHASE.update(acknowledged)
                sweep_until_done(acknowledged, flow.pk, timeout=240)
                check = check_runs(acknowledged, seed.channel_code, flow.pk)
                report["worker_killed"] = {
                    "kills": worker.kills,
                    "server_errors": sum(1 for s in stream.answers.values() if s >= 500 or s == 0),
                    **check,
                }
                bad |= failed(check) or report["worker_killed"]["server_errors"] > 0
                print("worker killed:", json.dumps(report["worker_killed"], ensure_ascii=False), flush=True)

                # 2. Redis stopped (the shared server's supervisor or this script starts it again)
                if not args.skip_redis:
                    report["redis_stopped"] = redis_outage(args, port, seed, skus, flow.pk, worker)
                    bad |= report["redis_stopped"]["failed"]
                    print("redis stopped:", json.dumps(report["redis_stopped"], ensure_ascii=False), flush=True)

                # 3. PostgreSQL restarted during a burst: last, once
                if not args.skip_postgres:
                    report["postgres_restarted"] = postgres_restart(args, port, seed, skus)
                    bad |= report["postgres_restarted"]["failed"]
                    print("postgres restarted:", json.dumps(report["postgres_restarted"]), flush=True)
            finally:
                worker.stop()
                connection.close()
    print("report:", json.dumps(report, ensure_ascii=False, indent=1))
    print("FAILED" if bad else "OK: duplicates 0, losses 0, no 500")
    return 1 if bad else 0


def redis_outage(args, port, seed, skus, flow_id, worker) -> dict:
    import redis

    client = redis.Redis.from_url(args.redis_url)
    stream = Stream(port=port, token=seed.token, channel=seed.channel_code, skus=skus, rate=args.rate, prefix="REDIS")
    stream.start()
    time.sleep(2)
    started_by_us = False
    subprocess.run(["redis-cli", "-u", args.redis_url, "shutdown", "save"], capture_output=True, timeout=30)
    down_at = time.monotonic()
    try:
        time.sleep(5)
    finally:
        if not _redis_up(client):
            subprocess.run(REDIS_START, capture_output=True, timeout=30)
            started_by_us = True
    deadline = time.monotonic() + 30
    while not _redis_up(client) and time.monotonic() < deadline:
        time.sleep(0.5)
    up_after = time.monotonic() - down_at
    time.sleep(3)
    stream.stopping.set()
    stream.join()
    # The worker's broker connection may have given up while Redis was away: restart it as a supervisor would.
    if worker.process.poll() is not None:
        worker.start()
    acknowledged = stream.acknowledged()
    everything = acknowledged + sorted(KILL_PHASE)
    sweep_until_done(everything, flow_id, timeout=180)
    check = check_runs(everything, seed.channel_code, flow_id)
    answers = Counter(stream.answers.values())
    result = {
        "redis_down_seconds": round(up_after, 1),
        "redis_restarted_by_script": started_by_us,
        "answers": {str(k): v for k, v in answers.items()},
        "server_errors": sum(v for k, v in answers.items() if k >= 500 or k == 0),
        "orders_acknowledged_during": len(acknowledged),
        **check,
    }
    result["failed"] = bool(result["server_errors"]) or failed(check)
    return result


def _redis_up(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means not up
        return False


def postgres_restart(args, port, seed, skus) -> dict:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    stream = Stream(port=port, token=seed.token, channel=seed.channel_code, skus=skus, rate=args.rate, prefix="PG")
    stream.start()
    time.sleep(3)
    before = set(stream.acknowledged())
    started = time.monotonic()
    done = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    restart_seconds = time.monotonic() - started
    time.sleep(5)
    stream.stopping.set()
    stream.join()
    import psycopg

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            psycopg.connect(args.pg_url, connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            time.sleep(1)
    from django.db import connection

    connection.close()
    check = check_runs(sorted(before), seed.channel_code, -1)
    answers = Counter(stream.answers.values())
    refusals = [b for bodies in stream.bodies.values() for b in bodies]
    error_bodies_ok = all(_is_error_body(b) for b in refusals)
    result = {
        "restart_exit": done.returncode,
        "restart_seconds": round(restart_seconds, 1),
        "answers": {str(k): v for k, v in answers.items()},
        "answered_500": answers.get(500, 0),
        "refusals_with_error_body": f"{sum(_is_error_body(b) for b in refusals)}/{len(refusals)}",
        "acknowledged_before_restart": len(before),
        "lost_after_restart": check["orders_lost"],
    }
    result["failed"] = bool(result["answered_500"] or result["lost_after_restart"] or not error_bodies_ok)
    return result


def _is_error_body(text: str) -> bool:
    try:
        body = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and set(body) == {"code", "message", "details"}


if __name__ == "__main__":
    sys.exit(main())
