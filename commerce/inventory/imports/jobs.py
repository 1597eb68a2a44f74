"""Uploads: a small file is applied inside the request, a large one by a django-q2 task.

``stock_import_upload`` applies a file of at most ``SYNC_MAX_ROWS`` rows at once, as
``import_stock`` does; a larger one is stored in a ``StockImport`` row (its bytes in the database)
and applied by the task ``stock_import_run_task``, whose progress and errors the import row shows.
Both paths check and apply exactly the same way (``parse``, ``apply``).

A background import holds a lease. The task claims it (``queued`` → ``validating``) and, while it
runs, a thread of its own renews ``heartbeat_at`` every ``ORDERFLOW_STOCK_IMPORT_HEARTBEAT_SECONDS``
(default 15). A task that was lost — its worker killed, the broker flushed — stops renewing it;
``stock_imports_fail_lost`` then marks the import ``failed`` (``stock_import_abandoned``) when it
is still ``queued`` ``ORDERFLOW_STOCK_IMPORT_QUEUED_TIMEOUT_SECONDS`` (default 900) after it was
created, or ``validating`` with no heartbeat for ``ORDERFLOW_STOCK_IMPORT_HEARTBEAT_TIMEOUT_SECONDS``
(default 120). It runs when a large file is uploaded and when an import is read, so a lost import
never blocks the same file for long. Only the lease holder writes an outcome: the apply commits
only if its import is still ``validating`` in that same transaction, so an import declared lost
is never applied after all, and a late claim of a failed import finds nothing to claim.
"""

import hashlib
import io
import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from core.actors import Actor
from core.errors import Conflict, DomainError
from core.time import iso_utc
from core.trace import bind_trace_id, current_trace_id, reset_trace_id

from ..errors import StockImportInvalid, StockImportTooLarge
from ..models import StockImport
from .apply import StockImportResult, stock_import, stock_levels_apply
from .parse import RowErrors, stock_file_rows, stock_levels_read

logger = logging.getLogger(__name__)

# Files up to this many data rows are applied inside the upload's request and answered 200 with the
# counts, as before; larger ones are stored and applied by a django-q2 task (202 + the import's id).
# 2,000 rows check and apply in well under a second on either database, so the request stays far
# inside any proxy's timeout, and every file the synchronous contract was written for still gets it.
SYNC_MAX_ROWS = 2_000
# The package's name for the task, not this module's: tasks already in the broker name it so.
IMPORT_TASK = "commerce.inventory.imports.stock_import_run_task"
# Per-task limit for the worker (the cluster's default is 120 s); a full ``MAX_ROWS`` file takes a
# fraction of it on PostgreSQL.
IMPORT_TASK_TIMEOUT_SECONDS = 900
# Reading progress is written to the import row every this many rows.
PROGRESS_SAVE_EVERY = 10_000

# The lease, in seconds; settings read at call time (see the module's docstring).
QUEUED_TIMEOUT_SETTING = "ORDERFLOW_STOCK_IMPORT_QUEUED_TIMEOUT_SECONDS"
HEARTBEAT_SETTING = "ORDERFLOW_STOCK_IMPORT_HEARTBEAT_SECONDS"
HEARTBEAT_TIMEOUT_SETTING = "ORDERFLOW_STOCK_IMPORT_HEARTBEAT_TIMEOUT_SECONDS"
DEFAULT_QUEUED_TIMEOUT_SECONDS = 15 * 60
DEFAULT_HEARTBEAT_SECONDS = 15
DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 120

ABANDONED = "stock_import_abandoned"
SERVER_ERROR = "server_error"

# What a failed import's ``error_code`` means, in the reader's language (``stock_import_failure_message``).
FAILURE_MESSAGES = {
    StockImportInvalid.code: StockImportInvalid.message,
    StockImportTooLarge.code: StockImportTooLarge.message,
    ABANDONED: _(
        "The import stopped before it finished: its task was lost or its worker stopped. "
        "Nothing was imported; upload the file again."
    ),
    SERVER_ERROR: _("The import stopped on an unexpected error; nothing was imported. Upload the file again."),
}


class StockImportInProgress(Conflict):
    """The same file (by SHA-256) is already queued or being validated; ``details`` names that import."""

    code = "stock_import_in_progress"
    message = _("This file is already being imported; follow that import instead of uploading it again.")


class _LeaseLost(Exception):
    """The import stopped being ``validating`` under its task: it was declared lost."""


def _setting_seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def stock_import_failure_message(code: str) -> str:
    """Why an import failed, for people, in the active language; ``""`` for a code with no message."""
    message = FAILURE_MESSAGES.get(code)
    return "" if message is None else str(message)


