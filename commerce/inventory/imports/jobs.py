"""Uploads: a small file is applied inside the request, a large one by a django-q2 task.

``stock_import_upload`` applies a file of at most ``SYNC_MAX_ROWS`` rows at once, as
``import_stock`` does; a larger one is stored in a ``StockImport`` row (its bytes in the database)
and applied by the task ``stock_import_run_task``, whose progress and errors the import row shows.
Both paths check and apply exactly the same way (``parse``, ``apply``).
"""

import hashlib
import io
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from core.actors import Actor
from core.errors import Conflict, DomainError
from core.trace import bind_trace_id, current_trace_id, reset_trace_id

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
# fraction of it on PostgreSQL. An import still ``validating`` this long after it started lost
# its worker: nothing of it was applied (the apply is one transaction that also marks it applied),
# so it is marked failed and the same file may be uploaded again.
IMPORT_TASK_TIMEOUT_SECONDS = 900
ABANDONED_AFTER = timedelta(seconds=2 * IMPORT_TASK_TIMEOUT_SECONDS)
# Reading progress is written to the import row every this many rows.
PROGRESS_SAVE_EVERY = 10_000


class StockImportInProgress(Conflict):
    """The same file (by SHA-256) is already queued or being validated; ``details`` names that import."""

    code = "stock_import_in_progress"
    message = _("This file is already being imported; follow that import instead of uploading it again.")


def stock_import_upload(*, content: bytes, filename: str, actor: Actor, user=None) -> StockImportResult | StockImport:
    """One uploaded file: applied now when it is small, otherwise queued. The API's upload service.

    First a fast pass over the whole file (``stock_file_rows``): an empty file, a wrong header,
    text that is not UTF-8, broken CSV or more than ``MAX_ROWS`` rows are refused here, before
    anything is stored. Then a file of at most ``SYNC_MAX_ROWS`` rows is imported at once
    (``stock_import``; returns its ``StockImportResult`` or raises its errors), and a larger one
    becomes a ``StockImport`` that a django-q2 task applies after this transaction commits
    (returns the import, ``queued``). The same file while an import of it is queued or being
    validated raises ``StockImportInProgress`` naming that import: a count applies absolute
    levels, so a second copy could only repeat the first, and it is most often a retried upload.
    """
    rows = stock_file_rows(content)
    reason = f"stock import {filename}"[:200]
    if rows <= SYNC_MAX_ROWS:
        return stock_import(file=io.BytesIO(content), actor=actor, reason=reason)
    content_hash = hashlib.sha256(content).hexdigest()
    _abandoned_imports_fail(content_hash=content_hash)
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


def _abandoned_imports_fail(*, content_hash: str | None = None) -> None:
    stale = StockImport.objects.filter(status=StockImport.VALIDATING, started_at__lt=timezone.now() - ABANDONED_AFTER)
    if content_hash is not None:
        stale = stale.filter(content_hash=content_hash)
    stale.update(
        status=StockImport.FAILED,
        phase="",
        error_code="stock_import_abandoned",
        errors={"file": "the worker stopped before the import finished; nothing was imported — upload it again"},
        content=b"",
        finished_at=timezone.now(),
    )


def stock_import_run_task(import_id: int) -> None:
    """The django-q2 task: fetch by id, run the service."""
    stock_import_run(import_id=import_id)


def stock_import_run(*, import_id: int) -> StockImport | None:
    """Validates and applies a queued ``StockImport``; returns it finished, or ``None`` when it was not queued.

    Idempotent: the import is claimed with a conditional ``UPDATE`` (``queued`` → ``validating``),
    so a task delivered twice runs once. Reading and shape checks happen outside any transaction
    (their progress is saved as they go); the database checks, the apply and the ``applied``
    status are one transaction — all of the file or none of it, and never applied without being
    marked so. A refused file ends ``failed`` with the same row-numbered ``errors`` the synchronous
    upload answers with. The file's bytes are dropped once the import has finished.
    """
    claimed = StockImport.objects.filter(pk=import_id, status=StockImport.QUEUED).update(
        status=StockImport.VALIDATING, phase="reading", started_at=timezone.now()
    )
    if claimed != 1:
        return None
    job = StockImport.objects.get(pk=import_id)
    actor = Actor(kind=job.actor_kind, id=job.actor_id, label=job.actor_label, source=job.source)
    token = bind_trace_id(job.trace_id or current_trace_id())
    try:
        _run(job, actor)
    finally:
        reset_trace_id(token)
    return StockImport.objects.get(pk=import_id)


def _run(job: StockImport, actor: Actor) -> None:
    jobs = StockImport.objects.filter(pk=job.pk)

    def reading(phase: str, done: int, total: int) -> None:
        if done % PROGRESS_SAVE_EVERY == 0:
            jobs.update(rows_done=done)

    reason = f"stock import {job.filename}"[:200]
    try:
        errors = RowErrors()
        levels = stock_levels_read(file=io.BytesIO(bytes(job.content)), errors=errors, progress=reading)
        jobs.update(phase="checking", rows_done=len(levels))
        with transaction.atomic():
            result = stock_levels_apply(levels=levels, errors=errors, actor=actor, reason=reason)
            jobs.update(
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
    except DomainError as exc:
        _failed(jobs, code=exc.code, errors=exc.details)
    except Exception:
        logger.exception("stock import %s stopped on an unexpected error", job.pk)
        _failed(
            jobs,
            code="server_error",
            errors={"file": f"the import stopped on an unexpected error; nothing was imported (trace {job.trace_id})"},
        )


def _failed(jobs, *, code: str, errors: dict) -> None:
    jobs.update(
        status=StockImport.FAILED, phase="", error_code=code, errors=errors, content=b"", finished_at=timezone.now()
    )
