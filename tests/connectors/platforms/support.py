"""Helpers of the marketplace connector tests: sandbox connections, fixtures, and ``poll_run`` — what
the framework's poll run does with a ``Poller`` (``connectors.base``): poll a page, ingest its
orders, store the cursor, in that order, and go on while ``more``."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from connectors.models import Connection
from connectors.services.connections import ConnectionInput, connection_client, connection_create
from connectors.services.ingest import inbound_order_ingest

PLATFORMS = Path(__file__).resolve().parents[3] / "connectors" / "platforms"


def fixture_bytes(platform: str, name: str) -> bytes:
    """A raw payload kept in ``connectors/platforms/<platform>/fixtures/``."""
    return (PLATFORMS / platform / "fixtures" / name).read_bytes()


def fixture_json(platform: str, name: str):
    return json.loads(fixture_bytes(platform, name))


@dataclass
class Run:
    cursor: dict
    pages: int = 0
    ingested: list[str] = field(default_factory=list)  # external ids, in the order they were ingested


def sandbox_connection(connector: str, *, settings: dict | None = None, credentials: dict | None = None) -> Connection:
    return connection_create(
        data=ConnectionInput(
            connector=connector, name="沙箱店", credentials=credentials or {}, settings=settings or {}, sandbox=True
        )
    )


def poll_run(connection: Connection, poller, cursor: dict, now, *, max_pages: int | None = None) -> Run:
    """Polls until the poller says there is no more (or ``max_pages``: the run is cut there)."""
    client = connection_client(connection)
    run = Run(cursor=dict(cursor))
    while True:
        page = poller.poll(client, run.cursor, now)
        for order in page.orders:
            inbound_order_ingest(connection=connection, order=order, source="poll")
            run.ingested.append(order.external_id)
        run.cursor = page.cursor  # stored only now, after every order of the page was ingested
        run.pages += 1
        if not page.more or run.pages == max_pages:
            return run
