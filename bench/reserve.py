"""Stock reservations per second: bare SQL baseline, the ``order_create`` service, the HTTP API.

    .venv/bin/python bench/reserve.py [--duration 10] [--clients 8,32] [--hot-stock N] ...

Each reservation is one order of one line, quantity 1, on PostgreSQL:

- baseline: psycopg straight to the database, per transaction the conditional
  ``UPDATE inventory_stockitem SET reserved = reserved + 1 … WHERE id = … AND on_hand - reserved >= 1``
  plus one ledger ``INSERT`` into ``inventory_stockmovement``;
- writes (for comparison, no target): what ``order_create`` writes for such an order — the same
  statements, rows and values, bound as the project binds them — sent by psycopg alone,
  without the service's Python (``SameWritesClient``); printed as service ÷ writes;
- service: ``commerce.orders.services.order_create`` called from client threads, each thread
  with its own Django database connection;
- api: ``POST /api/v1/orders/`` with token auth against the web server (``bench.settings``).

Two stock shapes: one hot SKU that every client hits, and 1,000 SKUs picked at random. The hot
SKU gets ``--hot-stock`` units (default 10,000,000: every request should succeed, so the figures
are successful reservations; a smaller number measures the 409 rate too). After each case the
stock is checked: nothing oversold (``reserved ≤ on_hand`` on every row, the lowest ``available``
sampled during the run never below 0), and ``reserved`` equal to the reservations, ledger rows
and successful answers. Targets: service ≥ 0.5 × baseline for 1,000 SKUs; the API is reported.
"""

import argparse
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness as h  # noqa: E402

TARGET_RATIO = 0.5
HOT_SKU = "HOT-0001"

RESERVE_SQL = (
    "UPDATE inventory_stockitem SET reserved = reserved + %(q)s, updated_at = now() "
    "WHERE id = %(id)s AND on_hand - reserved >= %(q)s"
)
LEDGER_SQL = (
    "INSERT INTO inventory_stockmovement "
    "(stock_item_id, kind, quantity, reason, order_id, actor_kind, actor_label, trace_id, created_at) "
    "VALUES (%(id)s, 'reserve', %(q)s, 'bench baseline', NULL, 'system', 'bench', %(trace)s, now())"
)


def sku_picker(index: int, skus: list[str]):
    if len(skus) == 1:
        return lambda _seq: skus[0]
    rng = random.Random(index)
    return lambda _seq: rng.choice(skus)


class PsycopgClient(h.Client):
    """A client with a psycopg connection of its own, in autocommit between its transactions."""

    def __init__(self, db_url: str, **options):
        import psycopg

        self.psycopg = psycopg
        self.conn = psycopg.connect(db_url, autocommit=True, **options)

    def outcome(self, work) -> int:
        """Runs ``work()`` in one transaction: ``CREATED``; ``CONFLICT`` when it raised
        ``psycopg.Rollback`` (no stock); ``FAILED``, with the error kept, on a database error."""
        try:
            with self.conn.transaction():
                work()
                return h.CREATED
        except self.psycopg.Error as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return h.FAILED
        return h.CONFLICT

    def close(self) -> None:
        self.conn.close()


class SqlBaselineClient(PsycopgClient):
    """The conditional update and one ledger row, one transaction, nothing else."""

    def __init__(self, *, db_url: str, index: int, skus: list[str], stock_ids: dict[str, int]):
        super().__init__(db_url)
        self.pick = sku_picker(index, skus)
        self.stock_ids = stock_ids
        self.index = index

    def call(self, seq: int) -> int:
        params = {"id": self.stock_ids[self.pick(seq)], "q": 1, "trace": f"bench-{self.index}-{seq}"}

        def reserve():
            if self.conn.execute(RESERVE_SQL, params).rowcount != 1:
                raise self.psycopg.Rollback()
            self.conn.execute(LEDGER_SQL, params)

        return self.outcome(reserve)


class ServiceClient(h.Client):
    """``order_create`` in this thread, on this thread's own Django connection."""

    def __init__(self, *, channel_code: str, index: int, skus: list[str]):
        from commerce.channels.models import Channel
        from core.actors import Actor

        self.channel = Channel.objects.get(code=channel_code)  # opens this thread's connection
        self.actor = Actor.system("bench", source="bench")
        self.pick = sku_picker(index, skus)
        self.index = index

    def call(self, seq: int) -> int:
        from commerce.inventory.errors import InsufficientStock
        from commerce.orders import services
        from core.trace import bind_trace_id, new_trace_id, reset_trace_id

        data = services.OrderInput(
            channel=self.channel,
            external_id=f"S-{self.index}-{seq}",
            customer=services.CustomerInput(name="张伟", phone=f"139{(self.index * 7919 + seq) % 20000:08d}"),
            shipping_address=services.AddressInput(
                province=h.ADDRESS["province"],
                city=h.ADDRESS["city"],
                district=h.ADDRESS["district"],
                line=h.buyer_address(self.index * 7919 + seq)["line"],
            ),
            lines=[services.LineInput(sku=self.pick(seq), quantity=1)],
        )
        token = bind_trace_id(new_trace_id())  # as the API's middleware does for a request
        try:
            _order, created = services.order_create(data=data, actor=self.actor)
            return h.CREATED if created else h.DUPLICATE
        except InsufficientStock:
            return h.CONFLICT
        except Exception as exc:  # a benchmark reports failures instead of stopping
            self.error = f"{type(exc).__name__}: {exc}"
            return h.FAILED
        finally:
            reset_trace_id(token)

    def close(self) -> None:
        from django.db import connection

        connection.close()