def stock_import_upload(*, content: bytes, filename: str, actor: Actor, user=None) -> StockImportResult | StockImport:
    """One uploaded file: applied now when it is small, otherwise queued. The API's upload service.

    First a fast pass over the whole file (``stock_file_rows``): an empty file, a wrong header,
    text that is not UTF-8, broken CSV or more than ``MAX_ROWS`` rows are refused here, before
    anything is stored. Then a file of at most ``SYNC_MAX_ROWS`` rows is imported at once
    (``stock_import``; returns its ``StockImportResult`` or raises its errors), and a larger one
    becomes a ``StockImport`` that a django-q2 task applies after this transaction commits
    (returns the import, ``queued``). Lost imports are failed first (``stock_imports_fail_lost``);
    the same file while an import of it is still queued or validating with a live lease raises
    ``StockImportInProgress`` naming that import: a count applies absolute levels, so a second
    copy could only repeat the first, and it is most often a retried upload.
    """
    rows = stock_file_rows(content)
    reason = f"stock import {filename}"[:200]
    if rows <= SYNC_MAX_ROWS:
        return stock_import(file=io.BytesIO(content), actor=actor, reason=reason)
    content_hash = hashlib.sha256(content).hexdigest()
    stock_imports_fail_lost()
    try:
        with transaction.atomic():
            stock_import_row = StockImport.objects.create(
                created_by=user,
                actor_kind=actor.kind,
                actor_id=actor.id,
                actor_label=actor.label,
                source=actor.source,
                trace_id=current_trace_id(),
                filename=filename[:255],
                content_hash=content_hash,
                content=content,
                size_bytes=len(content),
                row_count=rows,
            )
            transaction.on_commit(lambda: _enqueue(stock_import_row.pk))
    except IntegrityError:
        running = StockImport.objects.filter(content_hash=content_hash, status__in=StockImport.IN_PROGRESS).first()
        if running is None:  # finished between the insert and this read: this upload may go ahead
            return stock_import_upload(content=content, filename=filename, actor=actor, user=user)
        raise StockImportInProgress(
            details={"import": running.pk, "status": running.status, "filename": running.filename}
        ) from None
    return stock_import_row


def _enqueue(import_id: int) -> None:
    """Queues the run. ``Q_CLUSTER["sync"]`` (read at call time, so tests can set it) runs it here and now."""
    sync = bool(settings.Q_CLUSTER.get("sync", False))
    async_task(IMPORT_TASK, import_id, q_options={"sync": sync, "save": False, "timeout": IMPORT_TASK_TIMEOUT_SECONDS})


def stock_imports_fail_lost(*, import_id: int | None = None, now: datetime | None = None) -> int:
    """Marks ``failed`` each import whose task is lost (all, or only ``import_id``); returns how many.

    Lost: still ``queued`` more than the queued timeout after ``created_at`` (its task never
    started), or ``validating`` with no heartbeat for the heartbeat timeout (its worker stopped).
    Nothing of such an import was applied — the apply and its ``applied`` status commit together
    — so it fails with ``error_code`` ``stock_import_abandoned``, ``errors["file"]`` saying what
    was seen, and its bytes dropped; the same file may then be uploaded again. Reads first, so
    an import that is not lost costs no write; each update repeats the condition, so an import
    claimed or renewed in between is left alone.
    """
    now = now or timezone.now()
    queued_limit = _setting_seconds(QUEUED_TIMEOUT_SETTING, DEFAULT_QUEUED_TIMEOUT_SECONDS)
    heartbeat_limit = _setting_seconds(HEARTBEAT_TIMEOUT_SETTING, DEFAULT_HEARTBEAT_TIMEOUT_SECONDS)
    never_started = Q(status=StockImport.QUEUED, created_at__lt=now - timedelta(seconds=queued_limit))
    # A row from before heartbeats were written has only its start to go by.
    silent = Q(status=StockImport.VALIDATING, last_sign__lt=now - timedelta(seconds=heartbeat_limit))
    candidates = StockImport.objects.annotate(last_sign=Coalesce("heartbeat_at", "started_at"))
    if import_id is not None:
        candidates = candidates.filter(pk=import_id)
    lost = list(candidates.filter(never_started | silent).values_list("pk", "status", "created_at", "last_sign"))
    failed = 0
    for pk, status, created_at, last_sign in lost:
        if status == StockImport.QUEUED:
            condition = never_started
            seen = (
                f"queued at {iso_utc(created_at)} and not started within {queued_limit:g} s: its task was lost "
                "(worker stopped or queue flushed); nothing was imported — upload the file again"
            )
        else:
            condition = silent
            seen = (
                f"its worker stopped: no heartbeat since {iso_utc(last_sign)} (limit {heartbeat_limit:g} s); "
                "nothing was imported — upload the file again"
            )
        failed += (
            StockImport.objects.alias(last_sign=Coalesce("heartbeat_at", "started_at"))
            .filter(condition, pk=pk)
            .update(
                status=StockImport.FAILED,
                phase="",
                error_code=ABANDONED,
                errors={"file": seen},
                content=b"",
                finished_at=now,
            )
        )
        logger.warning("stock import %s failed as lost: %s", pk, seen)
    return failed


