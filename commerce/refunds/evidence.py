"""Evidence images on a refund request: checked, stored, listed, removed.

An upload is an image by its own bytes — JPEG (``FF D8 FF``), PNG (the 8-byte signature) or WebP
(``RIFF<size>WEBP``) — whatever the client said its type was; anything else is refused. Each file
is at most ``ORDERFLOW_REFUND_EVIDENCE_MAX_BYTES`` (5 MB) and a request holds at most
``ORDERFLOW_REFUND_EVIDENCE_MAX_FILES`` (9). The count is checked under the order's row lock (the
lock every refund write takes), so two uploads racing cannot pass it. The same bytes twice on one
request are one file (answered as it is). Files may be added until the request ends and removed
while it still waits for a decision.

The file is written before its row: an upload whose transaction then rolls back leaves a file no
row names, which ``evidence_orphans_sweep`` (scheduled hourly) removes once it is an hour old.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone

from commerce.audit.services import audit_record
from core.actors import Actor

from . import statuses
from .errors import EvidenceLimit, EvidenceNotFound, EvidenceTooLarge, InvalidEvidence, RefundNotPending
from .models import RefundEvidence, RefundRequest
from .services import SUBJECT, lock_request
from .storage import evidence_storage

NAME_MAX = 120
ENDED = frozenset({statuses.REJECTED, statuses.CANCELLED, statuses.REFUNDED})


def evidence_max_bytes() -> int:
    return int(getattr(settings, "ORDERFLOW_REFUND_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def evidence_max_files() -> int:
    return int(getattr(settings, "ORDERFLOW_REFUND_EVIDENCE_MAX_FILES", 9))


def sniff_image(content: bytes) -> str | None:
    """The image type the bytes themselves say, or None when they are none of the three."""
    if content[:3] == b"\xff\xd8\xff":
        return RefundEvidence.JPEG
    if content[:8] == b"\x89PNG\r\n\x1a\n":
        return RefundEvidence.PNG
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return RefundEvidence.WEBP
    return None


def evidence_check(*, content: bytes, name: str = "") -> str:
    """The image's type, or the error that refuses it (nothing is written)."""
    limit = evidence_max_bytes()
    if len(content) > limit:
        raise EvidenceTooLarge(details={"file": f"{name or 'the file'} is {len(content)} bytes; at most {limit}"})
    if not content:
        raise InvalidEvidence(details={"file": "the file is empty"})
    kind = sniff_image(content)
    if kind is None:
        raise InvalidEvidence(details={"file": f"{name or 'the file'} is not a JPEG, PNG or WebP image"})
    return kind


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:NAME_MAX]


def evidence_attach(*, refund: RefundRequest, content: bytes, name: str, actor: Actor) -> RefundEvidence:
    """Stores one checked image on ``refund``; the caller holds the order's lock (``lock_request``)."""
    kind = evidence_check(content=content, name=name)
    digest = hashlib.sha256(content).hexdigest()
    existing = refund.evidence.filter(sha256=digest).first()
    if existing is not None:
        return existing
    limit = evidence_max_files()
    if refund.evidence.count() >= limit:
        raise EvidenceLimit(details={"file": f"at most {limit} images per refund request"})
    evidence = RefundEvidence(
        request=refund,
        content_type=kind,
        size=len(content),
        sha256=digest,
        name=_clean_name(name),
        uploaded_by=actor.label,
    )
    storage = evidence_storage()
    evidence.stored_as = storage.save(f"refunds/{refund.pk}/{digest}{evidence.extension}", ContentFile(content))
    try:
        evidence.save()
    except Exception:
        storage.delete(evidence.stored_as)
        raise
    audit_record(
        subject_type=SUBJECT,
        subject_id=refund.order_id,
        action="refund_evidence_added",
        actor=actor,
        changes={"refund": refund.pk, "evidence": evidence.pk, "type": kind, "size": len(content)},
    )
    return evidence


def evidence_add(*, refund_id: int, content: bytes, name: str, actor: Actor) -> RefundEvidence:
    """Adds an image to a request that has not ended (refunded, rejected or cancelled)."""
    evidence_check(content=content, name=name)  # refused before any lock is taken
    with transaction.atomic():
        refund, _order = lock_request(refund_id)
        if refund.status in ENDED:
            raise RefundNotPending(details={"status": refund.status})
        return evidence_attach(refund=refund, content=content, name=name, actor=actor)


def evidence_delete(*, refund_id: int, evidence_id: int, actor: Actor) -> None:
    """Removes an image while the request still waits for a decision; the file goes after commit."""
    with transaction.atomic():
        refund, _order = lock_request(refund_id)
        evidence = refund.evidence.filter(pk=evidence_id).first()
        if evidence is None:
            raise EvidenceNotFound(details={"evidence": evidence_id})
        if refund.status not in statuses.CANCELLABLE:
            raise RefundNotPending(details={"status": refund.status})
        stored, storage = evidence.stored_as, evidence_storage()
        evidence.delete()
        audit_record(
            subject_type=SUBJECT,
            subject_id=refund.order_id,
            action="refund_evidence_deleted",
            actor=actor,
            changes={"refund": refund.pk, "evidence": evidence_id},
        )
        transaction.on_commit(lambda: storage.delete(stored))


def evidence_get(*, refund_id: int, evidence_id: int) -> RefundEvidence:
    evidence = RefundEvidence.objects.filter(request_id=refund_id, pk=evidence_id).first()
    if evidence is None:
        raise EvidenceNotFound(details={"evidence": evidence_id})
    return evidence


def evidence_response(evidence: RefundEvidence) -> FileResponse:
    """The stored image as a download: its sniffed type, ``nosniff``, and a fixed file name."""
    response = FileResponse(
        evidence_storage().open(evidence.stored_as, "rb"),
        content_type=evidence.content_type,
        as_attachment=False,
        filename=f"evidence-{evidence.pk}{evidence.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# A file younger than this may belong to an upload whose transaction has not committed yet.
ORPHAN_GRACE = timedelta(hours=1)


def evidence_orphans_sweep(*, now: datetime | None = None) -> int:
    """Deletes stored files that no evidence row names: written by an upload whose transaction
    then rolled back (the file is written before the row, see ``evidence_attach``). Only files
    older than ``ORPHAN_GRACE``; answers how many went."""
    storage = evidence_storage()
    root = Path(storage.location)
    if not root.is_dir():
        return 0
    oldest = ((now or timezone.now()) - ORPHAN_GRACE).timestamp()
    candidates = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.stat().st_mtime < oldest
    ]
    known = set(RefundEvidence.objects.filter(stored_as__in=candidates).values_list("stored_as", flat=True))
    orphans = [name for name in candidates if name not in known]
    for name in orphans:
        storage.delete(name)
    return len(orphans)
