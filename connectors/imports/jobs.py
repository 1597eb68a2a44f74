"""An uploaded order file as a job: stored, run by a django-q2 task (or here, for the command), watched.

``order_import_upload`` (the API) checks what can be checked at once — the channel, the mapping,
the file's size, format, encoding, header and, for a CSV, its row count — so that a file that is
not an order export answers 4xx and stores nothing; then it stores an ``OrderImport`` and queues
``order_import_run_task`` after the transaction commits. ``order_import_here`` (``manage.py
import_orders``) does the same checks and runs the import in its own process, printing progress.
Both run ``order_import_run``: every row read and checked (``apply.orders_checked``; one bad row
and the import fails naming every bad row, having written nothing), then the orders applied one by
one (``apply.orders_apply``), with the progress and the counts saved as they go.

A running import holds a lease: each progress save renews ``heartbeat_at`` (at least every
``SAVE_EVERY_SECONDS`` while rows or orders go by — a single order takes milliseconds). An import
whose task was lost — its worker killed, the broker flushed — is failed by
``order_imports_fail_lost`` (``order_import_abandoned``) when it is still ``queued``
``ORDERFLOW_ORDER_IMPORT_QUEUED_TIMEOUT_SECONDS`` (default 900) after the upload, or ``running``
with no heartbeat for ``ORDERFLOW_ORDER_IMPORT_HEARTBEAT_TIMEOUT_SECONDS`` (default 120). It runs
on every upload and every read of imports, so a lost import never stays in progress or blocks the
same file. Every write of a run is conditional on the import still being ``running``: a run that
lost its lease stops before its next order.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from commerce.channels.models import Channel
from commerce.channels.selectors import channel_by_code
from commerce.orders.errors import UnknownChannel
from core.actors import Actor
from core.errors import DomainError
from core.time import iso_utc
from core.trace import bind_trace_id, current_trace_id, reset_trace_id

from .apply import orders_apply, orders_checked
from .errors import OrderImportInProgress, OrderImportInvalid, OrderImportTooLarge
from .mapping import ColumnMap, mapping_for, mapping_header_check
from .models import OrderImport
from .parse import FileShape, Progress, file_shape, no_progress

logger = logging.getLogger(__name__)

# The module's own path: tasks already in the broker name it so.
IMPORT_TASK = "connectors.imports.jobs.order_import_run_task"
# Per-task limit for the worker: 50,000 rows of orders take minutes on SQLite, well inside it.
IMPORT_TASK_TIMEOUT_SECONDS = 3600
SAVE_EVERY_SECONDS = 1.0

QUEUED_TIMEOUT_SETTING = "ORDERFLOW_ORDER_IMPORT_QUEUED_TIMEOUT_SECONDS"
HEARTBEAT_TIMEOUT_SETTING = "ORDERFLOW_ORDER_IMPORT_HEARTBEAT_TIMEOUT_SECONDS"
DEFAULT_QUEUED_TIMEOUT_SECONDS = 15 * 60
DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 120

ABANDONED = "order_import_abandoned"
ORDERS_REFUSED = "orders_refused"
SERVER_ERROR = "server_error"

# What an import's ``error_code`` means, in the reader's language (``order_import_failure_message``).
FAILURE_MESSAGES = {
    OrderImportInvalid.code: OrderImportInvalid.message,
    OrderImportTooLarge.code: OrderImportTooLarge.message,
    ORDERS_REFUSED: _(
        "The file was imported, but the order centre refused some orders (see the rows named). "
        "Correct the cause, such as stock, and upload the file again: imported orders are not duplicated."
    ),
    ABANDONED: _(
        "The import stopped before it finished: its task was lost or its worker stopped. Upload the file "
        "again; orders it had already imported are not duplicated."
    ),
    SERVER_ERROR: _(
        "The import stopped on an unexpected error. Upload the file again; orders it had already imported "
        "are not duplicated."
    ),
}


class _LeaseLost(Exception):
    """The import stopped being ``running`` under its run: it was declared lost."""


def _setting_seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def order_import_failure_message(code: str) -> str:
    """What ``error_code`` means, for people, in the active language; ``""`` for none."""
    message = FAILURE_MESSAGES.get(code)
    return "" if message is None else str(message)


def _channel(code: str) -> Channel:
    channel = channel_by_code(code)
    if channel is None:
        raise UnknownChannel(details={"channel": f"no active channel {code!r}"})
    return channel


def _create(
    *, content: bytes, filename: str, channel_code: str, mapping_name: str | None, actor: Actor, user
) -> OrderImport:
    channel = _channel(channel_code)
    mapping = mapping_for(channel=channel, name=mapping_name)
    shape: FileShape = file_shape(content, filename)
    mapping_header_check(mapping=mapping, header=shape.header)
    order_imports_fail_lost()
    content_hash = hashlib.sha256(content).hexdigest()
    try:
        with transaction.atomic():
            return OrderImport.objects.create(
                channel=channel,
                mapping_name=mapping.name,
                mapping=mapping.as_json(),
                created_by=user,
                actor_kind=actor.kind,
                actor_id=actor.id,
                actor_label=actor.label,
                source=actor.source,
                trace_id=current_trace_id() or "",
                filename=filename[:255],
                file_format=shape.file_format,
                encoding=shape.encoding,
                content_hash=content_hash,
                content=content,
                size_bytes=len(content),
                total_rows=shape.rows,
            )
    except IntegrityError:
        running = OrderImport.objects.filter(
            channel=channel, content_hash=content_hash, status__in=OrderImport.IN_PROGRESS
        ).first()
        if running is None:  # finished between the insert and this read: this upload may go ahead
            return _create(
                content=content,
                filename=filename,
                channel_code=channel_code,
                mapping_name=mapping_name,
                actor=actor,
                user=user,
            )
        raise OrderImportInProgress(
            details={"import": running.pk, "status": running.status, "filename": running.filename}
        ) from None


def order_import_upload(
    *, content: bytes, filename: str, channel_code: str, actor: Actor, mapping_name: str | None = None, user=None
) -> OrderImport:
    """An uploaded file: checked as a whole, stored, and queued to run once this transaction commits.

    Raises, storing nothing: ``UnknownChannel``, ``UnknownColumnMapping``, ``OrderImportTooLarge``
    (413: over ``MAX_FILE_BYTES`` or ``MAX_ROWS``), ``OrderImportInvalid`` (not a CSV or .xlsx
    export, unreadable text, damaged or forged workbook, a required column missing), or
    ``OrderImportInProgress`` (the same file for the same channel is queued or running).
    Returns the ``queued`` import.
    """
    job = _create(
        content=content, filename=filename, channel_code=channel_code, mapping_name=mapping_name, actor=actor, user=user
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def order_import_here(
    *,
    content: bytes,
    filename: str,
    channel_code: str,
    actor: Actor,
    mapping_name: str | None = None,
    user=None,
    progress: Progress = no_progress,
) -> OrderImport:
    """As ``order_import_upload``, but run in this process now (the command); returns the finished import."""
    job = _create(
        content=content, filename=filename, channel_code=channel_code, mapping_name=mapping_name, actor=actor, user=user
    )
    finished = order_import_run(import_id=job.pk, progress=progress)
    return finished if finished is not None else OrderImport.objects.defer("content").get(pk=job.pk)


def _enqueue(import_id: int) -> None:
    """Queues the run. ``Q_CLUSTER["sync"]`` (read at call time, so tests can set it) runs it here and now."""
    sync = bool(settings.Q_CLUSTER.get("sync", False))
    async_task(IMPORT_TASK, import_id, q_options={"sync": sync, "save": False, "timeout": IMPORT_TASK_TIMEOUT_SECONDS})


def order_import_run_task(import_id: int) -> None:
    """The django-q2 task: fetch by id, run the service."""
    order_import_run(import_id=import_id)


def order_import_run(*, import_id: int, progress: Progress = no_progress) -> OrderImport | None:
    """Runs a queued import to its end; returns it finished, or ``None`` when it was not queued.

    Idempotent: the import is claimed with a conditional ``UPDATE`` (``queued`` → ``running``), so a
    task delivered twice runs once, and one whose import was failed as lost runs not at all.
    ``progress`` is told what the import row is told (the command draws it). A file with bad rows
    ends ``failed`` with ``invalid_order_import`` and every bad row in ``errors``, nothing written;
    otherwise ``succeeded`` with the counts — and ``orders_refused`` with the refused orders' rows
    in ``errors`` when the order centre refused some. The file's bytes are dropped at the end.
    """
    now = timezone.now()
    claimed = OrderImport.objects.filter(pk=import_id, status=OrderImport.QUEUED).update(
        status=OrderImport.RUNNING, phase=OrderImport.READING, processed_rows=0, started_at=now, heartbeat_at=now
    )
    if claimed != 1:
        return None
    job = OrderImport.objects.select_related("channel").get(pk=import_id)
    actor = Actor(kind=job.actor_kind, id=job.actor_id, label=job.actor_label, source=job.source)
    token = bind_trace_id(job.trace_id or current_trace_id())
    try:
        _run(job, actor, progress)
    finally:
        reset_trace_id(token)
    return OrderImport.objects.defer("content").get(pk=import_id)


class _Saver:
    """The run's progress: told every step, saved to the import row at most every ``SAVE_EVERY_SECONDS``
    (and whenever the phase changes); each save renews the lease, and finds out if it was lost."""

    def __init__(self, job: OrderImport, outer: Progress) -> None:
        self.jobs = OrderImport.objects.filter(pk=job.pk, status=OrderImport.RUNNING)
        self.outer = outer
        self.phase = OrderImport.READING
        self.saved_at = time.monotonic()
        self.counts: dict[str, int] = {}

    def tally(self, outcomes: Mapping[str, int]) -> None:
        self.counts = {name: outcomes.get(name, 0) for name in ("created", "updated", "ignored", "failed")}

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.outer(phase, done, total)
        if phase == self.phase and time.monotonic() - self.saved_at < SAVE_EVERY_SECONDS:
            return
        fields: dict[str, object] = {"phase": phase, "processed_rows": done, "heartbeat_at": timezone.now()}
        if total:
            fields["total_rows"] = total
        fields.update(self.counts)
        self.save(**fields)
        self.phase = phase

    def save(self, **fields) -> None:
        if not self.jobs.update(**fields):
            raise _LeaseLost
        self.saved_at = time.monotonic()


def _run(job: OrderImport, actor: Actor, progress: Progress) -> None:
    saver = _Saver(job, progress)
    jobs = saver.jobs
    try:
        if not Channel.objects.filter(pk=job.channel_id, active=True).exists():
            raise UnknownChannel(details={"channel": f"{job.channel.code!r} was deactivated after the upload"})
        checked = orders_checked(
            content=bytes(job.content),
            filename=job.filename,
            mapping=ColumnMap.from_json(job.mapping),
            progress=saver,
            total=job.total_rows,
        )
        saver.save(
            phase=OrderImport.APPLYING,
            file_format=checked.file_format,
            total_rows=checked.rows,
            processed_rows=0,
            total_orders=len(checked.orders),
            heartbeat_at=timezone.now(),
        )
        saver.phase = OrderImport.APPLYING
        result = orders_apply(
            orders=checked.orders, channel=job.channel, actor=actor, progress=saver, tally=saver.tally
        )
        progress("applying", result.rows, result.rows)
        marked = jobs.update(
            status=OrderImport.SUCCEEDED,
            phase="",
            processed_rows=result.rows,
            total_rows=result.rows,
            created=result.created,
            updated=result.updated,
            ignored=result.ignored,
            failed=result.failed,
            error_code=ORDERS_REFUSED if result.failed else "",
            errors=result.errors,
            content=b"",
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
        )
        if not marked:
            raise _LeaseLost
    except _LeaseLost:
        logger.warning("order import %s was failed as lost while it ran; it stopped", job.pk)
    except DomainError as exc:
        _failed(jobs, code=exc.code, errors=exc.details, counts=saver.counts)
    except Exception:
        logger.exception("order import %s stopped on an unexpected error", job.pk)
        _failed(
            jobs,
            code=SERVER_ERROR,
            errors={"file": f"the import stopped on an unexpected error (trace {job.trace_id or '-'})"},
            counts=saver.counts,
        )


def _failed(jobs, *, code: str, errors: dict, counts: Mapping[str, int]) -> None:
    jobs.update(
        status=OrderImport.FAILED,
        phase="",
        error_code=code,
        errors=errors,
        content=b"",
        finished_at=timezone.now(),
        **counts,
    )


def order_imports_fail_lost(*, import_id: int | None = None, now: datetime | None = None) -> int:
    """Marks ``failed`` each import whose run is lost (all, or only ``import_id``); returns how many.

    Lost: still ``queued`` more than the queued timeout after ``created_at`` (its task never
    started), or ``running`` with no heartbeat for the heartbeat timeout (its worker stopped). Such
    an import fails with ``order_import_abandoned`` and ``errors["file"]`` saying what was seen and
    how many orders it had applied; its bytes are dropped. Reads first, so an import that is not
    lost costs no write; each update repeats the condition, so an import claimed or renewed in
    between is left alone.
    """
    now = now or timezone.now()
    queued_limit = _setting_seconds(QUEUED_TIMEOUT_SETTING, DEFAULT_QUEUED_TIMEOUT_SECONDS)
    heartbeat_limit = _setting_seconds(HEARTBEAT_TIMEOUT_SETTING, DEFAULT_HEARTBEAT_TIMEOUT_SECONDS)
    never_started = Q(status=OrderImport.QUEUED, created_at__lt=now - timedelta(seconds=queued_limit))
    silent = Q(status=OrderImport.RUNNING, last_sign__lt=now - timedelta(seconds=heartbeat_limit))
    candidates = OrderImport.objects.annotate(last_sign=Coalesce("heartbeat_at", "started_at"))
    if import_id is not None:
        candidates = candidates.filter(pk=import_id)
    lost = list(
        candidates.filter(never_started | silent).values_list(
            "pk", "status", "created_at", "last_sign", "created", "updated", "ignored", "failed"
        )
    )
    failed = 0
    for pk, status, created_at, last_sign, *counts in lost:
        if status == OrderImport.QUEUED:
            condition = never_started
            seen = (
                f"queued at {iso_utc(created_at)} and not started within {queued_limit:g} s: its task was lost "
                "(worker stopped or queue flushed); nothing was imported — upload the file again"
            )
        else:
            condition = silent
            seen = (
                f"its worker stopped: no heartbeat since {iso_utc(last_sign)} (limit {heartbeat_limit:g} s) after "
                f"{sum(counts)} order(s) were applied — upload the file again to finish; those are not duplicated"
            )
        failed += (
            OrderImport.objects.alias(last_sign=Coalesce("heartbeat_at", "started_at"))
            .filter(condition, pk=pk)
            .update(
                status=OrderImport.FAILED,
                phase="",
                error_code=ABANDONED,
                errors={"file": seen},
                content=b"",
                finished_at=now,
            )
        )
        logger.warning("order import %s failed as lost: %s", pk, seen)
    return failed
