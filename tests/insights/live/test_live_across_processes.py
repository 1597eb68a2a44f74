"""The web server and the worker as separate processes (DESIGN.md, "Live updates follow the
outbox"): a change made by a flow in the worker reaches a WebSocket client of the web server.

Three processes besides this one, on one database: daphne serving ``orderflow.asgi`` started as
``python -m orderflow.run`` starts it (``live_command``), ``manage.py qcluster`` (the worker), and
a producer that places a paid order. A published flow "order.paid → move the order to
processing → notify the operators" runs in the worker; the client, logged in with an API token,
must receive the ``order.status_changed`` the worker's transition wrote and the ``inbox.changed``
of its notification. Nothing here shares memory with the worker: the event can only arrive by
the web process following the database.

The database is a SQLite file made for the test (the embedded default: the web process polls),
or with ``DATABASE_URL`` the PostgreSQL test database (the web process is woken by NOTIFY).
Bounded (90 s), and it always stops the processes it started.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import websockets
from django.db import connection

from orderflow.run import live_command

REPO = Path(__file__).resolve().parents[3]
DEADLINE_SECONDS = 90

SETUP = """
import django
django.setup()
from rest_framework.authtoken.models import Token
from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, WarehouseFactory, make_user
from tests.runtime.conftest import action, event_flow, publish

ChannelFactory(code="tmall", name="天猫旗舰店")
warehouse = WarehouseFactory(code="sh-main", name="上海主仓", priority=1)
ProductFactory(sku="TEA-001", title="西湖龙井 250g", price="199.00")
StockItemFactory(sku="TEA-001", warehouse=warehouse, on_hand=100)
publish(event_flow("order.paid", [
    action("process", "order.transition", {"to": "processing", "reason": "paid orders go to the warehouse"}),
    action("tell", "notify.inbox", {"to_role": "operator", "title": "New order {{ order.number }}", "body": ""}),
], name="Paid orders to the warehouse"))
print(Token.objects.create(user=make_user("watcher", "operator")).key)
"""

PRODUCER = """
import django
django.setup()
from commerce.channels.models import Channel
from tests.factories import create_order
print(create_order(Channel.objects.get(code="tmall"), external_id="XPROC-1", status="paid").pk)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to every process group, then SIGKILL to what is still there after 5 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def database_env(request, tmp_path):
    """The environment that points a process at the test's database, migrated."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orderflow.settings",
        "PYTHONPATH": str(REPO),
        "REDIS_URL": "",
        "ORDERFLOW_VAR_DIR": str(tmp_path),
        "ORDERFLOW_Q_NAME": f"orderflow-test-{uuid.uuid4().hex[:12]}",
        "Q_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
        "ORDERFLOW_LIVE_POLL_SECONDS": "0.2",
    }
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")  # the PostgreSQL test database, emptied afterwards
        params = connection.settings_dict
        password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
        )
    else:
        env["DATABASE_URL"] = ""
        env["SQLITE_PATH"] = str(tmp_path / "orderflow.sqlite3")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True, timeout=120
        )
    return env


def _python(code: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, check=True, timeout=60, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


async def _watch(url: str, token: str, produce) -> list[dict]:
    """Connects, calls ``produce()`` (in a thread), and gathers messages until both wanted ones arrived."""
    headers = {"Authorization": f"Token {token}", "Origin": "http://127.0.0.1"}
    seen: list[dict] = []
    async with websockets.connect(url, additional_headers=headers, open_timeout=20) as client:
        order_id = await asyncio.to_thread(produce)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE_SECONDS
        while True:
            processed = any(
                m["type"] == "order.status_changed"
                and m["order"] == {**m["order"], "id": order_id, "status": "processing"}
                for m in seen
            )
            if processed and {"type": "inbox.changed"} in seen:
                return seen
            left = deadline - loop.time()
            assert left > 0, f"the worker's change did not arrive; got {seen}"
            seen.append(json.loads(await asyncio.wait_for(client.recv(), timeout=left)))


def test_a_change_made_by_a_flow_in_the_worker_reaches_a_websocket_client(database_env, tmp_path):
    token = _python(SETUP, database_env)
    port = _free_port()
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("live", "worker")}  # noqa: SIM115
    processes = []
    try:
        for name, command in (
            ("live", live_command(sys.executable, host="127.0.0.1", port=str(port))),
            ("worker", [sys.executable, "manage.py", "qcluster"]),
        ):
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=database_env,
                    stdout=logs[name],
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        started = time.monotonic()
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert all(p.poll() is None for p in processes), (tmp_path / "live.log").read_text()
                assert time.monotonic() - started < 30, "daphne did not start listening"
                time.sleep(0.2)

        seen = asyncio.run(
            _watch(f"ws://127.0.0.1:{port}/ws/live/", token, lambda: int(_python(PRODUCER, database_env)))
        )
        assert all(p.poll() is None for p in processes), "a process exited"
    finally:
        _stop(processes)
        for log in logs.values():
            log.close()

    types = [m["type"] for m in seen]
    assert "order.created" in types and "order.paid" in types
    change = next(m for m in seen if m["type"] == "order.status_changed" and m["order"]["status"] == "processing")
    assert set(change) == {"type", "id", "occurred_at", "order"}
    assert change["order"]["channel"] == "tmall"