def stock_import_run_task(import_id: int) -> None:
    """The django-q2 task: fetch by id, run the service."""
    stock_import_run(import_id=import_id)


def stock_import_run(*, import_id: int) -> StockImport | None:
    """Validates and applies a queued ``StockImport``; returns it finished, or ``None`` when it was not queued.

    Idempotent: the import is claimed with a conditional ``UPDATE`` (``queued`` → ``validating``),
    so a task delivered twice runs once, and one whose import was failed as lost runs not at all.
    While it runs, a heartbeat thread renews its lease. Reading and shape checks happen outside
    any transaction (their progress is saved as they go); the database checks, the apply and the
    ``applied`` status are one transaction — all of the file or none of it, never applied without
    being marked so, and rolled back when the import is no longer ``validating`` by then (it was
    declared lost). A refused file ends ``failed`` with the same row-numbered ``errors`` the
    synchronous upload answers with. The file's bytes are dropped once the import has finished.
    """
    now = timezone.now()
    claimed = StockImport.objects.filter(pk=import_id, status=StockImport.QUEUED).update(
        status=StockImport.VALIDATING, phase="reading", started_at=now, heartbeat_at=now
    )
    if claimed != 1:
        return None
    job = StockImport.objects.get(pk=import_id)
    actor = Actor(kind=job.actor_kind, id=job.actor_id, label=job.actor_label, source=job.source)
    token = bind_trace_id(job.trace_id or current_trace_id())
    try:
        with _Heartbeat(job.pk, every=_setting_seconds(HEARTBEAT_SETTING, DEFAULT_HEARTBEAT_SECONDS)):
            _run(job, actor)
    finally:
        reset_trace_id(token)
    return StockImport.objects.get(pk=import_id)


class _Heartbeat:
    """Renews an import's lease (``heartbeat_at``) every ``every`` seconds from a thread, while the block runs.

    A thread, because the apply is one long transaction: a heartbeat written in it would be seen
    by nobody until it commits. The thread has its own connection and closes it when it stops. A
    write that fails (on SQLite the apply's transaction holds the database's one write lock) is
    logged and tried again at the next beat; the lease then simply looks older.
    """

    def __init__(self, import_id: int, *, every: float) -> None:
        self.import_id = import_id
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"stock-import-{import_id}-heartbeat", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    StockImport.objects.filter(pk=self.import_id, status=StockImport.VALIDATING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("stock import %s: heartbeat not written", self.import_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


def _run(job: StockImport, actor: Actor) -> None:
    # Every write of the task is conditional on its lease: an import declared lost is left as it is.
    jobs = StockImport.objects.filter(pk=job.pk, status=StockImport.VALIDATING)

    def reading(phase: str, done: int, total: int) -> None:
        if done % PROGRESS_SAVE_EVERY == 0 and not jobs.update(rows_done=done, heartbeat_at=timezone.now()):
            raise _LeaseLost

    reason = f"stock import {job.filename}"[:200]
    try:
        errors = RowErrors()
        levels = stock_levels_read(file=io.BytesIO(bytes(job.content)), errors=errors, progress=reading)
        if not jobs.update(phase="checking", rows_done=len(levels), heartbeat_at=timezone.now()):
            raise _LeaseLost
        with transaction.atomic():
            result = stock_levels_apply(levels=levels, errors=errors, actor=actor, reason=reason)
            marked = jobs.update(
                status=StockImport.APPLIED,
                phase="",
                rows_done=result.rows,
                created=result.created,
                changed=result.changed,
                unchanged=result.unchanged,
                movements=result.movements,
                content=b"",
                finished_at=timezone.now(),
            )
            if not marked:
                raise _LeaseLost  # rolls the apply back with it
    except _LeaseLost:
        logger.warning("stock import %s was failed as lost while it ran; nothing of it was applied", job.pk)
    except DomainError as exc:
        _failed(jobs, code=exc.code, errors=exc.details)
    except Exception:
        logger.exception("stock import %s stopped on an unexpected error", job.pk)
        _failed(
            jobs,
            code=SERVER_ERROR,
            errors={"file": f"the import stopped on an unexpected error; nothing was imported (trace {job.trace_id})"},
        )


def _failed(jobs, *, code: str, errors: dict) -> None:
    jobs.update(
        status=StockImport.FAILED, phase="", error_code=code, errors=errors, content=b"", finished_at=timezone.now()
    )
