"""Soak: orders through the API at a steady rate for N minutes, with the runtime running three flows,
on PostgreSQL and Redis — and what drifts.

    python tests/faults/soak.py --minutes 30 --rate 50     # the full soak
    python tests/faults/soak.py --minutes 3 --rate 50      # the CI version

A throwaway database, the web server (gunicorn, ``--server-procs`` processes), a django-q2 worker
cluster on a Redis queue of the run's own, and three enabled flows on the orders: a big order is
tagged (condition + ``order.tag``), every order gets a note, every paid… created order tells the
operators' inbox. Orders are posted open-loop at ``--rate`` a second from client threads.

Reported per minute: requests, answers other than 201, p50 / p99 latency, the outbox's lag (the
age of the oldest event not yet dispatched) and the resident memory of every server and worker
process; at the end the memory slope per process (least squares over the samples, MB/min, the
process's own first minute left out as warm-up; none for a process seen less than a minute after
it, such as a worker django-q2 recycled), the outbox drained or not, the executions not finished, and
``manage.py stock_audit``'s result. Exits 1 on an answer other than 201, an outbox not drained
within a minute of the end, or a stock audit difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import harness as h  # noqa: E402
from tests.faults.run import Worker  # noqa: E402

SETTINGS = "bench.settings"
SKUS = [f"SOAK-{n:03d}" for n in range(50)]
FLOWS = [
    {
        "format": "orderflow.flow/v1",
        "name": "Big orders tagged",
        "trigger": {"type": "event", "event": "order.created"},
        "nodes": [
            {"id": "big", "type": "condition", "rule": {">=": [{"var": "order.total_amount"}, 150]}},
            {"id": "tag", "type": "action", "action": "order.tag", "params": {"tag": "大单"}},
        ],
        "edges": [{"from": "trigger", "to": "big"}, {"from": "big", "to": "tag", "branch": "true"}],
    },
    {
        "format": "orderflow.flow/v1",
        "name": "Every order noted",
        "trigger": {"type": "event", "event": "order.created"},
        "nodes": [{"id": "note", "type": "action", "action": "order.note", "params": {"text": "soak"}}],
        "edges": [{"from": "trigger", "to": "note"}],
    },
    {
        "format": "orderflow.flow/v1",
        "name": "Operators told",
        "trigger": {"type": "event", "event": "order.created"},
        "nodes": [
            {
                "id": "tell",
                "type": "action",
                "action": "notify.inbox",
                "params": {"to_role": "operator", "title": "新订单 {{ order.number }}", "body": ""},
            }
        ],
        "edges": [{"from": "trigger", "to": "tell"}],
    },
]


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# A process's own first minute is its warm-up (imports, caches, the first statements prepared).
WARM_UP_SECONDS = 60.0


def memory_summary(points: list[tuple[float, float]]) -> dict:
    """One process's resident memory over the run from its samples ``(seconds into the run, MB)``:
    first and last, how long it was seen, and the slope after its own first minute — ``None``
    when less than a minute of samples is left after that (a worker django-q2 recycled after its
    500 tasks lives a minute or two: its warm-up is not a leak)."""
    born, last = points[0][0], points[-1][0]
    settled = [p for p in points if p[0] - born >= WARM_UP_SECONDS]
    slope = slope_mb_per_min(settled) if settled and settled[-1][0] - settled[0][0] >= 60 else None
    return {
        "rss_start_mb": round(points[0][1], 1),
        "rss_end_mb": round(points[-1][1], 1),
        "seen_s": round(last - born),
        "slope_mb_per_min": None if slope is None else round(slope, 3),
    }


def slope_mb_per_min(points: list[tuple[float, float]]) -> float | None:
    if len(points) < 3:
        return None
    xs, ys = [p[0] / 60 for p in points], [p[1] for p in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var if var else None


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Sender(threading.Thread):
    def __init__(self, *, ports, token, channel, rate, seconds, offset, lock, samples):
        super().__init__(daemon=True)
        self.ports, self.token, self.channel = ports, token, channel
        self.rate, self.seconds, self.offset = rate, seconds, offset
        self.lock, self.samples = lock, samples

    def run(self) -> None:
        started = time.monotonic()
        index = 0
        while True:
            due = started + index / self.rate
            if due - started >= self.seconds:
                return
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            index += 1
            sku = SKUS[(self.offset + index) % len(SKUS)]
            body = {
                "channel": self.channel,
                "external_id": f"SOAK-{self.offset}-{index}",
                "customer": {"name": "张伟", "phone": "13800138000"},
                "shipping_address": {
                    "province": "浙江省",
                    "city": "杭州市",
                    "district": "西湖区",
                    "line": "文三路 90 号",
                },
                "lines": [{"sku": sku, "quantity": 1 + index % 2}],
            }
            port = self.ports[index % len(self.ports)]
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/orders/",
                data=json.dumps(body).encode(),
                headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
                method="POST",
            )
            sent = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    status = answer.status
                    answer.read()
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            with self.lock:
                self.samples.append((sent - started, (time.monotonic() - sent) * 1000, status))


def outbox_lag_seconds() -> float:
    from django.db import connection
    from django.utils import timezone

    from commerce.outbox.models import OutboxEvent

    oldest = (
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    connection.close()
    return (timezone.now() - oldest).total_seconds() if oldest else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=50.0, help="orders per second (default 50)")
    parser.add_argument("--clients", type=int, default=32, help="sender threads sharing the rate (default 32)")
    parser.add_argument("--server-procs", type=int, default=2)
    parser.add_argument("--pg-url", default=h.DEFAULT_PG_URL)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    with h.redis_queue(args) as queue_text, h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        h.django_setup(db_url)
        from django.db import connection

        from builder import services as flow_services
        from tests.factories import make_user

        # Stock received through the ledger (not written into the rows), so stock_audit can replay it.
        seed = h.seed(stock={sku: 0 for sku in SKUS})
        from commerce.inventory.services import stock_adjust
        from tests.factories import TEST_ACTOR

        for sku in SKUS:
            stock_adjust(
                sku=sku, warehouse_code=seed.warehouse_code, delta=10_000_000, kind="receipt", reason="soak",
                actor=TEST_ACTOR,
            )  # fmt: skip
        owner = make_user("soak-owner", "operator")
        for document in FLOWS:
            flow = flow_services.flow_create(owner=owner, definition=document)
            flow_services.flow_publish(flow_id=flow.pk, user=owner)
            flow_services.flow_set_enabled(flow_id=flow.pk, enabled=True)
        connection.close()
        print(f"# soak: {args.minutes:g} min at {args.rate:g} orders/s; queue {queue_text}; 3 flows", flush=True)
        worker = Worker({**os.environ, "PYTHONPATH": str(REPO), "Q_WORKERS": "2"})
        with h.WebServers(db_url=db_url, procs=args.server_procs) as servers:
            worker.start()
            try:
                lock, samples = threading.Lock(), []
                senders = [
                    Sender(ports=servers.ports, token=seed.token, channel=seed.channel_code,
                           rate=args.rate / args.clients, seconds=seconds, offset=n, lock=lock, samples=samples)
                    for n in range(args.clients)
                ]  # fmt: skip
                started = time.monotonic()
                for sender in senders:
                    sender.start()
                memory: dict[str, list[tuple[float, float]]] = {}
                lags: list[tuple[float, float]] = []
                while any(sender.is_alive() for sender in senders):
                    now = time.monotonic() - started
                    pids = {f"web-{pid}": pid for pid in servers.pids}
                    pids.update({f"worker-{pid}": pid for pid in h.process_group_pids(worker.process.pid)})
                    for name, pid in pids.items():
                        value = rss_mb(pid)
                        if value is not None:
                            memory.setdefault(name, []).append((now, value))
                    lags.append((now, outbox_lag_seconds()))
                    time.sleep(10)
                for sender in senders:
                    sender.join()
                drain_deadline = time.monotonic() + 60
                lag_end = outbox_lag_seconds()
                while lag_end > 0 and time.monotonic() < drain_deadline:
                    time.sleep(2)
                    lag_end = outbox_lag_seconds()
                from runtime.models import Execution

                unfinished_deadline = time.monotonic() + 60
                while time.monotonic() < unfinished_deadline:
                    unfinished = Execution.objects.exclude(status="succeeded").count()
                    if unfinished == 0:
                        break
                    time.sleep(2)
                executions = Execution.objects.count()
                connection.close()
            finally:
                worker.stop()
        audit = subprocess.run(
            [sys.executable, "manage.py", "stock_audit"],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": SETTINGS},
            capture_output=True,
            text=True,
            timeout=600,
        )
    span = max((s[0] for s in samples), default=0.0)  # longer than --minutes when the server fell behind
    minutes = []
    for minute in range(int(span // 60) + 1):
        window = [s for s in samples if minute * 60 <= s[0] < (minute + 1) * 60]
        latencies = [s[1] for s in window]
        window_lags = [lag for at, lag in lags if minute * 60 <= at < (minute + 1) * 60]
        minutes.append(
            {
                "minute": minute + 1,
                "requests": len(window),
                "not_201": sum(1 for s in window if s[2] != 201),
                "p50_ms": round(percentile(latencies, 50) or 0, 1),
                "p99_ms": round(percentile(latencies, 99) or 0, 1),
                "outbox_lag_max_s": round(max(window_lags, default=0.0), 1),
            }
        )
    slopes = {name: memory_summary(points) for name, points in sorted(memory.items())}
    result = {
        "minutes": args.minutes,
        "rate": args.rate,
        "orders_sent": len(samples),
        "sending_seconds": round(span, 1),
        "achieved_rate": round(len(samples) / max(span, seconds), 1),
        "not_201": sum(1 for s in samples if s[2] != 201),
        "per_minute": minutes,
        "memory": slopes,
        "outbox_lag_at_end_s": round(lag_end, 1),
        "executions": executions,
        "executions_unfinished": unfinished,
        "stock_audit_exit": audit.returncode,
        "stock_audit": (audit.stdout + audit.stderr).strip().splitlines()[-1:]
        if (audit.stdout + audit.stderr).strip()
        else [],
    }
    print(f"{'min':>3} {'requests':>8} {'not 201':>7} {'p50 ms':>7} {'p99 ms':>7} {'outbox lag s':>12}")
    for row in minutes:
        print(f"{row['minute']:>3} {row['requests']:>8} {row['not_201']:>7} {row['p50_ms']:>7} {row['p99_ms']:>7} "
              f"{row['outbox_lag_max_s']:>12}")  # fmt: skip
    for name, row in slopes.items():
        slope = row["slope_mb_per_min"]
        print(
            f"memory {name:<14} {row['rss_start_mb']:>7} → {row['rss_end_mb']:>7} MB over {row['seen_s']:>4} s, "
            + (f"slope {slope} MB/min" if slope is not None else "no slope: under a minute seen after its warm-up")
        )
    print(
        f"orders {result['orders_sent']} ({result['achieved_rate']}/s), not 201: {result['not_201']}; executions "
        f"{executions}, unfinished {unfinished}; outbox lag at end {result['outbox_lag_at_end_s']} s; "
        f"stock_audit exit {audit.returncode}: {' '.join(result['stock_audit'])}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    ok = result["not_201"] == 0 and lag_end == 0 and audit.returncode == 0 and unfinished == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
