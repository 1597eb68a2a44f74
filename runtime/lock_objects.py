"""Row locks of the runtime. Lock order: ``RuntimeLock`` → ``Execution`` rows (by id) → ``FlowSlot``.

On PostgreSQL these are ``SELECT … FOR UPDATE``; SQLite serialises writers anyway (immediate
transactions) and ignores them.
"""

import time
from datetime import datetime

from django.db import IntegrityError, connection, transaction

from builder.models import FlowVersion
from commerce.db import model_reader, prepared_cursor

from . import statuses
from .models import KILL_SWITCH_ID, Execution, RuntimeLock


def named_lock(name: str) -> RuntimeLock:
    """The ``RuntimeLock`` row ``name``, created if missing, locked until the transaction ends.

    Waits for the holder: two dispatchers queue instead of both draining the outbox.
    """
    lock = RuntimeLock.objects.select_for_update().filter(name=name).first()
    if lock is not None:
        return lock
    try:
        with transaction.atomic():
            RuntimeLock.objects.create(name=name)
    except IntegrityError:
        pass
    return RuntimeLock.objects.select_for_update().get(name=name)


_CLAIM_SQL = """
SELECT {columns},
       EXISTS (SELECT 1 FROM runtime_killswitch k WHERE k.id = %s AND k.engaged) AS kill_switch,
       EXISTS (SELECT 1 FROM runtime_execution p
               WHERE p.subject_key = e.subject_key AND p.subject_key <> '' AND p.id < e.id
                 AND p.status IN ({blocking})) AS held_back,
       v.checksum AS version_checksum
FROM runtime_execution e
JOIN builder_flowversion v ON v.id = e.flow_version_id
WHERE e.id = %s
"""


def _executions(sql: str, params: list, instance, extra: tuple[str, ...]) -> list[Execution]:
    """The rows of ``sql`` — the execution's columns, then the ``extra`` ones — as executions with
    the extras as attributes. (Plain statements read this way cost a fraction of ``raw()``.)"""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    executions = []
    for row in rows:
        execution = instance(row[: -len(extra)])
        for name, value in zip(extra, row[-len(extra) :], strict=True):
            setattr(execution, name, value)
        executions.append(execution)
    return executions


def execution_try_lock(execution_id: int) -> Execution | None:
    """The execution row locked ``FOR UPDATE SKIP LOCKED``, or ``None`` when another runner holds it.

    Two runners (or two clusters) claiming the same execution never both get it: the second
    skips it and moves on instead of waiting. Only the execution row is locked (``OF e``), not
    the version it joins. The same query answers what a claim must know — ``kill_switch``
    (engaged) and ``held_back`` (an earlier execution of the subject is still pending, running
    or retrying) — and the version's checksum for ``flow_version_summary``.

    Written out rather than built with the ORM: it runs once per claim, and composing it costs
    several times the CPU of running it.
    """
    columns, instance = model_reader(Execution, alias="e")
    sql = _CLAIM_SQL.format(columns=columns, blocking=statuses.sql_literals(*statuses.BLOCKING))
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE OF e SKIP LOCKED"
    found = _executions(sql, [KILL_SWITCH_ID, execution_id], instance, ("kill_switch", "held_back", "version_checksum"))
    return found[0] if found else None


_CLAIM_PENDING_SQL = """
WITH candidate AS (
    SELECT e.id, e.flow_id, e.started_at FROM runtime_execution e
    WHERE e.id = %s AND e.status = {pending} AND (e.resume_at IS NULL OR e.resume_at <= %s)
      AND NOT EXISTS (SELECT 1 FROM runtime_killswitch k WHERE k.id = %s AND k.engaged)
      AND NOT EXISTS (SELECT 1 FROM runtime_execution p
                      WHERE p.subject_key = e.subject_key AND p.subject_key <> '' AND p.id < e.id
                        AND p.status IN ({blocking}))
    FOR UPDATE OF e SKIP LOCKED
),
slot AS (
    INSERT INTO runtime_flowslot (flow_id, running, starved) SELECT flow_id, 1, false FROM candidate
    ON CONFLICT (flow_id) DO UPDATE SET running = runtime_flowslot.running + 1
    WHERE runtime_flowslot.running < %s
    RETURNING flow_id
),
claimed AS (
    UPDATE runtime_execution e
    SET status = {running}, lease_owner = %s, lease_until = %s, resume_at = NULL, holds_slot = true,
        started_at = COALESCE(e.started_at, %s)
    FROM candidate c
    WHERE e.id = c.id AND EXISTS (SELECT 1 FROM slot)
    RETURNING e.*, c.started_at IS NULL AS first_run
)
SELECT {columns}, claimed.first_run, v.checksum AS version_checksum
FROM claimed JOIN builder_flowversion v ON v.id = claimed.flow_version_id
"""


def execution_claim_pending(
    execution_id: int, *, owner: str, lease_until: datetime, now: datetime, limit: int
) -> Execution | None:
    """Claims the execution for ``owner`` in one statement if it is ``pending`` and due, not locked
    by another runner, not held back by an earlier execution of its subject, the kill switch off,
    and its flow has one of its ``limit`` slots free (a flow's first claim creates its slot row);
    else ``None``, having changed nothing. PostgreSQL only.

    The claimed execution comes back ``running`` under the lease, with ``first_run`` (never
    started before) and its version's checksum. Whatever it refuses, ``engine.execution_claim``
    decides the long way (other statuses, expired leases, a flow starved of slots).
    """
    columns, instance = model_reader(Execution, alias="claimed")
    sql = _CLAIM_PENDING_SQL.format(
        columns=columns,
        pending=statuses.sql_literals(statuses.PENDING),
        running=statuses.sql_literals(statuses.RUNNING),
        blocking=statuses.sql_literals(*statuses.BLOCKING),
    )
    params = [execution_id, now, KILL_SWITCH_ID, limit, owner, lease_until, now]
    claimed = _executions(sql, params, instance, ("first_run", "version_checksum"))
    return claimed[0] if claimed else None


_versions: dict[tuple[int, str], tuple[float, FlowVersion]] = {}
VERSION_NAME_TTL = 60.0


def flow_version_summary(version_id: int, checksum: str) -> FlowVersion:
    """The version (number, checksum, its flow's name; the document loads on first use), cached per process.

    Versions never change (the checksum in the key makes sure of it); only the flow's name may,
    so an entry is re-read after a minute.
    """
    cached = _versions.get((version_id, checksum))
    if cached is not None and time.monotonic() - cached[0] < VERSION_NAME_TTL:
        return cached[1]
    version = (
        FlowVersion.objects.select_related("flow")
        .only("id", "flow_id", "number", "checksum", "flow__id", "flow__name")
        .get(pk=version_id)
    )
    _versions[(version_id, version.checksum)] = (time.monotonic(), version)
    return version
