"""Orders per second through ``POST /api/v1/orders/`` beside a bare one-row insert, same server.

    .venv/bin/python bench/order_ingest.py [--duration 10] [--clients 8,32] [--lines 2] ...

All cases run on the same web server processes (gunicorn; BENCH_WEB_SERVER=daphne for daphne) (``bench.settings``) against a throwaway PostgreSQL
database, and post the same JSON body:

- baseline, ``/bench/bare-insert/``: a plain Django view that parses it and inserts one row (no
  DRF, no token, no domain logic);
- same writes (the target's baseline), ``/bench/same-writes/``: a plain Django view that
  sends what the API sends to PostgreSQL and Redis for that order — the token read, the channel,
  the products, the order's transaction, the wake-up — without the API's Python
  (``bench.same_writes``);
- the full case, the real API: token auth, role check, validation, ``order_place`` (customer,
  order, lines, stock reservation, ledger, audit entry, outbox event in one transaction) and the
  answer built from the rows it wrote.

Each case starts from empty order tables. Target (issue 14): full ≥ 0.5 × the same writes; the
bare insert is shown for reference only (it measures the statements the invariants need, not the code).
"""

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness as h  # noqa: E402

TARGET_RATIO = 0.5


def order_body_maker(*, case: str, index: int, channel: str, skus: list[str], lines: int):
    rng = random.Random(index)

    def body_for(seq: int) -> dict:
        return {
            "channel": channel,
            "external_id": f"{case}-{index}-{seq}",
            "customer": {"name": "张伟", "phone": f"139{(index * 7919 + seq) % 20000:08d}"},
            "shipping_address": h.buyer_address(index * 7919 + seq),
            "lines": [{"sku": sku, "quantity": 1} for sku in rng.sample(skus, lines)],
        }

    return body_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    h.common_arguments(parser)
    parser.add_argument("--lines", type=int, default=2, help="order lines per order, distinct SKUs (default 2)")
    parser.add_argument("--skus", type=int, default=1000, help="SKUs in the catalogue, ample stock each (default 1000)")
    args = parser.parse_args(argv)
    counts = h.client_counts(args.clients)

    machine = h.machine_description(args.pg_url)
    h.print_machine(machine)
    skus = [f"SKU-{i:04d}" for i in range(args.skus)]
    rows: list[dict] = []
    with h.redis_queue(args) as queue, h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        print(
            f"# order ingest: {args.lines} line(s) per order over {args.skus} SKUs · {args.server_procs} {os.environ.get('BENCH_WEB_SERVER', 'gunicorn')} "
            f"processes (db connections: {args.db_conn}, binding: {args.pg_binding}; queue and wake-up: {queue}) "
            f"· clients over {args.client_procs} processes · {args.warmup:g}s warm-up + {args.duration:g}s"
        )
        h.django_setup(db_url, pg_binding=args.pg_binding)
        seeded = h.seed(stock=dict.fromkeys(skus, 10_000_000))
        with h.WebServers(db_url=db_url, procs=args.server_procs, db_conn=args.db_conn) as servers:
            for clients in counts:
                baseline = writes = None
                for case, path, label in (
                    ("bare", "/bench/bare-insert/", "bare insert (baseline)"),
                    ("writes", "/bench/same-writes/", "same writes (view)"),
                    ("order", "/api/v1/orders/", "POST /api/v1/orders/"),
                ):
                    h.reset_orders()
                    h.wait_for_quiet(args.quiet_wait)

                    def factory(index, total, case=case, path=path):
                        return h.HttpClient(
                            port=servers.ports[index % len(servers.ports)],
                            path=path,
                            token=seeded.token,
                            body_for=order_body_maker(
                                case=case, index=index, channel=seeded.channel_code, skus=skus, lines=args.lines
                            ),
                        )

                    result = h.run_load(
                        label=label,
                        factory=factory,
                        clients=clients,
                        duration=args.duration,
                        warmup=args.warmup,
                        client_procs=args.client_procs,
                        app_pids=servers.pids,
                        db_url=db_url,
                    )
                    if case == "bare":
                        baseline = result
                    elif case == "writes":
                        writes = result
                    row = result.as_dict()
                    row["case"] = case
                    row["ratio"] = result.rate / baseline.rate if baseline and baseline.rate else float("nan")
                    row["cpu_ratio"] = baseline.work_cpu_ms / result.work_cpu_ms if baseline else float("nan")
                    row["writes_ratio"] = result.rate / writes.rate if writes and writes.rate else float("nan")
                    row["writes_cpu_ratio"] = writes.work_cpu_ms / result.work_cpu_ms if writes else float("nan")
                    row["conflicts"] = result.counts[h.CONFLICT]
                    row["failed"] = result.completed - result.ok - result.counts[h.CONFLICT]
                    rows.append(row)
                    print(
                        f"#   {row['label']:<24} {clients:>3} clients: {row['per_s']:>8,.1f}/s "
                        f"p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms"
                        + (f" · errors: {result.errors[0]}" if result.errors else "")
                    )

    h.print_table(
        "Order ingest over HTTP (PostgreSQL): rate of 201 answers in the measured window",
        rows,
        [
            ("label", "case"),
            ("clients", "clients"),
            ("per_s", "orders/s"),
            ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"),
            ("conflicts", "409"),
            ("failed", "errors"),
            ("ratio", "÷ bare"),
            ("work_cpu_ms_per_req", "CPU ms/req"),
            ("cpu_ratio", "÷ bare (CPU)"),
            ("writes_ratio", "÷ writes"),
            ("writes_cpu_ratio", "÷ writes (CPU)"),
            ("app_cpu_ms_per_req", "web server CPU ms/req"),
            ("pg_cpu_ms_per_req", "PG CPU ms/req"),
            ("client_cpu_ms_per_req", "client CPU ms/req"),
            ("other_cores", "other load (cores)"),
        ],
    )
    print()
    print("CPU ms/req: CPU time per completed request in the measured window of the web server processes plus")
    print("PostgreSQL (this database's backends, WAL writer, checkpointer, bgwriter), split out after it;")
    print("÷ bare (CPU) compares that cost; it moves less than the rates when other programs share the machine.")
    print("÷ writes: the same against the same-writes view, which sends the API's statements without its Python.")
    print("other load: CPU used meanwhile by processes outside the benchmark, in cores (of nproc); near 0 is clean.")
    print()
    for row in rows:
        if row["case"] == "order":
            met = row["writes_ratio"] >= TARGET_RATIO
            print(
                f"full order create ÷ the same writes at {row['clients']} clients: {h.ratio_text(row['writes_ratio'])} "
                f"(target ≥ {TARGET_RATIO}: {'met' if met else 'NOT met'}); "
                f"by CPU cost {h.ratio_text(row['writes_cpu_ratio'])}"
            )
    for row in rows:
        if row["case"] == "order":
            print(
                f"full order create ÷ bare insert (reference, no target) at {row['clients']} clients: "
                f"{h.ratio_text(row['ratio'])}; by CPU cost {h.ratio_text(row['cpu_ratio'])}"
            )
    results_rows = []
    for clients in counts:
        case = {row["case"]: row for row in rows if row["clients"] == clients}
        api, writes, bare = case.get("order"), case.get("writes"), case.get("bare")
        if api is None:
            continue
        results_rows.append(
            [
                str(clients),
                h.fmt(api["per_s"]),
                f"{h.fmt(api['p50_ms'])} / {h.fmt(api['p99_ms'])}",
                h.fmt(writes["per_s"]) if writes else "–",
                f"**{h.ratio_text(api['writes_ratio'])}** ({h.ratio_text(api['writes_cpu_ratio'])})",
                h.fmt(bare["per_s"]) if bare else "–",
                f"{h.ratio_text(api['ratio'])} ({h.ratio_text(api['cpu_ratio'])})",
                " / ".join(h.fmt(r["stolen_pct"]) for r in (bare, writes, api) if r),
                " / ".join(h.fmt(r["other_cores"], ".2f") for r in (bare, writes, api) if r),
            ]
        )
    h.results_publish(
        args,
        benchmark="order_ingest",
        machine=machine,
        header=[
            "clients",
            "API orders/s",
            "p50 / p99 ms",
            "same writes /s",
            "API ÷ same writes (CPU)",
            "bare insert /s",
            "API ÷ bare (CPU)",
            "stolen % (bare / writes / API)",
            "other load (cores)",
        ],
        rows=results_rows,
    )
    h.write_json(args.json, {"benchmark": "order_ingest", "machine": machine, "args": vars(args), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
