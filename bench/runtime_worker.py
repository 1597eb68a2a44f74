"""The worker path alone: flow runs per second of the run task in worker processes — no HTTP, no queue.

    .venv/bin/python bench/runtime_worker.py [--runs 2000] [--workers 1,4] [--cases webhook,order] [--repeat 3]

What ``bench/runtime.py`` measures end to end (webhook → queue → worker), this measures for the
worker's part only, so a change to the claim or the runner can be weighed on its own, and run
against an older commit (copy this file into its tree) for a before and after.

Setup, not measured, on a throwaway PostgreSQL database (``--pg-url``): the two flows of
``bench/runtime.py`` published and enabled —

- ``webhook``: webhook trigger → condition ``webhook.body.total_amount >= 599`` → ``notify.inbox``
  (a notification and its audit entry), the shape of the webhook benchmark;
- ``order``: ``order.paid`` → condition → ``order.tag`` → ``order.note``, the outbox case's shape,
  each execution on an order of its own (``subject_key``, as the dispatcher makes them);

and ``--runs`` pending executions of the case's flow, written as the webhook view and the
dispatcher write them. Then ``--workers`` processes, forked after setup (each opens its own
connection, as a django-q2 worker keeps one), run one execution each to warm their caches, wait
for a common start, and call ``runtime.tasks.execution_run_task`` — what a worker calls for a
queued run — on every n-th execution id, one after the other. **runs/s** = executions ÷ (first
start → last finish). CPU per run: the worker processes', and the database's (its backends, WAL
writer, checkpointer, bgwriter). Each case and worker count is measured ``--repeat`` times; the
median is reported. Beforehand one run of each case is made with its statements captured:
statements and commits per run.

Nothing here sets durability: commits are as the project configures them.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness as h  # noqa: E402
from bench.runtime import OUTBOX_FLOW, WEBHOOK_FLOW, make_orders  # noqa: E402

WEBHOOK_BODY = {"order_id": "X123", "total_amount": 699}


def pending_executions(case: str, flow, count: int, orders: list[dict]) -> list[int]:
    """``count`` pending executions of ``flow``, as ``webhook_run_start`` or the dispatcher writes them."""
    from django.utils import timezone

    from runtime.models import Execution

    now = timezone.now()
    occurred_at = now.isoformat().replace("+00:00", "Z")
    rows = []
    for i in range(count):
        if case == "webhook":
            context = {
                "event": {"id": f"webhook:{uuid.uuid4().hex}", "type": "webhook", "occurred_at": occurred_at},
                "webhook": {"body": WEBHOOK_BODY, "headers": {"Content-Type": "application/json"}},
            }
            subject = ""
        else:
            order = orders[i]
            context = {"event": {"id": i, "type": "order.paid", "occurred_at": occurred_at}, "order": order}
            subject = f"order:{order['id']}"
        rows.append(
            Execution(
                flow_id=flow.pk,
                flow_version_id=flow.current_version_id,
                trigger_type=case if case == "webhook" else "event",
                subject_key=subject,
                context=context,
                created_at=now,
            )
        )
    return [e.pk for e in Execution.objects.bulk_create(rows, batch_size=1000)]


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _worker(ids: list[int], warm_id: int, ready, start, results, finish) -> None:
    from django.db import connections

    from runtime.tasks import execution_run_task

    execution_run_task(warm_id)
    ready.put(_backend_pid())
    start.wait()
    cpu, begun = time.process_time(), time.monotonic()
    outcomes = [execution_run_task(execution_id) for execution_id in ids]
    results.put(
        {
            "begun": begun,
            "ended": time.monotonic(),
            "cpu": time.process_time() - cpu,
            "failed": sum(outcome != "succeeded" for outcome in outcomes),
        }
    )
    finish.wait()  # the database's CPU is read off this process's backend first
    connections.close_all()


def measure(ids: list[int], warm_ids: list[int], workers: int, db_url: str) -> dict:
    """Runs ``ids`` in ``workers`` forked processes; runs/s and CPU per run."""
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's connection
    fork = multiprocessing.get_context("fork")
    ready, results, start, finish = fork.Queue(), fork.Queue(), fork.Event(), fork.Event()
    processes = [
        fork.Process(target=_worker, args=(ids[k::workers], warm_ids[k], ready, start, results, finish))
        for k in range(workers)
    ]
    for process in processes:
        process.start()
    backends = [ready.get(timeout=120) for _ in processes]
    # The workers' own backends (read before they disconnect), the WAL writer, checkpointer, bgwriter.
    pg_pids = [*backends, *(pid for pid in h.postgres_pids(db_url) if pid not in backends)]
    pg_before = h.cpu_seconds(pg_pids)
    cpu_before = h.cpu_times()
    start.set()
    done = [results.get(timeout=900) for _ in processes]
    pg_cpu = h.cpu_delta(pg_before, h.cpu_seconds(pg_pids))
    stolen = h.stolen_percent(cpu_before, h.cpu_times())
    finish.set()
    for process in processes:
        process.join(timeout=30)
    seconds = max(r["ended"] for r in done) - min(r["begun"] for r in done)
    failed = sum(r["failed"] for r in done)
    if failed:
        raise RuntimeError(f"{failed} of {len(ids)} runs did not succeed")
    return {
        "runs": len(ids),
        "seconds": seconds,
        "per_s": len(ids) / seconds,
        "worker_cpu_ms": sum(r["cpu"] for r in done) * 1000 / len(ids),
        "pg_cpu_ms": pg_cpu * 1000 / len(ids),
        "stolen_pct": stolen,
    }


def statements_per_run(execution_id: int) -> tuple[int, int]:
    """Statements and durable commits of one run (commit callbacks included), its caches warm: a
    ``COMMIT``, or a write made outside a transaction (it commits on its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from runtime.tasks import execution_run_task

    with CaptureQueriesContext(connection) as queries:
        outcome = execution_run_task(execution_id)
    if outcome != "succeeded":
        raise RuntimeError(f"the counted run ended {outcome}")
    sqls = [q["sql"] for q in queries.captured_queries]
    commits, in_transaction = 0, False
    for sql in sqls:
        if sql == "BEGIN":
            in_transaction = True
        elif sql in ("COMMIT", "ROLLBACK"):
            commits += sql == "COMMIT"
            in_transaction = False
        elif not in_transaction and any(word in sql for word in ("INSERT", "UPDATE", "DELETE")):
            commits += 1
    return len(sqls), commits


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="webhook,order", help="webhook, order or both (default both)")
    parser.add_argument("--runs", type=int, default=2000, help="executions per measurement (default 2000)")
    parser.add_argument("--workers", default="1,4", help="worker processes, comma-separated (default 1,4)")
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each case and count (default 3)")
    parser.add_argument("--pg-url", default=h.DEFAULT_PG_URL, help="a PostgreSQL URL whose server may CREATE DATABASE")
    parser.add_argument("--quiet-wait", type=float, default=10.0, help="seconds to wait for other load to pass")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the benchmark database at the end")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    cases = [c for c in args.cases.split(",") if c]
    counts = h.client_counts(args.workers)
    machine = h.machine_description(args.pg_url)
    h.print_machine(machine)
    os.environ.pop("REDIS_URL", None)  # nothing is queued: a finished run wakes no one here
    with h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        h.django_setup(db_url)
        from django.contrib.auth.models import User

        from builder import services as flows

        seeded = h.seed(stock={"SKU-0001": 1000})
        owner = User.objects.get(username=seeded.username)
        published = {}
        for case, document in (("webhook", WEBHOOK_FLOW), ("order", OUTBOX_FLOW)):
            flow = flows.flow_create(owner=owner, definition=document)
            flows.flow_publish(flow_id=flow.pk, user=owner)
            flows.flow_set_enabled(flow_id=flow.pk, enabled=True)
            flow.refresh_from_db()
            published[case] = flow
        per_measure = args.runs + max(counts) + 2
        orders = (
            make_orders(per_measure * len(counts) * args.repeat + 2, seeded.channel_code) if "order" in cases else []
        )
        rows = []
        for case in cases:
            flow = published[case]
            warm, counted = pending_executions(case, flow, 2, orders[-2:])
            from runtime.tasks import execution_run_task

            execution_run_task(warm)
            statements, commits = statements_per_run(counted)
            print(f"# {case}: {statements} statements, {commits} commits per run")
            used = 0
            for workers in counts:
                measured = []
                for _ in range(args.repeat):
                    batch = orders[used : used + per_measure]
                    used += per_measure
                    ids = pending_executions(case, flow, args.runs + workers, batch)
                    h.wait_for_quiet(args.quiet_wait)
                    row = measure(ids[workers:], ids[:workers], workers, db_url)
                    print(
                        f"#   {case} × {workers} worker(s): {row['per_s']:7.1f} runs/s · worker CPU "
                        f"{row['worker_cpu_ms']:.2f} ms/run · database CPU {row['pg_cpu_ms']:.2f} ms/run · stolen "
                        f"{row['stolen_pct']:.0f} %"
                    )
                    measured.append(row)
                rows.append(
                    {
                        "case": case,
                        "workers": workers,
                        "statements": statements,
                        "commits": commits,
                        "per_s": statistics.median(r["per_s"] for r in measured),
                        "worker_cpu_ms": statistics.median(r["worker_cpu_ms"] for r in measured),
                        "pg_cpu_ms": statistics.median(r["pg_cpu_ms"] for r in measured),
                    }
                )
    print()
    print(f"# medians of {args.repeat}, {args.runs} runs each · code {machine['revision']}")
    print("| case | workers | statements / commits per run | runs/s | worker CPU ms/run | database CPU ms/run |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['case']} | {row['workers']} | {row['statements']} / {row['commits']} | {row['per_s']:.0f} | "
            f"{row['worker_cpu_ms']:.2f} | {row['pg_cpu_ms']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
