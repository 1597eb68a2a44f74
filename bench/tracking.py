"""Kuaidi100 pushes per second end to end, beside the Shopify webhook ingest in the same run; and
push-to-order-completed latency through a flow at a steady rate.

    .venv/bin/python bench/tracking.py [--duration 10] [--clients 8,32] [--steady-rate 50] ...
    .venv/bin/python bench/tracking.py --short     # a few seconds per window: proves it end to end

One run on a throwaway PostgreSQL database, Redis as the queue, the web server processes of
``bench/ingest.py`` (gunicorn; ``bench.settings``) and one django-q2 cluster (``manage.py
qcluster``, ``--workers``; ``bench.runtime.Worker``) running all along, as the product runs:

1. **Webhook ingest** (``bench/ingest.py``'s case, its client and its checks, imported): signed
   Shopify ``orders/create`` deliveries at each of ``--clients`` senders.
2. **Courier push** at the same senders: ``POST /hooks/kuaidi100/<connection id>/``, the form
   ``param`` + ``sign`` (``UPPER(MD5(param + salt))``) — verified, the delivery stored under its
   dedup key, the tracking events stored, the shipment moved to ``signed``, the order moved
   ``shipped`` → ``delivered`` with its audit entry, and ``shipment.updated`` / ``shipment.signed``
   in the outbox, all before the exact success reply. Before each window, orders are seeded
   ``shipped`` with a Kuaidi100 parcel each (order centre and shipment services, not measured);
   every push signs (state 3) a parcel of its own, once, with a new time, so nothing is
   deduplicated. A push carries the parcel's history as Kuaidi100 sends it (揽收, 派件, 签收:
   three nodes, all new to the store). No flow is enabled here: the cluster dispatches the
   events to no one.
3. **Steady**: a published flow on ``shipment.signed`` → ``order.transition`` to ``completed``;
   ``--steady-rate`` pushes per second at fixed moments (open loop) for ``--steady-seconds``.
   Latency: the push's scheduled send moment → the order's ``status_changed_at`` as
   ``completed`` (a sender that falls behind counts against the figure). Target p99 < 1 s at 50/s.

After each webhook and push window the stored deliveries are counted by outcome: every
acknowledged delivery must be ``processed``; after a push window the orders are counted too
(every acknowledged push must have delivered its order). Target: pushes ÷ webhook ≥ 0.8.
"""

import argparse
import http.client
import json
import math
import os
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness as h  # noqa: E402
from bench import ingest  # noqa: E402
from bench.runtime import Worker, percentile  # noqa: E402

TARGET_RATIO = 0.8
TARGET_P99_MS = 1000.0
STEADY_RATE = 50.0
COURIER = "kuaidi100"
CARRIER = "yuantong"
SALT = "bench-kuaidi100-salt-0123456789"
SKU = "SKU-0000"
SHORT = {"duration": 3.0, "warmup": 1.0, "steady_seconds": 3.0, "quiet_wait": 3.0}

COMPLETE_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Bench: a signed parcel completes its order",
    "trigger": {"type": "event", "event": "shipment.signed"},
    "nodes": [
        {
            "id": "complete",
            "type": "action",
            "action": "order.transition",
            "params": {"to": "completed", "reason": "parcel signed for"},
        }
    ],
    "edges": [{"from": "trigger", "to": "complete"}],
}


# --- the push -------------------------------------------------------------------------------


