"""Where the dispatch wake-up lives: a "drain requested or running" flag and a count of the requests.

``dispatch`` holds the protocol (``dispatch_request``, ``outbox_drain``); this module only keeps
its state, with four operations, each one round trip:

- ``request`` (after every commit that wrote outbox events): count the request, raise the flag
  unless it is raised and fresh; answers whether it raised it (then the caller queues a drain);
- ``generation`` (a drain starting): the count now;
- ``end`` (a drain done): lower the flag if the count is still the one the drain began with;
  otherwise keep it raised, renew its time, and answer the new count (the drain goes on);
- ``lower`` (a drain stopped by the kill switch).

``WakeUpStore`` keeps it in the database (the ``WakeUp`` row: the embedded default, and tests);
``RedisWakeUp`` in Redis — where the queue lives when ``REDIS_URL`` is set — so a commerce
commit pays a Redis call, not a second database write with its own commit, on one hot row.
Losing the Redis state is harmless: the next request raises the flag again, and the minute's
sweep drains whatever a lost request left behind.
"""

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

from .models import WakeUp

if TYPE_CHECKING:
    import redis


class WakeUpStore:
    """The wake-up in the database's ``WakeUp`` row ``name``.

    ``request`` and ``end`` are written out: each is a conditional counter that must answer, in
    the statement that changes it, what it changed (``RETURNING``) — read apart, a request
    landing in between would be lost, and a drain would stop with events waiting.
    """

    _REQUEST = f"""
    INSERT INTO {WakeUp._meta.db_table} (name, requested, requested_at, generation) VALUES (%s, %s, %s, 1)
    ON CONFLICT (name) DO UPDATE SET
        generation = {WakeUp._meta.db_table}.generation + 1,
        requested = excluded.requested,
        requested_at = CASE WHEN {WakeUp._meta.db_table}.requested AND {WakeUp._meta.db_table}.requested_at >= %s
                            THEN {WakeUp._meta.db_table}.requested_at ELSE excluded.requested_at END
    RETURNING requested_at = %s
    """
    _END = f"""
    UPDATE {WakeUp._meta.db_table} SET requested = (generation <> %s),
           requested_at = CASE WHEN generation <> %s THEN %s ELSE requested_at END
    WHERE name = %s RETURNING requested, generation
    """

    def __init__(self, name: str):
        self.name = name

    def request(self, *, now: datetime, stale_before: datetime) -> bool:
        return bool(self._one(self._REQUEST, [self.name, True, now, stale_before, now])[0])

    def generation(self) -> int | None:
        return WakeUp.objects.filter(name=self.name).values_list("generation", flat=True).first()

    def end(self, generation: int, *, now: datetime) -> tuple[bool, int | None]:
        row = self._one(self._END, [generation, generation, now, self.name])
        return (False, None) if row is None else (bool(row[0]), row[1])

    def lower(self) -> None:
        WakeUp.objects.filter(name=self.name).update(requested=False)

    def peek(self) -> tuple[bool, datetime | None] | None:
        """(raised, when) — or ``None`` before the first request. For diagnostics and tests."""
        row = WakeUp.objects.filter(name=self.name).values_list("requested", "requested_at").first()
        return None if row is None else (row[0], row[1])

    @staticmethod
    def _one(sql: str, params: list):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


class RedisWakeUp:
    """The wake-up in a Redis hash: ``generation``, ``requested`` (0/1), ``requested_at`` (epoch seconds)."""

    _REQUEST = """
    redis.call('HINCRBY', KEYS[1], 'generation', 1)
    local raised = redis.call('HGET', KEYS[1], 'requested') == '1'
    local at = tonumber(redis.call('HGET', KEYS[1], 'requested_at') or '0')
    if raised and at >= tonumber(ARGV[2]) then return 0 end
    redis.call('HSET', KEYS[1], 'requested', '1', 'requested_at', ARGV[1])
    return 1
    """
    _END = """
    local generation = redis.call('HGET', KEYS[1], 'generation')
    if not generation then return {0, false} end
    if generation == ARGV[1] then
        redis.call('HSET', KEYS[1], 'requested', '0')
        return {0, generation}
    end
    redis.call('HSET', KEYS[1], 'requested_at', ARGV[2])
    return {1, generation}
    """

    def __init__(self, client, key: str):
        self.client = client
        self.key = key
        self._request = client.register_script(self._REQUEST)
        self._end = client.register_script(self._END)

    def request(self, *, now: datetime, stale_before: datetime) -> bool:
        return bool(self._request(keys=[self.key], args=[now.timestamp(), stale_before.timestamp()]))

    def generation(self) -> int | None:
        value = self.client.hget(self.key, "generation")
        return None if value is None else int(value)

    def end(self, generation: int, *, now: datetime) -> tuple[bool, int | None]:
        more, current = self._end(keys=[self.key], args=[generation, now.timestamp()])
        return bool(more), None if current is None else int(current)

    def lower(self) -> None:
        self.client.hset(self.key, "requested", "0")

    def peek(self) -> tuple[bool, datetime | None] | None:
        values = self.client.hmget(self.key, "generation", "requested", "requested_at")
        if values[0] is None:
            return None
        at = float(values[2]) if values[2] is not None else None
        return values[1] == b"1", None if at is None else datetime.fromtimestamp(at, tz=UTC)


# (process id, Redis URL, key) → the store: one Redis client (and connection pool) per process.
_stores: dict[tuple[int, str, str], RedisWakeUp] = {}
_clients: dict[tuple[int, str], "redis.Redis"] = {}


def shared_redis() -> "redis.Redis | None":
    """This process's client of the Redis at ``ORDERFLOW_WAKEUP_REDIS_URL`` (where the queue lives),
    or ``None`` when it is not set (the embedded default: the queue is the database)."""
    url = getattr(settings, "ORDERFLOW_WAKEUP_REDIS_URL", "")
    if not url:
        return None
    key = (os.getpid(), url)  # a forked child opens its own connections
    client = _clients.get(key)
    if client is None:
        import redis

        client = _clients[key] = redis.Redis.from_url(url)
    return client


def wake_up(name: str) -> WakeUpStore | RedisWakeUp:
    """The store of the wake-up ``name``: Redis at ``ORDERFLOW_WAKEUP_REDIS_URL`` (the project sets
    it to ``REDIS_URL``) when set, else the database."""
    client = shared_redis()
    if client is None:
        return WakeUpStore(name)
    key = f"orderflow:{settings.Q_CLUSTER.get('name', 'orderflow')}:wakeup:{name}"
    cache_key = (os.getpid(), settings.ORDERFLOW_WAKEUP_REDIS_URL, key)
    store = _stores.get(cache_key)
    if store is None:
        store = _stores[cache_key] = RedisWakeUp(client, key)
    return store
