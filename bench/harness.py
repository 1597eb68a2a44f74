"""The shared benchmark harness.

- ``throwaway_database``: a fresh PostgreSQL database for one run, dropped at the end;
- ``django_setup`` / ``seed`` / ``reset_orders``: migrate it under ``bench.settings`` and fill it;
- ``WebServers``: N web server processes on N ports with ``bench.settings``, so the baseline view
  and the real API share one server configuration: gunicorn serving ``orderflow.wsgi`` (as
  ``make run`` does), or with ``BENCH_WEB_SERVER=daphne`` daphne serving ``orderflow.asgi``;
- ``run_load``: closed-loop clients (threads spread over a few processes, one connection each),
  a warm-up that is not measured, then a measured window: throughput, p50/p99 latency, status
  counts and the CPU each side used per request;
- ``print_table``: the figures as an aligned table;
- ``results_publish``: the run's rows of its table in ``bench/RESULTS.md``, printed, and with
  ``--write-results`` put in place of that table's rows with the same ``--results-label``.

Clients and server share the machine, so every result also says how much CPU the load
generator itself took.
"""

from __future__ import annotations

import abc
import argparse
import contextlib
import http.client
import importlib.util
import json
import math
import multiprocessing as mp
import os
import platform
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SETTINGS_MODULE = "bench.settings"
RESULTS = REPO / "bench" / "RESULTS.md"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The shipping address of every benchmark order.
ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "line": "文三路 90 号", "postcode": "310012"}


def buyer_address(buyer: int) -> dict:
    """``ADDRESS`` with a building of the buyer's own (one CJK name per buyer, up to 20,000): real
    buyers live apart, and 20,000 accounts at one address is what the risk rules hold for review."""
    return {**ADDRESS, "line": f"{ADDRESS['line']} {chr(0x4E00 + buyer % 20000)}苑"}


# Client-side outcome codes: HTTP statuses, and the same numbers for in-process calls.
CREATED, DUPLICATE, CONFLICT, FAILED = 201, 200, 409, 599


# --- command line ---------------------------------------------------------------------------


def common_arguments(parser: argparse.ArgumentParser, *, server: bool = True) -> None:
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per case (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each case (default 2)")
    parser.add_argument("--clients", default="8,32", help="comma-separated concurrent client counts (default 8,32)")
    parser.add_argument(
        "--client-procs",
        type=int,
        default=2,
        help="processes the client threads are spread over, so one GIL does not cap the load (default 2)",
    )
    if server:
        parser.add_argument(
            "--server-procs",
            type=int,
            default=4,
            help="web server processes, one port each; clients are spread over them round-robin (default 4)",
        )
        parser.add_argument(
            "--pg-binding",
            choices=("project", "client"),
            default="project",
            help="prepared statements: project = as the project runs (the database OPTIONS of "
            "orderflow/settings.py); client = what-if, nothing prepared (default project)",
        )
        parser.add_argument(
            "--redis-url",
            default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            help="Redis for the queue and the runtime's wake-up, as production runs (default: $REDIS_URL "
            "or the local server); each run uses a queue of its own",
        )
        parser.add_argument(
            "--no-redis",
            action="store_true",
            help="run as the embedded default does: the queue and the wake-up in the database",
        )
        parser.add_argument(
            "--db-conn",
            choices=("pool", "per-request", "project"),
            default="pool",
            help="how the server processes hold database connections; see bench/settings.py (default pool)",
        )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="before each case, wait up to this many seconds for other load on the machine to drop "
        "below 0.3 cores (default 30; 0 skips the check)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL URL whose server may CREATE DATABASE")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the benchmark database at the end")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    results_arguments(parser)


def results_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--write-results",
        nargs="?",
        const=str(RESULTS),
        metavar="PATH",
        help=f"replace this run's rows (same --results-label) in the benchmark's table of PATH "
        f"(default {RESULTS.relative_to(REPO)}); without it the rows are only printed",
    )
    parser.add_argument(
        "--results-label",
        default="current",
        help="the first cell of this run's rows, e.g. before or after (default current)",
    )