def push_body(number: str, sent_at: float) -> bytes:
    """The signed form Kuaidi100 posts when a parcel is signed for: its history, newest first,
    the signature at ``sent_at`` (Beijing time, to the second)."""
    from connectors.couriers.kuaidi100.mapping import BEIJING, TIME_FORMAT
    from connectors.couriers.kuaidi100.signing import push_sign

    def at(seconds_before: float) -> str:
        return datetime.fromtimestamp(sent_at - seconds_before, tz=BEIJING).strftime(TIME_FORMAT)

    nodes = [
        (at(0), "【杭州市】已签收，签收人：本人", "签收"),
        (at(3600), "【杭州市】快递员正在派件，电话 13800000000", "派件"),
        (at(86400), "【深圳市】快递员 已揽收", "揽收"),
    ]
    param = json.dumps(
        {
            "status": "shutdown",
            "billstatus": "got",
            "message": "",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": {
                "message": "ok",
                "nu": number,
                "ischeck": "1",
                "condition": "00",
                "com": CARRIER,
                "status": "200",
                "state": "3",
                "data": [
                    {"time": t, "ftime": t, "context": text, "location": "", "status": status}
                    for t, text, status in nodes
                ],
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return urlencode({"param": param, "sign": push_sign(param, SALT)}).encode()


class PushClient(h.Client):
    """A keep-alive connection pushing "signed" for its own parcels, one push per parcel."""

    def __init__(self, *, port: int, path: str, numbers: list[str]):
        from connectors.couriers.kuaidi100.webhook import SUCCESS

        self.port, self.path, self.numbers = port, path, numbers
        self.success = SUCCESS.encode("utf-8")
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, seq: int) -> int:
        if seq >= len(self.numbers):
            self.error = f"parcels exhausted after {len(self.numbers)} pushes: raise --parcels"
            return h.FAILED
        body = push_body(self.numbers[seq], time.time())
        return self.post(body)

    def post(self, body: bytes) -> int:
        for attempt in (1, 2):
            try:
                self.conn.request("POST", self.path, body, {"Content-Type": "application/x-www-form-urlencoded"})
                response = self.conn.getresponse()
                content = response.read()
                break
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                # A keep-alive connection the server closed while it was idle (a slow steady rate
                # leaves each sender's idle past gunicorn's keep-alive) fails before an answer: sent
                # again on a new one — the same push, which the dedup key would answer once anyway.
                if attempt == 1 and isinstance(
                    exc, (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)
                ):
                    continue
                self.error = f"{type(exc).__name__}: {exc}"
                return h.FAILED
        if response.status != 200 or content != self.success:
            self.error = f"HTTP {response.status}: {content[:300]!r}"
            return response.status if response.status != 200 else h.FAILED
        return h.CREATED  # acknowledged; the outcomes are checked in the database after the window

    def close(self) -> None:
        self.conn.close()


# --- seeding and checks ---------------------------------------------------------------------


def kuaidi100_connection_create() -> int:
    from connectors.services.connections import ConnectionInput, connection_create

    credentials = {"customer": "BENCHCUSTOMER000000000000000000", "key": "bench-kuaidi100-key", "salt": SALT}
    connection = connection_create(
        data=ConnectionInput(connector=COURIER, name="快递100 bench", credentials=credentials, settings={})
    )
    return connection.pk


def parcels_seed(*, count: int, prefix: str, channel_code: str) -> dict[str, int]:
    """``count`` orders ``shipped`` with a Kuaidi100 parcel each, through the order centre's and the
    shipments' services; returns tracking number → order id."""
    from django.db import connections

    from commerce.channels.models import Channel
    from commerce.orders import services as orders
    from commerce.shipments.services import shipment_create
    from core.actors import Actor

    actor = Actor.system("bench", source="bench")
    channel = Channel.objects.get(code=channel_code)
    parcels: dict[str, int] = {}
    for i in range(count):
        order, _ = orders.order_create(
            data=orders.OrderInput(
                channel=channel,
                external_id=f"{prefix}-{i}",
                customer=orders.CustomerInput(name="张伟", phone=f"139{i % 100_000_000:08d}"),
                shipping_address=orders.AddressInput(**h.ADDRESS),
                lines=[orders.LineInput(sku=SKU, quantity=1)],
                status="paid",
            ),
            actor=actor,
        )
        orders.order_transition(order_id=order.pk, to="shipped", actor=actor)
        number = f"YT{prefix.upper()}{i:08d}"
        shipment_create(order_id=order.pk, courier=COURIER, carrier=CARRIER, tracking_no=number, actor=actor)
        parcels[number] = order.pk
    connections.close_all()
    return parcels


def order_statuses(order_ids: list[int]) -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count

    from commerce.orders.models import Order

    counted = dict(Order.objects.filter(pk__in=order_ids).values_list("status").annotate(n=Count("id")).order_by())
    connection.close()
    return counted


def outbox_wait_dispatched(timeout: float) -> int:
    """Waits until the cluster has dispatched every outbox event; returns those left after ``timeout``."""
    from django.db import connection

    from commerce.outbox.models import OutboxEvent

    deadline = time.monotonic() + timeout
    while True:
        left = OutboxEvent.objects.filter(dispatched_at__isnull=True).count()
        if not left or time.monotonic() > deadline:
            connection.close()
            return left
        time.sleep(0.2)


def flow_publish(username: str) -> int:
    from django.contrib.auth.models import User

    from builder import services as flows

    owner = User.objects.get(username=username)
    flow = flows.flow_create(owner=owner, definition=COMPLETE_FLOW)
    flows.flow_publish(flow_id=flow.pk, user=owner)
    flows.flow_set_enabled(flow_id=flow.pk, enabled=True)
    return flow.pk


# --- the steady case ------------------------------------------------------------------------


def measure_steady(*, args, servers, worker, db_url: str, path: str, parcels: dict[str, int]) -> dict:
    """``--steady-rate`` pushes per second at fixed moments; latency from each push's scheduled
    moment to its order's ``completed`` ``status_changed_at``."""
    import psycopg

    from bench.runtime import CpuWindow

    numbers = list(parcels)
    rate, count = args.steady_rate, len(numbers)
    senders = 16
    lock = threading.Lock()
    next_index = iter(range(count))
    sent: dict[int, float] = {}  # order id → scheduled moment (epoch s)
    failures: list[str] = []
    start = time.time() + 0.5

    def send(port: int) -> None:
        client = PushClient(port=port, path=path, numbers=[])
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            moment = start + index / rate
            delay = moment - time.time()
            if delay > 0:
                time.sleep(delay)
            outcome = client.post(push_body(numbers[index], time.time()))
            with lock:
                if outcome == h.CREATED:
                    sent[parcels[numbers[index]]] = moment
                else:
                    failures.append(client.error)
            client.error = ""
        client.close()

    with CpuWindow(servers=servers, worker=worker, db_url=db_url) as cpu:
        threads = [
            threading.Thread(target=send, args=(servers.ports[i % len(servers.ports)],), daemon=True)
            for i in range(senders)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        offered = count / (time.time() - start)
        deadline = time.monotonic() + 120
        with psycopg.connect(db_url, autocommit=True) as conn:
            while True:
                finished = dict(
                    conn.execute(
                        "SELECT id, extract(epoch FROM status_changed_at)::float8 FROM orders_order "
                        "WHERE id = ANY(%s) AND status = 'completed'",
                        [list(sent)],
                    ).fetchall()
                )
                if len(finished) == len(sent) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            stages = steady_stages(conn, since=start - 1)
    values = [(finished[i] - moment) * 1000 for i, moment in sent.items() if i in finished]
    return {
        "rate": rate,
        "count": count,
        "per_s": offered,
        "completed": len(values),
        "errors": len(failures) + len(sent) - len(values),
        "first_error": failures[0] if failures else "",
        "p50_ms": percentile(values, 50),
        "p99_ms": percentile(values, 99),
        "mean_ms": statistics.fmean(values) if values else float("nan"),
        "max_ms": max(values) if values else float("nan"),
        "stolen_pct": cpu.stolen_pct,
        "other_cores": cpu.other_cores,
        "cores": f"web {cpu.web_cores:.2f} · cluster {cpu.worker_cores:.2f} · PostgreSQL {cpu.pg_cores:.2f}",
        "stages": stages,
    }


# Where a steady push's time goes, stage by stage, from the rows the pipeline stamps: the push's
# delivery (received → processed, the web server's whole answer), its events in the outbox
# (written → dispatched by the drain), and the flow's run (created by the dispatch → claimed by a
# worker → finished). Their sum is roughly the push → completed figure.
STAGES = (
    ("push answered", "connectors_webhookdelivery", "received_at", "processed_at"),
    ("event → dispatched", "outbox_outboxevent", "occurred_at", "dispatched_at"),
    ("dispatched → run started", "runtime_execution", "created_at", "started_at"),
    ("run", "runtime_execution", "started_at", "finished_at"),
)


def steady_stages(conn, *, since: float) -> dict[str, tuple[float, float]]:
    """Each stage's p50 and p99 in ms over the rows stamped since ``since`` (epoch s): a
    ``psycopg`` connection to the benchmark's database, read after the window."""
    found = {}
    for label, table, began, ended in STAGES:
        row = conn.execute(
            f"SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM {ended} - {began}))"
            f" FROM {table} WHERE {began} >= to_timestamp(%s) AND {ended} IS NOT NULL",
            [since],
        ).fetchone()
        found[label] = tuple(v * 1000 for v in row[0]) if row and row[0] else (float("nan"), float("nan"))
    return found


def stages_text(stages: dict[str, tuple[float, float]]) -> str:
    return " · ".join(f"{label} {p50:,.0f} / {p99:,.0f}" for label, (p50, p99) in stages.items())


# --- the run --------------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    h.common_arguments(parser)
    parser.add_argument(
        "--short", action="store_true", help="short windows: " + ", ".join(f"{k}={v:g}" for k, v in SHORT.items())
    )
    parser.add_argument("--lines", type=int, default=2, help="order lines per webhook order (default 2)")
    parser.add_argument("--skus", type=int, default=1000, help="SKUs in the catalogue, ample stock each (default 1000)")
    parser.add_argument("--workers", type=int, default=4, help="django-q2 workers in the cluster (default 4)")
    parser.add_argument(
        "--parcels",
        type=int,
        default=0,
        help="shipped parcels seeded before each push window (default: 2.5 × what the webhook case "
        "acknowledged in as long, at least 300); a client that runs out reports it",
    )
    parser.add_argument("--steady-rate", type=float, default=STEADY_RATE, help="pushes/s, steady (default 50)")
    parser.add_argument("--steady-seconds", type=float, default=20.0, help="seconds of the steady case (default 20)")
    parser.add_argument(
        "--steady-only", action="store_true", help="only the steady case (no webhook and push windows; no ratio)"
    )
    args = parser.parse_args(argv)
    if args.short:
        for key, value in SHORT.items():
            if getattr(args, key) == parser.get_default(key):
                setattr(args, key, value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    counts = h.client_counts(args.clients)
    machine = h.machine_description(args.pg_url)
    h.print_machine(machine)
    skus = [f"SKU-{i:04d}" for i in range(args.skus)]
    rows: list[dict] = []
    steady: dict | None = None
    with h.redis_queue(args) as queue, h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        server = os.environ.get("BENCH_WEB_SERVER", "gunicorn")
        print(
            f"# tracking: {args.server_procs} {server} processes, one qcluster of {args.workers} workers "
            f"(queue: {queue}) · {args.warmup:g}s warm-up + {args.duration:g}s per window · steady "
            f"{args.steady_rate:g} pushes/s for {args.steady_seconds:g}s"
        )
        h.django_setup(db_url, pg_binding=args.pg_binding)
        seeded = h.seed(stock=dict.fromkeys(skus, 10_000_000), channel_code=ingest.CHANNEL)
        hook = f"/hooks/shopify/{ingest.connection_create()}/"
        push_path = f"/hooks/{COURIER}/{kuaidi100_connection_create()}/"
        with (
            h.WebServers(db_url=db_url, procs=args.server_procs, db_conn=args.db_conn) as servers,
            Worker(workers=args.workers) as worker,
        ):
            for clients in [] if args.steady_only else counts:
                webhook = None
                for case, label in (("webhook", "Shopify webhook"), ("push", "Kuaidi100 push (signed)")):
                    h.reset_orders()
                    ingest.deliveries_reset()
                    parcels: dict[str, int] = {}
                    if case == "push":
                        wanted = args.parcels or max(
                            300, math.ceil(2.5 * webhook.ok * (1 + args.warmup / args.duration))
                        )
                        t0 = time.monotonic()
                        parcels = parcels_seed(count=wanted, prefix=f"a{clients}", channel_code=ingest.CHANNEL)
                        print(f"#   seeded {len(parcels):,} shipped parcels in {time.monotonic() - t0:.1f}s")
                    outbox_wait_dispatched(60)
                    h.wait_for_quiet(args.quiet_wait)
                    numbers = list(parcels)

                    def factory(index, total, case=case, numbers=numbers):
                        port = servers.ports[index % len(servers.ports)]
                        if case == "webhook":
                            return ingest.WebhookClient(port=port, path=hook, index=index, skus=skus, lines=args.lines)
                        return PushClient(port=port, path=push_path, numbers=numbers[index::total])

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
                    row = result.as_dict()
                    row["case"] = case
                    outcomes = ingest.delivery_outcomes()
                    row["outcomes"] = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
                    row["unprocessed"] = sum(v for k, v in outcomes.items() if k != "processed")
                    acknowledged = result.totals[h.CREATED]
                    if case == "webhook":
                        webhook = result
                        row["orders"] = "–"
                        row["ratio"] = row["cpu_ratio"] = float("nan")
                    else:
                        statuses = order_statuses(list(parcels.values()))
                        row["orders"] = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
                        row["undelivered"] = max(0, acknowledged - statuses.get("delivered", 0))
                        row["ratio"] = result.rate / webhook.rate if webhook.rate else float("nan")
                        row["cpu_ratio"] = (
                            webhook.work_cpu_ms / result.work_cpu_ms if result.work_cpu_ms else float("nan")
                        )
                    rows.append(row)
                    print(
                        f"#   {label:<24} {clients:>3} senders: {row['per_s']:>8,.1f}/s "
                        f"p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms · acknowledged {acknowledged:,} · "
                        f"deliveries: {row['outcomes']}"
                        + (f" · orders: {row['orders']}" if case == "push" else "")
                        + (f" · errors: {result.errors[0]}" if result.errors else "")
                    )

            h.reset_orders()
            ingest.deliveries_reset()
            flow_publish(seeded.username)
            count = max(1, int(args.steady_rate * args.steady_seconds))
            parcels = parcels_seed(count=count, prefix="steady", channel_code=ingest.CHANNEL)
            outbox_wait_dispatched(60)
            h.wait_for_quiet(args.quiet_wait)
            steady = measure_steady(
                args=args, servers=servers, worker=worker, db_url=db_url, path=push_path, parcels=parcels
            )
            outcomes = ingest.delivery_outcomes()
            steady["outcomes"] = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            print(
                f"#   steady {steady['rate']:g} pushes/s (offered {steady['per_s']:.1f}/s): push → order completed "
                f"p50 {steady['p50_ms']:.0f} ms p99 {steady['p99_ms']:.0f} ms max {steady['max_ms']:.0f} ms · "
                f"{steady['completed']}/{steady['count']} completed · deliveries: {steady['outcomes']} · errors "
                f"{steady['errors']} {steady['first_error']} · stolen {steady['stolen_pct']:.0f} % · other load "
                f"{steady['other_cores']:.2f} cores · ours: {steady['cores']}"
            )
            print(f"#   where the time went, p50 / p99 ms: {stages_text(steady['stages'])}")
    return report(args, machine, rows, steady)


def report(args, machine: dict, rows: list[dict], steady: dict) -> int:
    h.print_table(
        "Courier pushes and webhook orders over HTTP (PostgreSQL, runtime running): acknowledged per second",
        rows,
        [
            ("label", "case"),
            ("clients", "senders"),
            ("per_s", "per s"),
            ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"),
            ("ratio", "÷ webhook"),
            ("work_cpu_ms_per_req", "CPU ms/req"),
            ("cpu_ratio", "÷ webhook (CPU)"),
            ("outcomes", "deliveries stored"),
            ("orders", "orders after"),
            ("stolen_pct", "stolen %"),
            ("other_cores", "other load (cores)"),
        ],
    )
    h.print_table(
        "Push → order completed through a flow (shipment.signed → order.transition completed)",
        [steady],
        [
            ("rate", "pushes/s"),
            ("per_s", "offered/s"),
            ("count", "pushes"),
            ("completed", "completed"),
            ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"),
            ("max_ms", "max ms"),
            ("errors", "errors"),
            ("stolen_pct", "stolen %"),
            ("other_cores", "other load (cores)"),
        ],
    )
    print()
    p99_met = steady["p99_ms"] < TARGET_P99_MS and not steady["errors"]
    results_rows = []
    for row in rows:
        if row["case"] != "push":
            continue
        webhook = next(r for r in rows if r["case"] == "webhook" and r["clients"] == row["clients"])
        met = row["ratio"] >= TARGET_RATIO
        print(
            f"pushes ÷ webhook at {row['clients']} senders: {h.ratio_text(row['ratio'])} "
            f"(target ≥ {TARGET_RATIO}: {'met' if met else 'NOT met'}); by CPU cost {h.ratio_text(row['cpu_ratio'])}; "
            f"deliveries not processed: {row['unprocessed']} (webhook {webhook['unprocessed']}); "
            f"acknowledged pushes without a delivered order: {row['undelivered']}"
        )
        results_rows.append(
            [
                str(row["clients"]),
                h.fmt(row["per_s"]),
                f"{h.fmt(row['p50_ms'])} / {h.fmt(row['p99_ms'])}",
                h.fmt(webhook["per_s"]),
                f"{h.fmt(webhook['p50_ms'])} / {h.fmt(webhook['p99_ms'])}",
                f"**{h.ratio_text(row['ratio'])}** ({h.ratio_text(row['cpu_ratio'])})",
                f"{row['unprocessed'] + webhook['unprocessed']} / {row['undelivered']}",
                f"{h.fmt(steady['rate'], 'g')}/s: {h.fmt(steady['p50_ms'])} / **{h.fmt(steady['p99_ms'])}**",
                f"{h.fmt(webhook['stolen_pct'])} / {h.fmt(row['stolen_pct'])} / {h.fmt(steady['stolen_pct'])}",
            ]
        )
    print(
        f"push → order completed at {steady['rate']:g}/s: p50 {h.fmt(steady['p50_ms'])} ms, p99 "
        f"{h.fmt(steady['p99_ms'])} ms (target p99 < {TARGET_P99_MS:g} ms: {'met' if p99_met else 'NOT met'}); "
        f"{steady['completed']} of {steady['count']} orders completed"
    )
    h.results_publish(
        args,
        benchmark="tracking",
        machine=machine,
        header=[
            "senders",
            "pushes/s",
            "p50 / p99 ms",
            "webhook orders/s",
            "webhook p50 / p99 ms",
            "pushes ÷ webhook (CPU)",
            "not processed / not delivered",
            "push → completed p50 / p99 ms",
            "stolen % (webhook / push / steady)",
        ],
        rows=results_rows,
    )
    h.write_json(
        args.json, {"benchmark": "tracking", "machine": machine, "args": vars(args), "rows": rows, "steady": steady}
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
