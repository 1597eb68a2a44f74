"""Each web process follows the outbox and pushes what it reads to its own WebSocket clients.

DESIGN.md, "Live updates follow the outbox": the worker and the web server are separate
processes, and a change made by a flow in the worker must reach the browser. So no process
*pushes* events to the browsers; every web process *follows* the tables where changes land —
the outbox, the inbox's notifications and its read marks (``selectors.FOLLOWED``) — and sends
what is new to the clients connected to it, through the channel layer under a group name of its
own (``PROCESS_GROUP``): with the Redis layer the message crosses Redis, but only this
process's consumers are in that group, so no client gets an event twice.

When to look:

- on PostgreSQL, on ``NOTIFY orderflow_live``, sent after each commit that wrote domain events
  (``notify``: by every process, the worker's included), and every
  ``ORDERFLOW_LIVE_SAFETY_POLL_SECONDS`` (1 s) besides: for the inbox, which is not announced,
  and for a notification lost with a crash or while the listening connection was down;
- elsewhere (SQLite), every ``ORDERFLOW_LIVE_POLL_SECONDS``.

Ids are handed out at insert and committed in any order: an id above the cursor may be visible
before a smaller one whose transaction has not committed yet. Ids skipped over are kept as
*missing* and asked for again with the next reads, for ``ORDERFLOW_LIVE_GAP_SECONDS`` (a rolled
back insert leaves a hole forever). One follower runs per event loop while at least one client is
connected, and stops with the last one.
"""

import asyncio
import logging
import time
import uuid

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections

from .messages import KPIS_CHANGED, event_message, readers_of
from .selectors import FOLLOWED, kpi_rollups_mark, live_positions, live_rows_after

logger = logging.getLogger(__name__)

PROCESS_GROUP = f"live.{uuid.uuid4().hex}"
NOTIFY_CHANNEL = "orderflow_live"
BATCH = 500
MAX_BATCHES_PER_LOOK = 20
MAX_MISSING = 2000
MAX_MISSING_ASKED = 500  # the newest missing ids asked for in one read (an IN list)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


class Cursor:
    """The highest id seen of one table, and the ids below it not seen yet (with when they went missing)."""

    def __init__(self, last: int):
        self.last = last
        self.missing: dict[int, float] = {}

    def seen(self, ids: list[int], *, now: float) -> None:
        for row_id in sorted(ids):
            self.missing.pop(row_id, None)
            if row_id > self.last:
                skipped = range(max(self.last + 1, row_id - MAX_MISSING), row_id)
                self.missing.update(dict.fromkeys(skipped, now))
                self.last = row_id

    def forget_older_than(self, seconds: float, *, now: float) -> None:
        self.missing = {row_id: at for row_id, at in self.missing.items() if now - at < seconds}
        if len(self.missing) > MAX_MISSING:
            self.missing = dict(sorted(self.missing.items())[-MAX_MISSING:])


def live_read_new(cursors: dict[str, Cursor]) -> dict[str, list[dict]]:
    """Everything new in the followed tables after ``cursors``, advancing them (one sync call)."""
    now = time.monotonic()
    gap_seconds = _setting("ORDERFLOW_LIVE_GAP_SECONDS", 30)
    new: dict[str, list[dict]] = {}
    for key, cursor in cursors.items():
        cursor.forget_older_than(gap_seconds, now=now)
        rows: list[dict] = []
        for _ in range(MAX_BATCHES_PER_LOOK):
            asked = sorted(cursor.missing)[-MAX_MISSING_ASKED:]
            batch = live_rows_after(key, after=cursor.last, also=asked, limit=BATCH)
            cursor.seen([row["id"] for row in batch], now=now)
            rows.extend(batch)
            if len(batch) < BATCH:
                break
        new[key] = rows
    return new


def live_batch(new: dict[str, list[dict]]) -> dict:
    """The channel-layer message for what ``live_read_new`` found: each event with the roles that may
    read it, the roles whose inbox got a notification, the users who read one."""
    events = []
    for row in new.get("outbox", []):
        readers = readers_of(name=row["name"], subject_type=row["subject_type"])
        if not readers:
            continue
        detail = event_message(
            event_id=row["id"], name=row["name"], occurred_at=row["occurred_at"], payload=row["payload"]
        )
        events.append({"detail": detail, "roles": sorted(readers)})
    return {
        "type": "live.batch",
        "events": events,
        "inbox_roles": sorted({row["to_role"] for row in new.get("notification", [])}),
        "inbox_users": sorted({row["user_id"] for row in new.get("read", [])}),
    }