def client_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or any(c < 1 for c in counts):
        raise SystemExit("--clients needs positive integers, e.g. 8,32")
    return counts


# --- machine --------------------------------------------------------------------------------


def machine_description(pg_url: str) -> dict:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
        pg_settings = dict(
            conn.execute(
                "SELECT name, current_setting(name) FROM pg_settings "
                "WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections')"
            ).fetchall()
        )
    mem_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "revision": code_revision(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "postgresql_settings": pg_settings,
        "loadavg_at_start": os.getloadavg(),
    }


def code_revision() -> str:
    """The commit measured, with ``+changes`` when commerce/ or orderflow/ differ from it in the work tree."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "commerce", "orderflow"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def print_machine(info: dict) -> None:
    print(
        f"# {info['date_utc']} · code {info['revision']} · nproc {info['nproc']} ({info['cpu']}) · "
        f"{info['memory_gib']} GiB · Python {info['python']} · PostgreSQL {info['postgresql']} "
        f"({', '.join(f'{k}={v}' for k, v in sorted(info['postgresql_settings'].items()))}) · "
        f"load avg at start {info['loadavg_at_start'][0]:.2f}"
    )


# --- database -------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@contextlib.contextmanager
def throwaway_database(pg_url: str, *, keep: bool = False) -> Iterator[str]:
    """Creates ``orderflow_bench_<pid>_<time>`` and yields its URL; drops it afterwards unless ``keep``."""
    import psycopg

    name = f"orderflow_bench_{os.getpid()}_{int(time.time())}"
    # A plain ``kill`` should still drop the database and stop the servers: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(pg_url, name)
    finally:
        if keep:
            print(f"# kept database {name}")
        else:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_queue(args: argparse.Namespace) -> Iterator[str]:
    """Points this process and the servers it starts at Redis (``REDIS_URL``) with a queue name of
    this run's own, unless ``--no-redis``; answers what it chose, and removes the run's keys after.
    Enter it before ``django_setup``: the settings read both at start."""
    if args.no_redis:
        os.environ.pop("REDIS_URL", None)
        yield "database (--no-redis)"
        return
    import redis

    client = redis.Redis.from_url(args.redis_url)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        raise SystemExit(f"Redis at {args.redis_url} does not answer ({exc}); start it or pass --no-redis") from None
    name = f"bench-{os.getpid()}-{int(time.time())}"
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["ORDERFLOW_Q_NAME"] = name
    try:
        yield f"Redis {args.redis_url}"
    finally:
        client.delete(f"django_q:{name}:q", f"orderflow:{name}:wakeup:dispatch")


def django_setup(db_url: str, *, pg_binding: str = "project") -> None:
    """Points Django at the benchmark database (``bench.settings``) and migrates it."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["BENCH_PG_BINDING"] = pg_binding  # the daphne servers inherit it
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


@dataclass(frozen=True)
class Seed:
    channel_code: str
    warehouse_code: str
    token: str
    username: str


def seed(*, stock: dict[str, int], channel_code: str = "bench") -> Seed:
    """One channel, one warehouse, a product and a stock row per SKU in ``stock`` (SKU → on hand),
    and an operator with an API token."""
    from decimal import Decimal

    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    from commerce.catalog.models import Product
    from commerce.channels.models import Channel
    from commerce.inventory.models import StockItem, Warehouse

    Channel.objects.create(code=channel_code, name="Bench shop", kind=Channel.MARKETPLACE)
    warehouse = Warehouse.objects.create(code="bench-wh", name="Bench warehouse", priority=1)
    Product.objects.bulk_create(
        [Product(sku=sku, title=f"商品 {sku}", price=Decimal("99.00"), weight_grams=500) for sku in stock]
    )
    StockItem.objects.bulk_create(
        [StockItem(sku=sku, warehouse=warehouse, on_hand=on_hand) for sku, on_hand in stock.items()]
    )
    user = User.objects.create_user(username="bench-operator", password="bench-operator-password")
    user.groups.add(Group.objects.get(name="operator"))
    token = Token.objects.create(user=user)
    return Seed(channel_code=channel_code, warehouse_code=warehouse.code, token=token.key, username=user.username)


