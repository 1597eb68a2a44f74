"""The runner's own rows: step records, action receipts, the execution's status and lease, and
who is woken when an execution lets go. Every write here goes through the ORM.

A runner's writes are conditional on its lease (``lease_owner``): a runner that lost its
execution to another (its lease expired) changes nothing, and learns so from the row count.
"""

import time

from django.db import models
from django.db.models import Q

from builder.models import FlowVersion
from core.cache import BoundedCache

from . import conf, guards, statuses
from .models import Execution
from .queue import enqueue_runs


def idempotency_key(execution_id: int, node_id: str) -> str:
    return f"{execution_id}:{node_id}"


def records_insert(*groups: list[models.Model]) -> None:
    """Inserts unsaved instances, one list per model (receipts, step records), in the caller's
    transaction. A duplicate key raises ``IntegrityError``: another runner wrote them first."""
    for objs in groups:
        if objs:
            type(objs[0])._default_manager.bulk_create(objs)


def execution_set(execution_id: int, fields: dict, *, owner: str | None = None) -> int:
    """Sets the execution's ``fields`` — only while ``owner`` holds the lease, if given. Answers
    how many rows it updated (0: the lease is lost)."""
    where = Q(pk=execution_id) if owner is None else Q(pk=execution_id, lease_owner=owner)
    return Execution.objects.filter(where).update(**fields)


def execution_let_go(execution: Execution, fields: dict, *, owner: str, rows: tuple[list, ...] = ()) -> bool | None:
    """Writes ``rows`` (a finishing action's receipt and step records), sets the execution's
    ``fields`` while ``owner`` holds its lease and gives its flow slot back
    (``guards.slot_release``), in the caller's transaction. Answers whether the flow is starved
    (a claim was refused for want of a slot: wake the waiting after commit), or ``None`` when
    the lease is lost — then the caller rolls back what was written.
    """
    records_insert(*rows)
    if not execution_set(execution.pk, fields, owner=owner):
        return None
    return guards.slot_release(flow_id=execution.flow_id)


def wake_successors(execution: Execution, *, subject: bool, starved: bool = True) -> None:
    """After an execution let go (its transaction committed): queue the next pending execution of
    its subject (``subject``), and — when its slot release found the flow ``starved`` (a claim was
    refused for want of a slot) — the pending executions of its flow.

    Looked up after the commit, not inside it: a later execution whose own claim ran while this
    one was still running is then certain to be seen here, or to see this one finished itself.
    (Inside, one created and refused between the look and the commit would wait for the sweep.)
    The look is one read of the subject's open executions (``execution_subject_open_idx``), and
    in the common case — no later execution — it finds no index entry and reads no row, so an
    ``EXISTS`` first would only add a statement.
    """
    woken: list[int] = []
    if subject:
        woken += (
            Execution.objects.filter(subject_key=execution.subject_key, id__gt=execution.pk, status=statuses.PENDING)
            .order_by("id")
            .values_list("id", flat=True)[:1]
        )
    if starved and guards.slot_starvation_clear(flow_id=execution.flow_id):
        woken += (
            Execution.objects.filter(flow_id=execution.flow_id, status=statuses.PENDING)
            .order_by("id")
            .values_list("id", flat=True)[: conf.get("ORDERFLOW_FLOW_CONCURRENCY")]
        )
    enqueue_runs(list(dict.fromkeys(woken)))


# Bounded: a long-lived worker sees every version ever published.
_versions: BoundedCache[tuple[float, FlowVersion]] = BoundedCache(maxsize=2048)
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
    _versions.put((version_id, version.checksum), (time.monotonic(), version))
    return version