def api_body_maker(*, index: int, channel: str, skus: list[str]):
    pick = sku_picker(index, skus)

    def body_for(seq: int) -> dict:
        return {
            "channel": channel,
            "external_id": f"A-{index}-{seq}",
            "customer": {"name": "张伟", "phone": f"139{(index * 7919 + seq) % 20000:08d}"},
            "shipping_address": h.buyer_address(index * 7919 + seq),
            "lines": [{"sku": pick(seq), "quantity": 1}],
        }

    return body_for


class SameWritesClient(PsycopgClient):
    """What ``order_create`` writes for a one-line order, sent by psycopg alone: for comparison only.

    ``bench.same_writes.OrderWrites`` — the service's statements, rows and values, bound as the
    project binds them — on a psycopg connection of this client's own. The products' read comes
    first, outside the transaction, as in the service.
    """

    def __init__(self, *, db_url: str, channel_code: str, index: int, skus: list[str]):
        import psycopg
        from django.conf import settings
        from django.db import connection

        from bench.same_writes import OrderWrites, ShortStock
        from commerce.channels.models import Channel

        options = settings.DATABASES["default"].get("OPTIONS", {})
        server_side = options.get("server_side_binding") is True
        # The project's binding: psycopg's server-side cursor with the project's prepare_threshold,
        # or (Django's default) a client-side one, as Django's own cursors are.
        super().__init__(db_url, prepare_threshold=options.get("prepare_threshold"))
        self.writes = OrderWrites(Channel.objects.get(code=channel_code))
        connection.close()
        self.short_stock = ShortStock
        self.cur = self.conn.cursor() if server_side else psycopg.ClientCursor(self.conn)
        self.pick = sku_picker(index, skus)
        self.index = index

    def call(self, seq: int) -> int:
        sku = self.pick(seq)

        def place():
            try:
                self.writes.place(
                    self.cur,
                    self.conn.transaction,
                    external_id=f"W-{self.index}-{seq}",
                    number=f"OF{self.index:04d}{seq:012d}",
                    phone=f"139{(self.index * 7919 + seq) % 20000:08d}",
                    skus=[sku],
                )
            except self.short_stock:
                raise self.psycopg.Rollback() from None

        try:
            self.writes.products(self.cur, [sku])
        except self.psycopg.Error as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return h.FAILED
        return self.outcome(place)