class Follower:
    def __init__(self, *, group: str):
        self.group = group
        self.layer = get_channel_layer()
        self.clients = 0
        self.wake = asyncio.Event()
        self.listening = False
        self.cursors: dict[str, Cursor] = {}
        self.tasks: set[asyncio.Task] = set()
        self.last_kpis = float("-inf")
        self.kpis_mark: tuple[str, int] | None = None  # the KPI rollups' refresh last seen (kpi_rollups_mark)
        self.kpis_timer: asyncio.TimerHandle | None = None
        self.started: asyncio.Future | None = None

    async def start(self) -> None:
        positions = await database_sync_to_async(live_positions)()
        self.kpis_mark = await database_sync_to_async(kpi_rollups_mark)()
        self.cursors = {key: Cursor(positions[key]) for key in FOLLOWED}
        self._spawn(self._follow())
        if connections["default"].vendor == "postgresql":
            self._spawn(self._listen())

    async def stop(self) -> None:
        if self.kpis_timer is not None:
            self.kpis_timer.cancel()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _follow(self) -> None:
        while True:
            if self.listening:
                timeout = _setting("ORDERFLOW_LIVE_SAFETY_POLL_SECONDS", 1)
            else:
                timeout = _setting("ORDERFLOW_LIVE_POLL_SECONDS", 0.5)
            try:
                await asyncio.wait_for(self.wake.wait(), timeout)
            except TimeoutError:
                pass
            self.wake.clear()
            try:
                await self.look()
            except Exception:
                logger.warning("live: reading the outbox failed; trying again", exc_info=True)
                await asyncio.sleep(_setting("ORDERFLOW_LIVE_POLL_SECONDS", 0.5))

    async def look(self) -> None:
        """Reads what is new and sends it to this process's clients."""
        new = await database_sync_to_async(live_read_new)(self.cursors)
        batch = live_batch(new)
        if batch["events"] or batch["inbox_roles"] or batch["inbox_users"]:
            await self.layer.group_send(self.group, batch)
        mark = await database_sync_to_async(kpi_rollups_mark)()
        rollups_moved = mark is not None and mark != self.kpis_mark and mark[1] > 0
        self.kpis_mark = mark
        if new.get("outbox") or rollups_moved:
            self.kpis_touched()

    def kpis_touched(self) -> None:
        """``kpis.changed`` at once, then at most once per ``ORDERFLOW_LIVE_KPIS_SECONDS``: a change
        inside the quiet time is announced when it ends."""
        loop = asyncio.get_running_loop()
        wait = self.last_kpis + _setting("ORDERFLOW_LIVE_KPIS_SECONDS", 5) - loop.time()
        if wait <= 0:
            self.kpis_send()
        elif self.kpis_timer is None:
            self.kpis_timer = loop.call_later(wait, self.kpis_send)

    def kpis_send(self) -> None:
        self.kpis_timer = None
        self.last_kpis = asyncio.get_running_loop().time()
        message = {
            "type": "live.batch",
            "events": [{"detail": {"type": KPIS_CHANGED}, "roles": None}],
            "inbox_roles": [],
            "inbox_users": [],
        }
        self._spawn(self.layer.group_send(self.group, message))

    async def _listen(self) -> None:
        """``LISTEN orderflow_live`` on a connection of its own; each notification wakes the follower."""
        import psycopg
        from psycopg.conninfo import make_conninfo

        params = connections["default"].settings_dict
        conninfo = make_conninfo(
            **{
                key: str(value)
                for key, value in {
                    "dbname": params.get("NAME"),
                    "user": params.get("USER"),
                    "password": params.get("PASSWORD"),
                    "host": params.get("HOST"),
                    "port": params.get("PORT"),
                    "sslmode": params.get("OPTIONS", {}).get("sslmode"),
                }.items()
                if value
            }
        )
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as listener:
                    await listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening = True
                    self.wake.set()  # whatever was written while nobody listened
                    async for _notification in listener.notifies():
                        self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("live: LISTEN %s failed; polling until it is back", NOTIFY_CHANNEL, exc_info=True)
            finally:
                self.listening = False
            await asyncio.sleep(_setting("ORDERFLOW_LIVE_SAFETY_POLL_SECONDS", 5))


_followers: dict[asyncio.AbstractEventLoop, Follower] = {}


def followers_running() -> int:
    """How many followers run in this process (one per event loop with clients)."""
    return len(_followers)


async def follower_attach() -> Follower:
    """Counts one more client of this event loop's follower (starting it), once it has read where
    it starts; answers the follower, whose ``group`` the client joins."""
    loop = asyncio.get_running_loop()
    follower = _followers.get(loop)
    if follower is None:
        follower = _followers[loop] = Follower(group=PROCESS_GROUP)
        follower.started = asyncio.ensure_future(follower.start())
    follower.clients += 1
    started = follower.started
    assert started is not None
    try:
        await asyncio.shield(started)
    except Exception:
        await follower_detach(follower)
        raise
    return follower


async def follower_detach(follower: Follower) -> None:
    """One client less; the last one stops the follower."""
    follower.clients -= 1
    if follower.clients > 0:
        return
    loop = asyncio.get_running_loop()
    if _followers.get(loop) is follower:
        del _followers[loop]
    await follower.stop()
