"""Verified webhook deliveries per second, end to end, beside the API's order create in the same run.

    .venv/bin/python bench/ingest.py [--duration 10] [--clients 8,32] [--lines 2] ...

Both cases run on the same web server processes (gunicorn; ``bench.settings``) against a
throwaway PostgreSQL database, with the same orders (2 lines over 1,000 SKUs, ample stock):

- the API, ``POST /api/v1/orders/``: token auth, validation, ``order_place``;
- the webhook, ``POST /hooks/shopify/<connection id>/``: a Shopify ``orders/create`` delivery
  with its ``X-Shopify-*`` headers and a real HMAC-SHA256 over the body — the size check, the
  connection's sealed secret revealed, the signature verified, the body parsed and mapped, the
  delivery stored under its unique dedup key, then the order created with its reservation, audit
  entry and outbox event through ``order_ingest``, and the delivery's outcome recorded.

Every delivery carries a new event id (no duplicates: a duplicate costs less than a create).
After each webhook window the stored deliveries are counted by outcome: every acknowledged
delivery must be ``processed``. Target: webhook ÷ API ≥ 0.8.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness as h  # noqa: E402
from bench.order_ingest import order_body_maker  # noqa: E402

TARGET_RATIO = 0.8
CHANNEL = "shopify"
SHOP = "orderflow-bench.myshopify.com"
SECRET = "bench-shopify-client-secret"


def shopify_order(*, index: int, seq: int, skus: list[str], lines: int) -> dict:
    rng = random.Random(index * 1_000_003 + seq)
    now = datetime.now(UTC).isoformat()
    return {
        "id": index * 10_000_000 + seq,
        "name": f"#{seq}",
        "email": "buyer@example.com",
        "created_at": now,
        "updated_at": now,
        "currency": "CNY",
        "financial_status": "pending",  # pending_payment, as the API creates: the same domain work
        "fulfillment_status": None,
        "total_price": f"{99 * lines}.00",
        "total_discounts": "0.00",
        "line_items": [
            {"id": n, "sku": sku, "quantity": 1, "price": "99.00", "title": sku}
            for n, sku in enumerate(rng.sample(skus, lines))
        ],
        "shipping_address": {
            "name": "张伟",
            "phone": f"139{(index * 7919 + seq) % 20000:08d}",
            "province": "浙江省",
            "city": "杭州市",
            "address1": f"西湖区文三路 100 号 {chr(0x4E00 + (index * 7919 + seq) % 20000)}苑",
            "zip": "310000",
        },
        "shipping_lines": [{"price": "0.00", "title": "包邮"}],
    }


class WebhookClient(h.Client):
    """A keep-alive connection delivering signed Shopify ``orders/create`` webhooks."""

    def __init__(self, *, port: int, path: str, index: int, skus: list[str], lines: int):
        self.port, self.path, self.index, self.skus, self.lines = port, path, index, skus, lines
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, seq: int) -> int:
        body = json.dumps(shopify_order(index=self.index, seq=seq, skus=self.skus, lines=self.lines)).encode()
        digest = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": digest,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-API-Version": "2024-07",
            "X-Shopify-Webhook-Id": f"w-{self.index}-{seq}",
            "X-Shopify-Event-Id": f"e-{self.index}-{seq}",
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }
        try:
            self.conn.request("POST", self.path, body, headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.error = f"{type(exc).__name__}: {exc}"
            return h.FAILED
        if response.status != 200:
            self.error = f"HTTP {response.status}: {content[:300]!r}"
            return response.status
        return h.CREATED  # acknowledged; the outcomes are checked in the database after the window

    def close(self) -> None:
        self.conn.close()


def connection_create() -> int:
    from connectors.services.connections import ConnectionInput
    from connectors.services.connections import connection_create as create

    credentials = {"shop_domain": SHOP, "access_token": "shpat_bench", "client_secret": SECRET}
    connection = create(data=ConnectionInput(connector="shopify", name="bench", credentials=credentials, settings={}))
    return connection.pk


def deliveries_reset() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE connectors_webhookdelivery RESTART IDENTITY")
    connection.close()


def delivery_outcomes() -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count

    from connectors.models import WebhookDelivery

    counted = dict(WebhookDelivery.objects.values_list("outcome").annotate(n=Count("id")).order_by())
    connection.close()
    return counted


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
        server = os.environ.get("BENCH_WEB_SERVER", "gunicorn")
        print(
            f"# ingest: {args.lines} line(s) per order over {args.skus} SKUs · {args.server_procs} {server} processes "
            f"(queue: {queue}) · {args.warmup:g}s warm-up + {args.duration:g}s"
        )
        h.django_setup(db_url, pg_binding=args.pg_binding)
        seeded = h.seed(stock=dict.fromkeys(skus, 10_000_000), channel_code=CHANNEL)
        hook = f"/hooks/shopify/{connection_create()}/"
        with h.WebServers(db_url=db_url, procs=args.server_procs, db_conn=args.db_conn) as servers:
            for clients in counts:
                api = None
                for case, label in (("api", "POST /api/v1/orders/"), ("webhook", "Shopify webhook")):
                    h.reset_orders()
                    deliveries_reset()
                    h.wait_for_quiet(args.quiet_wait)

                    def factory(index, total, case=case):
                        port = servers.ports[index % len(servers.ports)]
                        if case == "api":
                            return h.HttpClient(
                                port=port,
                                path="/api/v1/orders/",
                                token=seeded.token,
                                body_for=order_body_maker(
                                    case=case, index=index, channel=CHANNEL, skus=skus, lines=args.lines
                                ),
                            )
                        return WebhookClient(port=port, path=hook, index=index, skus=skus, lines=args.lines)

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
                    if case == "api":
                        api = result
                        row["outcomes"] = "–"
                    else:
                        outcomes = delivery_outcomes()
                        row["outcomes"] = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
                        row["unprocessed"] = sum(v for k, v in outcomes.items() if k != "processed")
                    row["ratio"] = result.rate / api.rate if api and api.rate else float("nan")
                    row["cpu_ratio"] = api.work_cpu_ms / result.work_cpu_ms if api else float("nan")
                    rows.append(row)
                    print(
                        f"#   {label:<22} {clients:>3} clients: {row['per_s']:>8,.1f}/s "
                        f"p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms"
                        + (f" · errors: {result.errors[0]}" if result.errors else "")
                    )

    h.print_table(
        "Orders in over HTTP (PostgreSQL): acknowledged per second in the measured window",
        rows,
        [
            ("label", "case"),
            ("clients", "clients"),
            ("per_s", "orders/s"),
            ("p50_ms", "p50 ms"),
            ("p99_ms", "p99 ms"),
            ("ratio", "÷ API"),
            ("work_cpu_ms_per_req", "CPU ms/req"),
            ("cpu_ratio", "÷ API (CPU)"),
            ("outcomes", "deliveries stored"),
            ("other_cores", "other load (cores)"),
        ],
    )
    print()
    results_rows = []
    for row in rows:
        if row["case"] != "webhook":
            continue
        api = next(r for r in rows if r["case"] == "api" and r["clients"] == row["clients"])
        met = row["ratio"] >= TARGET_RATIO
        print(
            f"webhook ÷ API order create at {row['clients']} clients: {h.ratio_text(row['ratio'])} "
            f"(target ≥ {TARGET_RATIO}: {'met' if met else 'NOT met'}); by CPU cost {h.ratio_text(row['cpu_ratio'])}; "
            f"deliveries not processed: {row['unprocessed']}"
        )
        results_rows.append(
            [
                str(row["clients"]),
                h.fmt(row["per_s"]),
                f"{h.fmt(row['p50_ms'])} / {h.fmt(row['p99_ms'])}",
                h.fmt(api["per_s"]),
                f"{h.fmt(api['p50_ms'])} / {h.fmt(api['p99_ms'])}",
                f"**{h.ratio_text(row['ratio'])}** ({h.ratio_text(row['cpu_ratio'])})",
                str(row["unprocessed"]),
                f"{h.fmt(api['stolen_pct'])} / {h.fmt(row['stolen_pct'])}",
                f"{h.fmt(api['other_cores'], '.2f')} / {h.fmt(row['other_cores'], '.2f')}",
            ]
        )
    h.results_publish(
        args,
        benchmark="ingest",
        machine=machine,
        header=[
            "senders",
            "webhook deliveries/s",
            "p50 / p99 ms",
            "API orders/s",
            "API p50 / p99 ms",
            "webhook ÷ API (CPU)",
            "not processed",
            "stolen % (API / webhook)",
            "other load, cores (API / webhook)",
        ],
        rows=results_rows,
    )
    h.write_json(args.json, {"benchmark": "ingest", "machine": machine, "args": vars(args), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
