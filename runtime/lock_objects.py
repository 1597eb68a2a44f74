"""Row locks of the runtime. Lock order: ``RuntimeLock`` → ``Execution`` rows (by id) → ``FlowSlot``.

On PostgreSQL these are ``SELECT … FOR UPDATE``; SQLite serialises writers anyway (immediate
transactions) and ignores them.
"""

import time
from datetime import datetime

from django.db import IntegrityError, connection, transaction

from builder.models import FlowVersion
from commerce.db import model_reader

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
WHERE {where}
"""


def _claim_rows(where: str, params: list) -> list[Execution]:
    columns, instance = model_reader(Execution, alias="e")
    sql = _CLAIM_SQL.format(columns=columns, blocking=", ".join(["%s"] * len(statuses.BLOCKING)), where=where)
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE OF e SKIP LOCKED"
    return _executions(
        sql, [KILL_SWITCH_ID, *statuses.BLOCKING, *params], instance, ("kill_switch", "held_back", "version_checksum")
    )


def _executions(sql: str, params: list, instance, extra: tuple[str, ...]) -> list[Execution]:
    """The rows of ``sql`` — the execution's columns, then the ``extra`` ones — as executions with
    the extras as attributes. (Plain statements read this way cost a fraction of ``raw()``.)"""
    with connection.cursor() as cursor:
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
    return next(iter(_claim_rows("e.id = %s", [execution_id])), None)


def executions_try_lock_pending(execution_ids: list[int]) -> list[Execution]:
    """``execution_try_lock`` for many: those of the executions that are ``pending`` and not
    locked by another runner, locked, in id order (the lock order), with the same answers."""
    if not execution_ids:
        return []
    where = f"e.id IN ({', '.join(['%s'] * len(execution_ids))}) AND e.status = %s ORDER BY e.id"
    return _claim_rows(where, [*execution_ids, statuses.PENDING])


_CLAIM_PENDING_SQL = """
WITH candidates AS (
    SELECT e.id, e.flow_id, e.started_at FROM runtime_execution e
    WHERE e.id IN ({ids}) AND e.status = %s
      AND NOT EXISTS (SELECT 1 FROM runtime_killswitch k WHERE k.id = %s AND k.engaged)
      AND NOT EXISTS (SELECT 1 FROM runtime_execution p
                      WHERE p.subject_key = e.subject_key AND p.subject_key <> '' AND p.id < e.id
                        AND p.status IN ({blocking}))
    ORDER BY e.id
    FOR UPDATE OF e SKIP LOCKED
),
wanted AS (SELECT flow_id, count(*) AS n FROM candidates GROUP BY flow_id),
slots AS (
    INSERT INTO runtime_flowslot (flow_id, running, starved)
    SELECT flow_id, n, false FROM wanted WHERE n <= %s - n
    ON CONFLICT (flow_id) DO UPDATE SET running = runtime_flowslot.running + excluded.running
    WHERE runtime_flowslot.running + excluded.running <= %s - excluded.running
    RETURNING flow_id
),
claimed AS (
    UPDATE runtime_execution e
    SET status = %s, lease_owner = %s, lease_until = %s, resume_at = NULL, holds_slot = true,
        started_at = COALESCE(e.started_at, %s)
    FROM candidates c
    WHERE e.id = c.id AND c.flow_id IN (SELECT flow_id FROM slots)
    RETURNING e.*, c.started_at IS NULL AS first_run
)
SELECT {columns}, claimed.first_run, v.checksum AS version_checksum
FROM claimed JOIN builder_flowversion v ON v.id = claimed.flow_version_id
ORDER BY claimed.id
"""


def executions_claim_pending(
    execution_ids: list[int], *, owner: str, lease_until: datetime, now: datetime, limit: int
) -> list[Execution]:
    """Claims for ``owner``, in one statement, those of the executions that are ``pending``, not
    locked by another runner, not held back by an earlier execution of their subject, while the
    kill switch is off — each flow's group only if it gets a slot for every one of them with as
    many again left free (as ``guards.slots_acquire``). PostgreSQL only.

    The claimed come back marked ``running`` under the lease, in id order, with ``first_run``
    (never started before) and the version's checksum. A flow's first claim creates its slot row.
    """
    if not execution_ids:
        return []
    columns, instance = model_reader(Execution, alias="claimed")
    sql = _CLAIM_PENDING_SQL.format(
        columns=columns,
        ids=", ".join(["%s"] * len(execution_ids)),
        blocking=", ".join(["%s"] * len(statuses.BLOCKING)),
    )
    params = [
        *execution_ids,
        statuses.PENDING,
        KILL_SWITCH_ID,
        *statuses.BLOCKING,
        limit,
        limit,
        statuses.RUNNING,
        owner,
        lease_until,
        now,
    ]
    claimed = _executions(sql, params, instance, ("first_run", "version_checksum"))
    for execution in claimed:
        execution.kill_switch = execution.held_back = False
    return claimed


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