def stock_check(*, path: str, skus: list[str], successes: int) -> dict:
    """Oversell and bookkeeping after a case: every figure here must come out clean."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE reserved > on_hand OR reserved < 0), "
            "COALESCE(sum(GREATEST(reserved - on_hand, 0)), 0), COALESCE(sum(reserved), 0), "
            "COALESCE(min(on_hand - reserved), 0) FROM inventory_stockitem WHERE sku = ANY(%s)",
            [skus],
        )
        rows_over, units_over, reserved, min_available = cur.fetchone()
        cur.execute("SELECT COALESCE(sum(quantity), 0) FROM inventory_stockmovement WHERE kind = 'reserve'")
        (ledger,) = cur.fetchone()
        cur.execute("SELECT COALESCE(sum(quantity), 0) FROM inventory_reservation WHERE state = 'active'")
        (reservations,) = cur.fetchone()
        cur.execute("SELECT count(*) FROM orders_order")
        (orders,) = cur.fetchone()
        # Per row: what the counter says against what the ledger says.
        cur.execute(
            "SELECT count(*) FROM inventory_stockitem s LEFT JOIN ("
            "  SELECT stock_item_id, sum(quantity) AS q FROM inventory_stockmovement WHERE kind = 'reserve'"
            "  GROUP BY stock_item_id) m ON m.stock_item_id = s.id "
            "WHERE s.reserved <> COALESCE(m.q, 0)"
        )
        (rows_off_ledger,) = cur.fetchone()
    expected = {"reserved": successes, "ledger": successes}
    if path != "baseline":
        expected.update(reservations=successes, orders=successes)
    actual = {"reserved": reserved, "ledger": ledger, "reservations": reservations, "orders": orders}
    mismatched = {k: (actual[k], v) for k, v in expected.items() if actual[k] != v}
    return {
        "oversold_units": units_over,
        "rows_over": rows_over,
        "min_available_end": min_available,
        "rows_off_ledger": rows_off_ledger,
        "mismatched": mismatched,
        "reserved": reserved,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    h.common_arguments(parser)
    parser.add_argument(
        "--hot-stock",
        type=int,
        default=10_000_000,
        help="units on hand of the hot SKU (default 10,000,000: ample, every request should succeed)",
    )
    parser.add_argument(
        "--paths",
        default="baseline,writes,service,api",
        help="which paths to run (default baseline,writes,service,api)",
    )
    parser.add_argument("--shapes", default="hot,1000", help="stock shapes to run: hot, 1000 (default both)")
    args = parser.parse_args(argv)
    counts = h.client_counts(args.clients)
    paths = [p for p in ("baseline", "writes", "service", "api") if p in args.paths.split(",")]
    shapes = [s for s in ("hot", "1000") if s in args.shapes.split(",")]

    machine = h.machine_description(args.pg_url)
    h.print_machine(machine)
    wide = [f"SKU-{i:04d}" for i in range(1000)]
    rows: list[dict] = []
    with h.redis_queue(args) as queue, h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        print(
            f"# reserve: 1 line × 1 unit per order · hot SKU on hand {args.hot_stock:,} · 1,000 SKUs × 1,000,000 · "
            f"{args.server_procs} {os.environ.get('BENCH_WEB_SERVER', 'gunicorn')} processes (db connections: {args.db_conn}, binding: {args.pg_binding}; "
            f"queue and wake-up: {queue}) · clients over {args.client_procs} processes · "
            f"{args.warmup:g}s warm-up + {args.duration:g}s"
        )
        h.django_setup(db_url, pg_binding=args.pg_binding)
        seeded = h.seed(stock={HOT_SKU: args.hot_stock, **dict.fromkeys(wide, 1_000_000)})
        from commerce.inventory.models import StockItem

        stock_ids = dict(StockItem.objects.values_list("sku", "id"))
        with h.WebServers(db_url=db_url, procs=args.server_procs, db_conn=args.db_conn) as servers:
            for shape in shapes:
                skus = [HOT_SKU] if shape == "hot" else wide
                for clients in counts:
                    baseline_rate = baseline_cpu = None
                    for path in paths:
                        h.reset_orders()
                        h.wait_for_quiet(args.quiet_wait)
                        factory = _factory(path, db_url=db_url, skus=skus, stock_ids=stock_ids, seeded=seeded)
                        if path == "api":
                            ports = servers.ports

                            def factory(index, total, skus=skus, ports=ports):
                                return h.HttpClient(
                                    port=ports[index % len(ports)],
                                    path="/api/v1/orders/",
                                    token=seeded.token,
                                    body_for=api_body_maker(index=index, channel=seeded.channel_code, skus=skus),
                                )

                        result = h.run_load(
                            label=path,
                            factory=factory,
                            clients=clients,
                            duration=args.duration,
                            warmup=args.warmup,
                            client_procs=args.client_procs,
                            app_pids=servers.pids if path == "api" else None,
                            db_url=db_url,
                            watch_skus=skus,
                        )
                        check = stock_check(path=path, skus=skus, successes=result.totals[h.CREATED])
                        if path == "baseline":
                            baseline_rate, baseline_cpu = result.rate, result.work_cpu_ms
                        row = result.as_dict()
                        row.update(check)
                        row["shape"] = "1 hot SKU" if shape == "hot" else "1,000 SKUs"
                        row["conflicts_per_s"] = result.counts[h.CONFLICT] / result.window_s
                        row["failed"] = result.completed - result.ok - result.counts[h.CONFLICT]
                        row["ratio"] = result.rate / baseline_rate if baseline_rate else float("nan")
                        row["cpu_ratio"] = baseline_cpu / result.work_cpu_ms if baseline_rate else float("nan")
                        row["oversold"] = check["oversold_units"] + (
                            1 if result.min_available is not None and result.min_available < 0 else 0
                        )
                        row["books"] = "ok" if not check["mismatched"] and not check["rows_off_ledger"] else "MISMATCH"
                        rows.append(row)
                        print(
                            f"#   {row['shape']:<10} {clients:>3} clients {path:<8}: {row['per_s']:>8,.1f}/s "
                            f"p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms · 409 {result.counts[h.CONFLICT]} "
                            f"· oversold {row['oversold']} · books {row['books']} {check['mismatched'] or ''}"
                            + (f" · errors: {result.errors[0]}" if result.errors else "")
                        )

    h.print_table(
        "Reservations on PostgreSQL: successful reservations per second in the measured window",
        rows,
        [
            ("shape", "stock"),
            ("clients", "clients"),
            ("label", "path"),
            ("per_s", "reserved/s"),
            ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"),
            ("conflicts_per_s", "409/s"),
            ("failed", "errors"),
            ("ratio", "÷ baseline"),
            ("work_cpu_ms_per_req", "CPU ms/op"),
            ("cpu_ratio", "÷ baseline (CPU)"),
            ("app_cpu_ms_per_req", "app CPU"),
            ("pg_cpu_ms_per_req", "PG CPU"),
            ("client_cpu_ms_per_req", "loadgen CPU"),
            ("other_cores", "other load"),
            ("oversold", "oversold"),
            ("min_available", "min avail seen"),
            ("books", "books"),
        ],
    )
    print()
    print("CPU ms/op = app CPU + PG CPU per completed operation in the measured window. app: the psycopg client")
    print(
        "processes (baseline, writes), the client processes running order_create (service) or the web server (api); PG:"
    )
    print("this database's backends, WAL writer, checkpointer, bgwriter; loadgen: the HTTP clients (api only).")
    print("÷ baseline (CPU) compares that cost; it moves less than the rates when other programs share the machine.")
    print("oversold: units with reserved > on_hand after the case, plus 1 if any sample saw available < 0.")
    print("books: reserved = ledger = active reservations = orders = successful answers, per row and in total.")
    print("other load: CPU used meanwhile by processes outside the benchmark, in cores (of nproc); near 0 is clean.")
    print()
    for row in rows:
        if row["label"] == "service" and row["shape"] == "1,000 SKUs":
            met = row["ratio"] >= TARGET_RATIO
            print(
                f"service ÷ baseline, 1,000 SKUs, {row['clients']} clients: {h.ratio_text(row['ratio'])} "
                f"(target ≥ {TARGET_RATIO}: {'met' if met else 'NOT met'}); "
                f"by CPU cost {h.ratio_text(row['cpu_ratio'])}"
            )
    for row in rows:
        if row["label"] == "api":
            print(
                f"api ÷ baseline, {row['shape']}, {row['clients']} clients: {h.ratio_text(row['ratio'])}; "
                f"by CPU cost {h.ratio_text(row['cpu_ratio'])}"
            )
    same_writes = {(row["shape"], row["clients"]): row for row in rows if row["label"] == "writes"}
    for row in rows:
        writes = same_writes.get((row["shape"], row["clients"]))
        if row["label"] in ("service", "api") and writes and writes["per_s"] and row["work_cpu_ms_per_req"]:
            print(
                f"{row['label']} ÷ the same writes by psycopg alone (no target), {row['shape']}, {row['clients']} "
                f"clients: {h.ratio_text(row['per_s'] / writes['per_s'])}; "
                f"by CPU cost {h.ratio_text(writes['work_cpu_ms_per_req'] / row['work_cpu_ms_per_req'])}"
            )
    oversold = sum(row["oversold"] for row in rows)
    print(f"oversell across all cases: {oversold} (must be 0)")
    results_rows = []
    for row in rows:
        writes = same_writes.get((row["shape"], row["clients"]))
        results_rows.append(
            [
                row["shape"],
                str(row["clients"]),
                row["label"],
                h.fmt(row["per_s"]),
                f"{h.fmt(row['p50_ms'])} / {h.fmt(row['p99_ms'])}",
                h.ratio_text(row["ratio"]),
                h.ratio_text(row["per_s"] / writes["per_s"]) if writes and writes["per_s"] else "–",
                f"**{row['oversold']}**",
                row["books"],
                h.fmt(row["stolen_pct"]),
                h.fmt(row["other_cores"], ".2f"),
            ]
        )
    h.results_publish(
        args,
        benchmark="reserve",
        machine=machine,
        header=[
            "stock",
            "clients",
            "path",
            "reserved/s",
            "p50 / p99 ms",
            "÷ baseline",
            "÷ same writes",
            "oversold",
            "books",
            "stolen %",
            "other load (cores)",
        ],
        rows=results_rows,
    )
    h.write_json(args.json, {"benchmark": "reserve", "machine": machine, "args": vars(args), "rows": rows})
    return 1 if oversold or any(row["books"] != "ok" for row in rows) else 0


def _factory(path: str, *, db_url: str, skus: list[str], stock_ids: dict[str, int], seeded: h.Seed):
    if path == "baseline":
        return lambda index, total: SqlBaselineClient(db_url=db_url, index=index, skus=skus, stock_ids=stock_ids)
    if path == "writes":
        return lambda index, total: SameWritesClient(
            db_url=db_url, channel_code=seeded.channel_code, index=index, skus=skus
        )
    return lambda index, total: ServiceClient(channel_code=seeded.channel_code, index=index, skus=skus)


if __name__ == "__main__":
    sys.exit(main())
