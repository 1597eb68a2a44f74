"""The KPI endpoint and a filtered order-board page over a million orders, beside ``SELECT count(*)``.

    .venv/bin/python bench/kpis.py [--orders 1000000] [--samples 200] [--write-results] ...

On a throwaway PostgreSQL database (``bench.harness``): orders generated with ``COPY`` (one line
each, over ``--days`` days and ``--channels`` channels, statuses, payment and shipping times, sync
lags and holds drawn from fixed shares, with a progress bar), then the KPI rollups rebuilt from
them (``insights.kpis.rollups.kpi_rollups_rebuild``, timed, with a progress bar), then, one request
at a time through Django's full request handler (the test client: middleware, token
authentication, role check, DRF, the view and its queries — no socket):

- ``GET /api/v1/kpis/`` over the last 7 days (the dashboard's default) and over 90 days of one channel;
- ``GET /api/v1/orders/?status=paid&channel=<code>&created_after=<30 days ago>``, the first page;
- the baseline, taken in the same run: ``SELECT count(*) FROM orders_order`` on the same connection.

Each prints p50 and p95 over ``--samples`` requests after a warm-up. Target: p95 under 150 ms for
the KPI endpoint and the board page, and within 2 × the count's p95.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness as h  # noqa: E402

TARGET_MS = 150.0
TARGET_RATIO = 2.0
PROVINCES = ("浙江省", "江苏省", "广东省", "上海市", "北京市", "四川省", "湖北省", "山东省")
# (status, share): the mix of a shop some months old.
STATUS_MIX = (
    ("pending_payment", 0.04),
    ("paid", 0.08),
    ("processing", 0.05),
    ("shipped", 0.18),
    ("delivered", 0.10),
    ("completed", 0.45),
    ("cancelled", 0.08),
    ("closed", 0.02),
)
PAID_OR_LATER = {"paid", "processing", "shipped", "delivered", "completed"}
SHIPPED_OR_LATER = {"shipped", "delivered", "completed"}


class Progress:
    """A one-line progress bar on stdout: ``label [#####.....] 42% 420,000/1,000,000``."""

    def __init__(self, label: str, total: int, width: int = 30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.started = time.monotonic()
        self.shown = -1

    def update(self, done: int) -> None:
        percent = 100 * done // self.total
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * done // self.total
        elapsed = time.monotonic() - self.started
        print(
            f"\r{self.label:<18} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% "
            f"{done:,}/{self.total:,} {elapsed:5.1f}s",
            end="",
            flush=True,
        )
        if done >= self.total:
            print(flush=True)


def generate(db_url: str, *, orders: int, channels: list[tuple[int, str]], days: int, now: datetime) -> dict:
    """Customers, orders and one line per order, with ``COPY``; answers what it made."""
    import psycopg

    rng = random.Random(20261206)
    statuses = [s for s, _share in STATUS_MIX]
    weights = [share for _s, share in STATUS_MIX]
    customers = max(1, min(orders // 20, 100_000))
    start = now - timedelta(days=days)
    span = (now - start).total_seconds()
    copied = {"customers": customers, "orders": orders}
    with psycopg.connect(db_url) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY customers_customer (name, phone, email, tags, credit_level, created_at) FROM STDIN"
            ) as copy:
                for n in range(customers):
                    copy.write_row((f"顾客{n}", f"139{n:08d}", "", "[]", 3, start))
            cur.execute("SELECT min(id) FROM customers_customer")
            first_customer = cur.fetchone()[0]
            bar = Progress("COPY orders", orders)
            columns = (
                "number, channel_id, external_id, status, status_changed_at, customer_id, currency, goods_amount, "
                "shipping_amount, discount_amount, total_amount, ship_to_name, ship_to_phone, province, city, "
                "district, address_line, postcode, placed_at, paid_at, channel_updated_at, channel_lag_seconds, "
                "shipped_at, on_hold, hold_reason, cancel_reason, device, buyer_account, buyer_remark, created_at, "
                "updated_at"
            )
            with cur.copy(f"COPY orders_order ({columns}) FROM STDIN") as copy:
                for n in range(orders):
                    channel_id, _code = channels[n % len(channels)]
                    placed = start + timedelta(seconds=span * n / orders)
                    status = rng.choices(statuses, weights)[0]
                    lag = rng.choice((3, 8, 20, 45, 90, 600)) if rng.random() < 0.5 else None
                    received = placed + timedelta(seconds=lag or 1)
                    paid = placed + timedelta(minutes=rng.randint(1, 30)) if status in PAID_OR_LATER else None
                    shipped = (
                        paid + timedelta(hours=rng.randint(2, 60)) if status in SHIPPED_OR_LATER and paid else None
                    )
                    if paid is not None and paid > now:  # nothing has happened in the future: not paid yet
                        status, paid, shipped = "pending_payment", None, None
                    if shipped is not None and shipped > now:
                        status, shipped = "processing", None
                    changed = shipped or paid or received
                    total = f"{rng.randint(20, 2000)}.00"
                    customer = first_customer + n % customers
                    held = rng.random() < 0.01
                    copy.write_row(
                        (
                            f"OF{n:012d}",
                            channel_id,
                            f"X{n}",
                            status,
                            changed,
                            customer,
                            "CNY",
                            total,
                            "0",
                            "0",
                            total,
                            f"顾客{customer}",
                            f"139{customer:08d}",
                            PROVINCES[n % len(PROVINCES)],
                            "某市",
                            "",
                            "某路 1 号",
                            "",
                            placed,
                            paid,
                            placed if lag is not None else None,
                            lag,
                            shipped,
                            held,
                            "check" if held else "",
                            "buyer asked" if status == "cancelled" else "",
                            "",
                            "",
                            "",
                            received,
                            changed,
                        )
                    )
                    if n % 5000 == 0:
                        bar.update(n)
                bar.update(orders)
            cur.execute("SELECT min(id) FROM orders_order")
            first_order = cur.fetchone()[0]
            bar = Progress("COPY order lines", orders)
            with cur.copy(
                "COPY orders_orderline (order_id, position, sku, title, quantity, unit_price, line_total) FROM STDIN"
            ) as copy:
                for n in range(orders):
                    sku = f"SKU-{n % 200:04d}"
                    copy.write_row((first_order + n, 0, sku, f"商品 {sku}", 1, "99.00", "99.00"))
                    if n % 5000 == 0:
                        bar.update(n)
                bar.update(orders)
        conn.commit()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE orders_order")
        conn.execute("VACUUM ANALYZE orders_orderline")
        conn.execute("VACUUM ANALYZE customers_customer")
    return copied


def timed(call, samples: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders to generate (default 1,000,000)")
    parser.add_argument("--channels", type=int, default=5, help="sales channels (default 5)")
    parser.add_argument("--days", type=int, default=180, help="the orders are placed over this many days (default 180)")
    parser.add_argument("--samples", type=int, default=200, help="measured requests per case (default 200)")
    parser.add_argument(
        "--warmup-requests", type=int, default=10, help="unmeasured requests before each case (default 10)"
    )
    parser.add_argument("--quiet-wait", type=float, default=30.0, help="wait up to this long for other load to drop")
    parser.add_argument("--pg-url", default=h.DEFAULT_PG_URL, help="a PostgreSQL URL whose server may CREATE DATABASE")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the benchmark database at the end")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    h.results_arguments(parser)
    # ``make bench`` passes one BENCH_ARGS to every benchmark: the options of the load benchmarks
    # (--duration, --clients, --warmup seconds, …) mean nothing here and are said to be ignored.
    args, ignored = parser.parse_known_args(argv)
    if ignored:
        print(f"# kpis.py ignores {' '.join(ignored)} (options of the load benchmarks)")

    machine = h.machine_description(args.pg_url)
    h.print_machine(machine)
    rows: list[dict] = []
    with h.throwaway_database(args.pg_url, keep=args.keep_db) as db_url:
        os.environ.pop("REDIS_URL", None)
        h.django_setup(db_url)
        from django.contrib.auth.models import Group, User
        from django.db import connection
        from django.test import Client
        from rest_framework.authtoken.models import Token

        from commerce.channels.models import Channel
        from insights.kpis.rollups import kpi_rollups_rebuild

        channels = [
            Channel.objects.create(code=f"shop{n}", name=f"店铺{n}", kind=Channel.MARKETPLACE)
            for n in range(args.channels)
        ]
        user = User.objects.create_user(username="bench-manager", password="bench-manager-password")
        user.groups.add(Group.objects.get(name="manager"))
        token = Token.objects.create(user=user).key
        now = datetime.now(UTC)
        print(f"# {args.orders:,} orders over {args.days} days and {args.channels} channels, one line each")
        started = time.monotonic()
        generate(db_url, orders=args.orders, channels=[(c.pk, c.code) for c in channels], days=args.days, now=now)
        generated_s = time.monotonic() - started

        bars: dict[str, Progress] = {}

        def progress(kind: str, done: int, total: int) -> None:
            bars.setdefault(kind, Progress(f"rollups: {kind}s", total)).update(done)

        started = time.monotonic()
        result = kpi_rollups_rebuild(progress=progress)
        rollup_s = time.monotonic() - started
        print(f"# generated in {generated_s:.0f}s; rollups rebuilt in {rollup_s:.0f}s ({result.changed:,} facts)")
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE insights_kpis_kpifact")
            cur.execute("VACUUM ANALYZE insights_kpis_kpihourly")
            cur.execute("VACUUM ANALYZE insights_kpis_kpibacklog")

        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        code = channels[0].code
        after = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        today = now.date()
        cases = [
            ("SELECT count(*) FROM orders_order", None),
            ("GET /api/v1/kpis/ (7 days)", "/api/v1/kpis/"),
            (
                "GET /api/v1/kpis/ (90 days, 1 channel)",
                f"/api/v1/kpis/?from={today - timedelta(days=89)}&to={today}&channel={code}",
            ),
            ("GET /api/v1/orders/ (board page)", f"/api/v1/orders/?status=paid&channel={code}&created_after={after}"),
        ]

        def count() -> None:
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM orders_order")
                cur.fetchone()

        baseline_p95 = None
        for label, path in cases:
            if path is None:
                call = count
            else:
                first = client.get(path)
                assert first.status_code == 200, (path, first.status_code, first.content[:300])

                def call(path=path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200

            h.wait_for_quiet(args.quiet_wait)
            durations = timed(call, args.samples, args.warmup_requests)
            p50, p95 = statistics.median(durations), percentile(durations, 95)
            if baseline_p95 is None:
                baseline_p95 = p95
            row = {
                "label": label,
                "p50_ms": p50,
                "p95_ms": p95,
                "ratio": p95 / baseline_p95,
                "target": "baseline"
                if path is None
                else ("met" if p95 < TARGET_MS and p95 <= TARGET_RATIO * baseline_p95 else "MISSED"),
            }
            rows.append(row)
            print(f"#   {label:<42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ÷ count {row['ratio']:.2f}")

    h.print_table(
        f"KPI endpoint and board page over {args.orders:,} orders (PostgreSQL, one request at a time, "
        f"{args.samples} samples after {args.warmup_requests} warm-up)",
        rows,
        [
            ("label", "case"),
            ("p50_ms", "p50 ms"),
            ("p95_ms", "p95 ms"),
            ("ratio", "p95 ÷ count p95"),
            ("target", "target"),
        ],
    )
    print()
    print(
        f"Target: p95 < {TARGET_MS:.0f} ms and ≤ {TARGET_RATIO:.0f} × the count's p95, for the KPI endpoint and the board page."
    )
    print(f"Generation (COPY) {generated_s:.0f}s; rollup rebuild {rollup_s:.0f}s.")
    met = all(row["target"] != "MISSED" for row in rows)
    print("All targets met." if met else "Some target MISSED.")
    h.results_publish(
        args,
        benchmark="kpis",
        machine=machine,
        header=["orders", "case", "p50 ms", "p95 ms", "p95 ÷ count p95", "target"],
        rows=[
            [
                f"{args.orders:,}",
                row["label"],
                h.fmt(row["p50_ms"], ",.1f"),
                h.fmt(row["p95_ms"], ",.1f"),
                f"{row['ratio']:.2f}",
                row["target"],
            ]
            for row in rows
        ],
    )
    h.write_json(args.json, {"machine": machine, "rows": rows, "generated_s": generated_s, "rollup_s": rollup_s})
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