ORDER_TABLES = (
    "inventory_reservation",
    "inventory_stockmovement",
    "orders_ordertag",
    "orders_orderline",
    "orders_order",
    "customers_customer",
    "audit_auditentry",
    "outbox_outboxevent",
    "bench_bareinsert_barerow",
)


def reset_orders() -> None:
    """Every case starts from the same state: no orders, nothing reserved, a fresh checkpoint.

    ``CASCADE`` also empties whatever newer tables point at orders (this is a throwaway database).
    """
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(ORDER_TABLES)} RESTART IDENTITY CASCADE")
        cur.execute("UPDATE inventory_stockitem SET reserved = 0, low_stock_alerted = false")
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")
    connection.close()


# --- CPU accounting -------------------------------------------------------------------------


def proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or ``None`` once it is gone.

    Indexes below: 1 ppid, 2 process group, 11/12 user/system ticks, 13/14 those of reaped children.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_group_pids(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (a server started in a session of its own, with its children)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = proc_stat(int(entry))
            if fields is not None and int(fields[2]) == pgid:
                pids.append(int(entry))
    return pids


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """user + system CPU seconds of each live pid (children not included)."""
    out = {}
    for pid in pids:
        fields = proc_stat(pid)
        if fields is not None:
            out[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def _cpu_fields() -> list[int]:
    """The machine's CPU counters since boot (``/proc/stat``, all cores), in clock ticks: user,
    nice, system, idle, iowait, irq, softirq, steal."""
    with open("/proc/stat") as stat:
        return [int(v) for v in stat.readline().split()[1:9]]


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot, to spot other load."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = _cpu_fields()
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def cpu_times() -> tuple[float, float]:
    """CPU seconds of all cores since boot, and the part of them the hypervisor gave to other
    machines (``steal``) — time this one wanted to run and could not."""
    fields = _cpu_fields()
    return sum(fields) / CLK_TCK, fields[7] / CLK_TCK


def stolen_percent(before: tuple[float, float], after: tuple[float, float]) -> float:
    """The share of CPU time stolen between two ``cpu_times()`` readings, in per cent. On a shared
    virtual machine the same code's figures move with it: a case run while a third of the time is
    stolen is not comparable with one run while none is."""
    total = after[0] - before[0]
    return 100.0 * (after[1] - before[1]) / total if total > 0 else 0.0


def wait_for_quiet(max_wait: float, *, threshold: float = 0.3, sample: float = 0.5) -> float:
    """Waits (up to ``max_wait`` seconds) until the machine is busy for less than ``threshold`` cores.

    Called between cases, when the benchmark itself is idle, so what it sees is other people's
    work. Returns the last busy figure; prints a note when it gives up waiting.
    """
    if max_wait <= 0:
        return 0.0
    deadline = time.monotonic() + max_wait
    while True:
        before = machine_busy_seconds()
        time.sleep(sample)
        busy = (machine_busy_seconds() - before) / sample
        if busy < threshold:
            return busy
        if time.monotonic() >= deadline:
            print(f"#   (machine still busy with other work: {busy:.2f} cores; running anyway)")
            return busy
        time.sleep(2)


def tree_cpu_seconds(pids: list[int]) -> float:
    """user + system CPU seconds of the live pids *and of the children they have reaped*.

    Take the difference of two readings. A process that exits in between (a django-q2 worker
    recycled after its tasks, a database backend whose client went away) keeps counting: its time
    moves into its parent's reaped-children figures, as long as the parent is among ``pids``.
    """
    total = 0.0
    for pid in pids:
        fields = proc_stat(pid)
        if fields is not None:
            total += sum(int(v) for v in fields[11:15]) / CLK_TCK
    return total


def postgres_tree_cpu_seconds(db_url: str) -> float:
    """``tree_cpu_seconds`` of the benchmark database's backends, the WAL writer, checkpointer and
    bgwriter, and the postmaster — which reaps every backend that exits (of any database: on a
    machine running only the benchmark, that is the benchmark's)."""
    pids = postgres_pids(db_url)
    backend = proc_stat(pids[0]) if pids else None
    postmaster = proc_stat(int(backend[1])) if backend is not None else None
    if postmaster is None:
        return tree_cpu_seconds(pids)
    reaped = (int(postmaster[13]) + int(postmaster[14])) / CLK_TCK
    return reaped + sum(cpu_seconds(pids).values())


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before[pid] for pid in after if pid in before)


def postgres_pids(db_url: str) -> list[int]:
    """Backends of the benchmark database plus the server's WAL writer, checkpointer and bgwriter."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "OR backend_type IN ('walwriter', 'checkpointer', 'background writer')"
        ).fetchall()
    return [r[0] for r in rows]


# --- servers --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebServers:
    """``procs`` web server processes, each on its own port, serving the project with ``bench.settings``.

    ``BENCH_WEB_SERVER`` picks the server: ``gunicorn`` (the default, as ``make run`` serves:
    Django's WSGI handler, ``GUNICORN_THREADS`` threads per process, 4 by default) or ``daphne``
    (Django's ASGI handler inside Channels' router, ``orderflow.asgi``). Several processes let
    both cores and the database work at once.
    """

    def __init__(self, *, db_url: str, procs: int, db_conn: str = "pool"):
        self.db_url = db_url
        self.procs = procs
        self.db_conn = db_conn
        if db_conn == "pool" and importlib.util.find_spec("psycopg_pool") is None:
            print("# psycopg-pool is not installed (requirements-dev.txt): using per-request connections")
            self.db_conn = "per-request"
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen] = []
        self.kind = os.environ.get("BENCH_WEB_SERVER", "gunicorn")
        if self.kind not in ("gunicorn", "daphne"):
            raise ValueError(f"BENCH_WEB_SERVER must be gunicorn or daphne, not {self.kind!r}")
        self._log = tempfile.NamedTemporaryFile(prefix=f"bench-{self.kind}-", suffix=".log", delete=False)

    @property
    def pids(self) -> list[int]:
        """Every process of the servers: gunicorn's master and the worker it forks (each server
        runs in a session of its own)."""
        return [pid for p in self.processes for pid in process_group_pids(p.pid)]

    def __enter__(self) -> WebServers:
        env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
            "DEBUG": "0",
            "BENCH_DB_CONN": self.db_conn,
        }
        for _ in range(self.procs):
            port = _free_port()
            self.ports.append(port)
            self.processes.append(
                subprocess.Popen(
                    self._command(port),
                    cwd=REPO,
                    start_new_session=True,
                    env=env,
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                )
            )
        try:
            for port in self.ports:
                self._wait_ready(port)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _command(self, port: int) -> list[str]:
        if self.kind == "daphne":
            return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0"] + [
                "orderflow.asgi:application"
            ]
        threads = os.environ.get("GUNICORN_THREADS", "4")
        # orderflow.gunicorn_conf: the server's own limits, as make run has them.
        return [sys.executable, "-m", "gunicorn", "orderflow.wsgi:application", "--bind", f"127.0.0.1:{port}"] + [
            "--config", "python:orderflow.gunicorn_conf",
            "--workers", "1", "--worker-class", "gthread", "--threads", threads, "--log-level", "warning"
        ]  # fmt: skip

    def _wait_ready(self, port: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/bench/ping/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        with open(self._log.name) as log:
            tail = log.read()[-4000:]
        raise RuntimeError(f"{self.kind} on port {port} did not start:\n{tail}")

    def __exit__(self, *exc) -> None:
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self._log.close()
        if exc and exc[0] is None:
            os.unlink(self._log.name)
        else:
            print(f"# {self.kind} log kept at {self._log.name}")


# --- clients --------------------------------------------------------------------------------


class Client(abc.ABC):
    """One closed-loop client: ``call(seq)`` makes one request and returns its outcome code.

    An interface: ``HttpClient`` and the in-process clients of each benchmark implement it.
    """

    error: str = ""

    @abc.abstractmethod
    def call(self, seq: int) -> int: ...

    def close(self) -> None:  # noqa: B027 - an optional hook: most clients hold nothing to release
        return None


class HttpClient(Client):
    """A keep-alive HTTP/1.1 connection posting JSON bodies made by ``body_for(seq)``."""

    def __init__(self, *, port: int, path: str, token: str | None, body_for: Callable[[int], dict]):
        self.port = port
        self.path = path
        self.body_for = body_for
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, seq: int) -> int:
        body = json.dumps(self.body_for(seq)).encode()
        try:
            self.conn.request("POST", self.path, body, self.headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.error = f"{type(exc).__name__}: {exc}"
            return FAILED
        if response.status not in (CREATED, DUPLICATE, CONFLICT):
            self.error = f"HTTP {response.status}: {content[:300]!r}"
        return response.status

    def close(self) -> None:
        self.conn.close()


ClientFactory = Callable[[int, int], Client]  # (client index, total clients) → Client


@dataclass
class LoadResult:
    label: str
    clients: int
    window_s: float
    counts: Counter = field(default_factory=Counter)  # outcome → completed in the window
    totals: Counter = field(default_factory=Counter)  # outcome → all requests, warm-up included
    latencies_ms: list[float] = field(default_factory=list)  # successful requests in the window
    errors: list[str] = field(default_factory=list)
    app_cpu_s: float = 0.0
    pg_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    min_available: int | None = None
    other_cores: float = 0.0  # CPU used by everything else on the machine during the window, in cores
    stolen_pct: float = 0.0  # share of the machine's CPU time the hypervisor gave to other machines
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.counts[CREATED]

    @property
    def rate(self) -> float:
        return self.ok / self.window_s if self.window_s else 0.0

    @property
    def completed(self) -> int:
        return sum(self.counts.values())

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]  # nearest rank

    def per_request_ms(self, cpu_s: float) -> float:
        return cpu_s * 1000 / self.completed if self.completed else float("nan")

    @property
    def work_cpu_ms(self) -> float:
        """CPU per request of everything doing the work (application + PostgreSQL), load generator excluded.

        It moves much less than the rates when other programs share the machine, so its ratio
        is the steadier comparison on a busy host.
        """
        return self.per_request_ms(self.app_cpu_s + self.pg_cpu_s)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "clients": self.clients,
            "window_s": round(self.window_s, 3),
            "per_s": round(self.rate, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p99_ms": round(self.percentile(99), 2),
            "counts": {str(k): v for k, v in self.counts.items()},
            "totals": {str(k): v for k, v in self.totals.items()},
            "app_cpu_ms_per_req": round(self.per_request_ms(self.app_cpu_s), 3),
            "pg_cpu_ms_per_req": round(self.per_request_ms(self.pg_cpu_s), 3),
            "client_cpu_ms_per_req": round(self.per_request_ms(self.client_cpu_s), 3),
            "work_cpu_ms_per_req": round(self.work_cpu_ms, 3),
            "min_available": self.min_available,
            "other_cores": round(self.other_cores, 2),
            "stolen_pct": round(self.stolen_pct, 1),
            "errors": self.errors[:3],
            **self.extra,
        }


def _client_process(
    factory: ClientFactory,
    indexes: list[int],
    total: int,
    ready: mp.Queue,
    go: mp.Event,
    times: mp.Array,
    results: mp.Queue,
) -> None:
    """Runs the clients ``indexes`` as threads; reports window counts, latencies and totals."""
    lock = threading.Lock()
    counts: Counter = Counter()
    totals: Counter = Counter()
    latencies: list[float] = []
    errors: list[str] = []

    def run(index: int) -> None:
        try:
            client = factory(index, total)
        except Exception:
            errors.append(traceback.format_exc(limit=3))
            ready.put(index)
            return
        ready.put(index)
        go.wait()
        measure_from, stop_at = times[0], times[1]
        my_counts: Counter = Counter()
        my_totals: Counter = Counter()
        my_latencies: list[float] = []
        my_errors: list[str] = []
        seq = 0
        while True:
            started = time.monotonic()
            if started >= stop_at:
                break
            try:
                outcome = client.call(seq)
            except Exception:  # a client bug must show up in the report, not end the thread silently
                client.error = traceback.format_exc(limit=3)
                outcome = FAILED
            finished = time.monotonic()
            seq += 1
            my_totals[outcome] += 1
            if client.error:
                if len(my_errors) < 3:
                    my_errors.append(client.error)
                client.error = ""
            if measure_from <= finished <= stop_at:
                my_counts[outcome] += 1
                if outcome == CREATED:
                    my_latencies.append((finished - started) * 1000)
        client.close()
        with lock:
            counts.update(my_counts)
            totals.update(my_totals)
            latencies.extend(my_latencies)
            errors.extend(my_errors)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in indexes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put({"counts": counts, "totals": totals, "latencies": latencies, "errors": errors[:5]})


def run_load(
    *,
    label: str,
    factory: ClientFactory,
    clients: int,
    duration: float,
    warmup: float,
    client_procs: int,
    app_pids: list[int] | None,
    db_url: str,
    watch_skus: list[str] | None = None,
) -> LoadResult:
    """Starts ``clients`` closed-loop clients over ``client_procs`` processes; measures ``duration``
    seconds after ``warmup`` seconds.

    ``app_pids`` are the processes that run the application (the daphne servers); ``None`` means
    the clients run it themselves (service calls), so their CPU is the application's.
    """
    from django.db import connections

    connections.close_all()  # the client processes are forked: they must not share a socket
    ctx = mp.get_context("fork")
    procs = max(1, min(client_procs, clients))
    groups = [list(range(clients))[p::procs] for p in range(procs)]
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    times = ctx.Array("d", [0.0, 0.0])
    workers = [
        ctx.Process(target=_client_process, args=(factory, group, clients, ready, go, times, results), daemon=True)
        for group in groups
    ]
    for w in workers:
        w.start()
    for _ in range(clients):
        ready.get(timeout=120)

    start = time.monotonic()
    times[0], times[1] = start + warmup, start + warmup + duration
    go.set()

    watcher = _AvailableWatcher(db_url, watch_skus) if watch_skus else None
    if watcher:
        watcher.start()
    _sleep_until(times[0])
    pg_pids = postgres_pids(db_url)
    client_pids = [w.pid for w in workers]
    app_before = cpu_seconds(app_pids or [])
    pg_before = cpu_seconds(pg_pids)
    client_before = cpu_seconds(client_pids)
    busy_before = machine_busy_seconds()
    cpu_before = cpu_times()
    _sleep_until(times[1])
    busy_after = machine_busy_seconds()
    cpu_after = cpu_times()
    app_after = cpu_seconds(app_pids or [])
    pg_after = cpu_seconds(pg_pids)
    client_after = cpu_seconds(client_pids)

    result = LoadResult(label=label, clients=clients, window_s=times[1] - times[0])
    for _ in workers:
        try:
            part = results.get(timeout=180)
        except queue.Empty as exc:
            raise RuntimeError(f"{label}: a client process did not report") from exc
        result.counts.update(part["counts"])
        result.totals.update(part["totals"])
        result.latencies_ms.extend(part["latencies"])
        result.errors.extend(part["errors"])
    for w in workers:
        w.join(timeout=30)
    if watcher:
        result.min_available = watcher.stop()
    result.pg_cpu_s = cpu_delta(pg_before, pg_after)
    result.client_cpu_s = cpu_delta(client_before, client_after)
    result.app_cpu_s = cpu_delta(app_before, app_after) if app_pids is not None else result.client_cpu_s
    if app_pids is None:
        result.client_cpu_s = 0.0  # the clients are the application here
    ours = result.app_cpu_s + result.pg_cpu_s + result.client_cpu_s
    result.other_cores = max(0.0, (busy_after - busy_before) - ours) / result.window_s
    result.stolen_pct = stolen_percent(cpu_before, cpu_after)
    return result


def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


class _AvailableWatcher(threading.Thread):
    """Samples ``min(on_hand - reserved)`` over the stock rows of ``skus`` while the load runs."""

    def __init__(self, db_url: str, skus: list[str], interval: float = 0.1):
        super().__init__(daemon=True)
        self.db_url = db_url
        self.skus = skus
        self.interval = interval
        self.minimum: int | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            while not self._halt.is_set():
                value = conn.execute(
                    "SELECT min(on_hand - reserved) FROM inventory_stockitem WHERE sku = ANY(%s)", [self.skus]
                ).fetchone()[0]
                if value is not None:
                    self.minimum = value if self.minimum is None else min(self.minimum, value)
                self._halt.wait(self.interval)

    def stop(self) -> int | None:
        self._halt.set()
        self.join(timeout=10)
        return self.minimum


# --- output ---------------------------------------------------------------------------------


def print_table(title: str, rows: list[dict], columns: list[tuple[str, str]]) -> None:
    """``columns``: (key, header) pairs; values are printed as given (strings) or formatted numbers."""

    def cell(value) -> str:
        if isinstance(value, float):
            if value != value:  # NaN
                return "-"
            return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        return str(value)

    table = [[header for _key, header in columns]] + [[cell(row.get(key, "")) for key, _h in columns] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    print()
    print(title)
    for n, r in enumerate(table):
        print(
            "  "
            + "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def ratio_text(value: float) -> str:
    return "-" if value != value else f"{value:.2f}"  # NaN: no baseline figure to divide by


def write_json(path: str | None, payload: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"# results written to {path}")


# --- bench/RESULTS.md -----------------------------------------------------------------------


def machine_short(info: dict) -> str:
    """The machine in a table cell: cores, CPU model, PostgreSQL version."""
    cpu = " ".join(info["cpu"].replace("(R)", "").replace("Processor", "").split()[:3])
    return f"{info['nproc']} × {cpu}, PG {info['postgresql'].split()[0]}"


def results_publish(
    args: argparse.Namespace, *, benchmark: str, machine: dict, header: list[str], rows: list[list[str]]
) -> None:
    """Prints this run's rows of the ``benchmark`` table of ``bench/RESULTS.md`` and, with
    ``--write-results``, puts them in that table in place of the rows with the same label.

    Every row starts with the run's label, its code revision, date and machine, so one table
    holds a before and an after run side by side. The table sits between
    ``<!-- results:<benchmark> -->`` and ``<!-- /results:<benchmark> -->``; the prose around it is
    left as it is. A table whose columns differ from ``header`` is replaced whole.
    """
    label = args.results_label.strip() or "current"
    lead = [label, f"`{machine['revision']}`", machine["date_utc"][:16], machine_short(machine)]
    full_header = ["run", "code", "date (UTC)", "machine", *header]
    lines = [md_row(full_header), md_row(["---"] * len(full_header))]
    new_rows = [md_row([*lead, *row]) for row in rows]
    print()
    print(f"# {benchmark}: this run's rows of its table in bench/RESULTS.md (--write-results puts them there)")
    for line in lines + new_rows:
        print(line)
    if not args.write_results:
        return
    path = Path(args.write_results)
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = f"<!-- results:{benchmark} -->", f"<!-- /results:{benchmark} -->"
    if start not in text or end not in text:
        text = text.rstrip("\n") + f"\n\n## {benchmark}\n\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    block, after = rest.split(end, 1)
    table = [line for line in block.splitlines() if line.startswith("|")]
    kept: list[str] = []
    position = None
    if table[:1] == lines[:1]:
        for line in table[2:]:
            if md_cells(line)[0] == label:
                position = len(kept) if position is None else position
            else:
                kept.append(line)
    if position is None:
        position = 0 if label == "before" else len(kept)
    kept[position:position] = new_rows
    path.write_text(before + start + "\n" + "\n".join(lines + kept) + "\n" + end + after)
    print(f"# rows labelled {label!r} of the {benchmark} table written to {path}")


def md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"


def md_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def fmt(value: float | None, spec: str = ",.0f") -> str:
    """A number for a table cell; ``–`` when there is none (not measured, or NaN)."""
    if value is None or value != value:
        return "–"
    return format(value, spec)
