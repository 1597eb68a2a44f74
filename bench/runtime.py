"""Events per second through a three-node flow, beside a no-op django-q2 task, same worker, same run.

    .venv/bin/python bench/runtime.py [--events 3000] [--rates 48,192] [--latency-seconds 10] [--workers 4]

A throwaway PostgreSQL database (``bench.settings``), Redis as the django-q2 broker, and one
``manage.py qcluster`` process with ``--workers`` workers — the production configuration. The flow
is ``order.paid`` → condition (total ≥ 100) → ``order.tag`` → ``order.note``, with every step
recorded (step rows, receipts, audit entries). Events enter as a commerce service writes them:
``event_emit`` inside a transaction, whose commit wakes the dispatcher through the queue.

- **baseline**: no-op django-q2 tasks (each only counts itself with a Redis ``INCR``) pushed
  through the same cluster, tasks per second;
- **throughput**: ``--events`` events written as fast as one producer can (``--batch`` per
  transaction): events per second from the first event written to the last action finished;
- **latency**: events written one per transaction at a steady rate (open loop) for each of
  ``--rates``: event written → last action finished, p50 and p99.

Each case also reports the share of the machine's CPU time the hypervisor gave to other machines
meanwhile ("CPU stolen %"): on a shared virtual machine the same code's figures move with it.

Reference: n8n ~48 executions/s with p99 ~220 ms on 2 cores; target ≥ 4× that (192/s) with p99
< 250 ms. The figures are appended to ``bench/RESULTS.md`` unless ``--no-results``.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

REFERENCE_RATE = 48.0
REFERENCE_P99_MS = 220.0
TARGET_RATE = 4 * REFERENCE_RATE
TARGET_P99_MS = 250.0
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COUNTER = "orderflow:bench:runtime:noop"

_redis = None


def noop(key: str = COUNTER) -> None:
    """The baseline task: nothing but counting itself, so the benchmark knows when all have run."""
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(os.environ["REDIS_URL"])
    _redis.incr(key)


FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Bench: tag and note big orders",
    "trigger": {"type": "event", "event": "order.paid"},
    "nodes": [
        {"id": "big", "type": "condition", "rule": {">=": [{"var": "order.total_amount"}, 100]}},
        {"id": "tag", "type": "action", "action": "order.tag", "params": {"tag": "big"}},
        {"id": "note", "type": "action", "action": "order.note", "params": {"text": "Big order {{ order.number }}"}},
    ],
    "edges": [
        {"from": "trigger", "to": "big"},
        {"from": "big", "to": "tag", "branch": "true"},
        {"from": "tag", "to": "note"},
    ],
}


def make_orders(count: int, channel_code: str) -> list[dict]:
    """``count`` paid orders, written directly (setup, not measured); returns their representations."""
    from django.utils import timezone

    from commerce.channels.models import Channel
    from commerce.customers.models import Customer
    from commerce.orders.models import Order
    from commerce.orders.representation import order_representation

    channel = Channel.objects.get(code=channel_code)
    customer = Customer.objects.create(name="张伟", phone="13800138000")
    now = timezone.now()
    rows = [
        Order(
            number=f"BR{i:010d}",
            channel=channel,
            external_id=f"BR-{i}",
            status="paid",
            status_changed_at=now,
            customer=customer,
            goods_amount=Decimal("199.00"),
            total_amount=Decimal("199.00"),
            ship_to_name="张伟",
            ship_to_phone="13800138000",
            province="浙江省",
            city="杭州市",
            address_line="文三路 90 号",
            paid_at=now,
        )
        for i in range(count)
    ]
    orders = Order.objects.bulk_create(rows, batch_size=1000)
    for order in orders:
        order.channel = channel
        order.customer = customer
    return [order_representation(order, lines=[], tags=[]) for order in orders]


class Producer:
    """Writes ``order.paid`` events the way a commerce service does, each order once."""

    def __init__(self, orders: list[dict]):
        from core.actors import Actor

        self.orders = orders
        self.next = 0
        self.actor = Actor.system("bench", source="bench")

    def emit(self, count: int) -> list[int]:
        """``count`` events in one transaction; returns their ids."""
        from django.db import transaction

        from commerce.outbox.services import event_emit

        ids = []
        with transaction.atomic():
            for order in self.orders[self.next : self.next + count]:
                event = event_emit(
                    name="order.paid",
                    subject_type="order",
                    subject_id=order["id"],
                    payload={"order": order},
                    actor=self.actor,
                )
                ids.append(event.pk)
        self.next += count
        return ids


def wait_finished(event_ids: list[int], timeout: float) -> None:
    from runtime.models import Execution

    deadline = time.monotonic() + timeout
    low, high = min(event_ids), max(event_ids)
    expected = len(event_ids)
    while True:
        done = Execution.objects.filter(event_id__gte=low, event_id__lte=high, status="succeeded").count()
        if done >= expected:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done} of {expected} executions finished in {timeout:.0f} s")
        time.sleep(0.05)


def latencies_ms(event_ids: list[int]) -> tuple[list[float], float, float]:
    """Per event: its last action's end minus the event's creation; and the first/last moments."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT extract(epoch FROM o.occurred_at),
                   extract(epoch FROM s.started_at) + s.duration_ms / 1000.0
            FROM outbox_outboxevent o
            JOIN runtime_execution e ON e.event_id = o.id
            JOIN runtime_executionstep s ON s.execution_id = e.id AND s.node_id = 'note' AND s.status = 'succeeded'
            WHERE o.id BETWEEN %s AND %s
            """,
            [min(event_ids), max(event_ids)],
        )
        rows = cur.fetchall()
    if len(rows) != len(event_ids):
        raise RuntimeError(f"{len(rows)} of {len(event_ids)} events reached their last action")
    values = [(float(end) - float(start)) * 1000 for start, end in rows]
    return values, min(float(start) for start, _e in rows), max(float(end) for _s, end in rows)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def process_group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = h.proc_stat(int(entry))
            if fields is not None and int(fields[2]) == pgid:
                pids.append(int(entry))
    return pids


class Worker:
    """One ``manage.py qcluster`` process group on the benchmark database and queue."""

    def __init__(self, *, workers: int):
        self.workers = workers
        self.log = open(f"/tmp/bench-runtime-qcluster-{os.getpid()}.log", "w")  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Worker":
        env = {**os.environ, "Q_WORKERS": str(self.workers), "LOG_LEVEL": "WARNING", "PYTHONPATH": str(h.REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=h.REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def pids(self) -> list[int]:
        return process_group_pids(self.process.pid) if self.process else []

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


def measure_noop(tasks: int, redis_client) -> dict:
    from django_q.tasks import async_task

    redis_client.delete(COUNTER)
    cpu_before = h.cpu_times()
    started = time.monotonic()
    for _ in range(tasks):
        async_task("bench.runtime.noop", q_options={"save": False})
    while int(redis_client.get(COUNTER) or 0) < tasks:
        if time.monotonic() - started > 300:
            raise RuntimeError("the no-op tasks did not finish in 300 s")
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    return {
        "label": "no-op django-q2 task (baseline)",
        "count": tasks,
        "seconds": elapsed,
        "per_s": tasks / elapsed,
        "stolen_pct": h.stolen_percent(cpu_before, h.cpu_times()),
    }


def measure_throughput(producer: Producer, events: int, batch: int, worker: Worker, db_url: str) -> dict:
    pg_before = h.postgres_tree_cpu_seconds(db_url)
    worker_before = h.tree_cpu_seconds(worker.pids)
    cpu_before = h.cpu_times()
    ids: list[int] = []
    for _ in range(0, events, batch):
        ids.extend(producer.emit(min(batch, events - len(ids))))
    wait_finished(ids, timeout=600)
    values, first, last = latencies_ms(ids)
    # Whole process trees: django-q2 recycles its workers and their backends go with them.
    worker_cpu = h.tree_cpu_seconds(worker.pids) - worker_before
    pg_cpu = h.postgres_tree_cpu_seconds(db_url) - pg_before
    return {
        "label": "flow: condition → tag → note",
        "count": events,
        "seconds": last - first,
        "per_s": events / (last - first),
        "p50_ms": percentile(values, 50),
        "p99_ms": percentile(values, 99),
        "worker_cpu_ms": worker_cpu * 1000 / events,
        "pg_cpu_ms": pg_cpu * 1000 / events,
        "stolen_pct": h.stolen_percent(cpu_before, h.cpu_times()),
    }


def measure_latency(producer: Producer, rate: float, seconds: float) -> dict:
    count = max(1, int(rate * seconds))
    ids: list[int] = []
    cpu_before = h.cpu_times()
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        ids.extend(producer.emit(1))
    offered = count / (time.monotonic() - start)
    wait_finished(ids, timeout=300)
    stolen = h.stolen_percent(cpu_before, h.cpu_times())
    values, first, last = latencies_ms(ids)
    return {
        "label": f"latency at {rate:g} events/s",
        "count": count,
        "seconds": last - first,
        "per_s": offered,
        "p50_ms": percentile(values, 50),
        "p99_ms": percentile(values, 99),
        "mean_ms": statistics.fmean(values),
        "stolen_pct": stolen,
    }


def python_speed() -> float:
    """Seconds of CPU for three million additions in a Python loop — to compare machines by."""
    started = time.process_time()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.process_time() - started


def append_results(machine: dict, args, rows: list[dict], verdict: list[str]) -> None:
    lines = [
        "",
        f"## runtime — {machine['date_utc']}",
        "",
        f"Machine: {machine['nproc']} × {machine['cpu']}, {machine['memory_gib']} GiB; Python {machine['python']}; "
        f"PostgreSQL {machine['postgresql']}; Redis broker; code {machine['revision']}; "
        f"load average at start {machine['loadavg_at_start'][0]:.2f} (shared machine); "
        f"3M Python additions take {machine['python_speed_s']:.2f} s of CPU.",
        f"Command: `.venv/bin/python bench/runtime.py --events {args.events} --batch {args.batch} "
        f"--rates {args.rates} --latency-seconds {args.latency_seconds:g} --workers {args.workers}`",
        "",
        "| case | count | events or tasks/s | p50 ms | p99 ms | worker CPU ms/event | PG CPU ms/event | CPU stolen % |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:

        def cell(key, fmt="{:,.1f}", row=row):
            return fmt.format(row[key]) if key in row else "–"

        lines.append(
            f"| {row['label']} | {row['count']} | {cell('per_s')} | {cell('p50_ms')} | {cell('p99_ms')} "
            f"| {cell('worker_cpu_ms')} | {cell('pg_cpu_ms')} | {cell('stolen_pct', '{:.0f}')} |"
        )
    lines += ["", *[f"- {line}" for line in verdict], ""]
    new_file = not RESULTS.exists() or RESULTS.stat().st_size == 0
    with open(RESULTS, "a") as results:
        if new_file:
            results.write("# Benchmark results\n")
        results.write("\n".join(lines))
    print(f"# appended to {RESULTS}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000, help="events in the throughput case (default 3000)")
    parser.add_argument("--batch", type=int, default=20, help="events per producer transaction (default 20)")
    parser.add_argument("--rates", default="48,192", help="steady rates for the latency cases (default 48,192)")
    parser.add_argument("--latency-seconds", type=float, default=10.0, help="seconds per latency case (default 10)")
    parser.add_argument("--noop-tasks", type=int, default=3000, help="tasks in the baseline (default 3000)")
    parser.add_argument("--workers", type=int, default=4, help="django-q2 workers in the cluster (default 4)")
    parser.add_argument("--pg-url", default=h.DEFAULT_PG_URL, help="a PostgreSQL URL whose server may CREATE DATABASE")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--quiet-wait", type=float, default=30.0, help="seconds to wait for other load to pass")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the benchmark database at the end")
    parser.add_argument("--no-results", action="store_true", help=f"do not append to {RESULTS.name}")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]

    machine = h.machine_description(args.pg_url)
    machine["python_speed_s"] = python_speed()
    h.print_machine(machine)
    print(f"# 3M Python additions: {machine['python_speed_s']:.2f} s of CPU (for comparing machines)")
    print(
        f"# runtime: {args.workers} django-q2 workers (one qcluster, Redis broker) · throughput {args.events} events "
        f"in batches of {args.batch} · latency at {', '.join(f'{r:g}' for r in rates)} events/s for "
        f"{args.latency_seconds:g} s each · baseline {args.noop_tasks} no-op tasks"
    )
    import redis

    redis_client = redis.Redis.from_url(args.redis_url)
    redis_client.ping()
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["ORDERFLOW_Q_NAME"] = f"bench-runtime-{uuid.uuid4().hex[:10]}"
    needed = 200 + args.events + int(sum(rates) * args.latency_seconds) + len(rates)
    rows: list[dict] = []
    with h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        h.django_setup(db_url)
        from builder import services as flows

        seeded = h.seed(stock={"SKU-0001": 1000})
        from django.contrib.auth.models import User

        owner = User.objects.get(username=seeded.username)
        flow = flows.flow_create(owner=owner, definition=FLOW)
        flows.flow_publish(flow_id=flow.pk, user=owner)
        flows.flow_set_enabled(flow_id=flow.pk, enabled=True)
        producer = Producer(make_orders(needed, seeded.channel_code))
        from django.db import connections

        connections.close_all()
        try:
            with Worker(workers=args.workers) as worker:
                warm = producer.emit(20)
                wait_finished(warm, timeout=120)
                for _ in range(9):
                    warm = producer.emit(20)
                wait_finished(warm, timeout=120)

                h.wait_for_quiet(args.quiet_wait)
                baseline = measure_noop(args.noop_tasks, redis_client)
                rows.append(baseline)
                print(f"#   {baseline['label']:<36} {baseline['per_s']:>8,.1f}/s")

                h.wait_for_quiet(args.quiet_wait)
                throughput = measure_throughput(producer, args.events, args.batch, worker, db_url)
                throughput["ratio"] = throughput["per_s"] / baseline["per_s"]
                rows.append(throughput)
                print(
                    f"#   {throughput['label']:<36} {throughput['per_s']:>8,.1f}/s "
                    f"(p50 {throughput['p50_ms']:.0f} ms, p99 {throughput['p99_ms']:.0f} ms under a full backlog)"
                )
                for rate in rates:
                    h.wait_for_quiet(args.quiet_wait)
                    result = measure_latency(producer, rate, args.latency_seconds)
                    rows.append(result)
                    print(
                        f"#   {result['label']:<36} p50 {result['p50_ms']:.1f} ms p99 {result['p99_ms']:.1f} ms "
                        f"(offered {result['per_s']:.1f}/s)"
                    )
        finally:
            redis_client.delete(f"django_q:{os.environ['ORDERFLOW_Q_NAME']}:q", COUNTER)

    h.print_table(
        "Runtime on PostgreSQL + Redis: events through condition → order.tag → order.note, every step recorded",
        rows,
        [
            ("label", "case"),
            ("count", "count"),
            ("per_s", "events (tasks)/s"),
            ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"),
            ("worker_cpu_ms", "worker CPU ms/event"),
            ("pg_cpu_ms", "PG CPU ms/event"),
            ("stolen_pct", "CPU stolen %"),
        ],
    )
    ratio = throughput["per_s"] / baseline["per_s"]
    at_target = next((r for r in rows if r["label"] == f"latency at {TARGET_RATE:g} events/s"), None)
    verdict = [
        f"flow events/s ÷ no-op tasks/s: {throughput['per_s']:.1f} ÷ {baseline['per_s']:.1f} = {ratio:.2f}",
        f"flow events/s ÷ n8n reference ({REFERENCE_RATE:g}/s): {throughput['per_s'] / REFERENCE_RATE:.2f}× "
        f"(target ≥ 4×, {TARGET_RATE:g}/s: {'met' if throughput['per_s'] >= TARGET_RATE else 'NOT met'})",
    ]
    if at_target is not None:
        verdict.append(
            f"p99 at {TARGET_RATE:g} events/s: {at_target['p99_ms']:.0f} ms "
            f"(target < {TARGET_P99_MS:g} ms: {'met' if at_target['p99_ms'] < TARGET_P99_MS else 'NOT met'})"
        )
    print()
    for line in verdict:
        print(line)
    if not args.no_results:
        append_results(machine, args, rows, verdict)
    h.write_json(args.json, {"benchmark": "runtime", "machine": machine, "args": vars(args), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
