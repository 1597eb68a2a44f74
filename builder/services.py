"""Writes to flows: drafts, publishing, rollback, enabling. Every function is one transaction.

A draft is stored as the editor sends it — valid or not — so work is never lost; only
``flow_publish`` and ``flow_rollback`` create versions, and both refuse a document with any
problem (``InvalidFlow``) or one identical to the current version (``FlowUnchanged``: publishing
an unchanged draft twice creates nothing and answers 409). Each locks the flow row first
(``lock_objects.flow_lock``), so version numbers are assigned one at a time.
"""

import copy

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import FlowHasVersions, FlowNotPublished, FlowUnchanged, FlowVersionNotFound, InvalidFlow
from .lock_objects import flow_lock
from .models import Flow, FlowVersion
from .redaction import restore_secret
from .schema import MAX_DOCUMENT_BYTES, blank_document, document_checksum, document_size
from .validation import Problem, validate_document

UNTITLED = "Untitled flow"


def _refuse_oversized(document: dict) -> None:
    size = document_size(document)
    if size > MAX_DOCUMENT_BYTES:
        problem = Problem(
            "document_too_large",
            f"the document is {size} bytes; the limit is {MAX_DOCUMENT_BYTES} bytes",
            None,
            "",
        )
        raise InvalidFlow([problem], message=_("The flow document is too large; nothing was saved."))


def _named(document: dict, name: str | None, description: str | None) -> dict:
    """The document with the given name and description written into it (they live in the document)."""
    document = copy.deepcopy(document)
    if name is not None:
        document["name"] = name
    if description is not None:
        document["description"] = description
    return document


def _mirror_names(flow: Flow) -> None:
    name = flow.draft.get("name")
    description = flow.draft.get("description")
    flow.name = (name.strip() if isinstance(name, str) and name.strip() else UNTITLED)[:200]
    flow.description = description if isinstance(description, str) else ""


def flow_create(
    *,
    owner: AbstractBaseUser,
    name: str | None = None,
    description: str | None = None,
    definition: dict | None = None,
) -> Flow:
    """Creates a flow with ``definition`` (or a blank document) as its draft, valid or not.

    ``name`` and ``description``, when given, are written into the document. Refuses only a
    document over the size cap.
    """
    document = definition if definition is not None else blank_document(name or UNTITLED, description or "")
    document = _named(document, name, description)
    _refuse_oversized(document)
    with transaction.atomic():
        flow = Flow(owner=owner, draft=document, draft_updated_at=timezone.now())
        _mirror_names(flow)
        flow.save()
    return flow


def flow_update_draft(
    *,
    flow_id: int,
    name: str | None = None,
    description: str | None = None,
    definition: dict | None = None,
) -> Flow:
    """Replaces the draft (and/or its name and description); published versions are untouched.

    A webhook secret sent back masked (``redaction.SECRET_MASK``) keeps the stored one.
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        document = flow.draft if definition is None else restore_secret(definition, flow.draft)
        document = _named(document, name, description)
        _refuse_oversized(document)
        flow.draft = document
        flow.draft_updated_at = timezone.now()
        _mirror_names(flow)
        flow.save(update_fields=["draft", "draft_updated_at", "name", "description", "updated_at"])
    return flow


def _publish_locked(flow: Flow, document: dict, *, user: AbstractBaseUser | None, notes: str) -> FlowVersion:
    problems = validate_document(document)
    if problems:
        raise InvalidFlow(problems)
    checksum = document_checksum(document)
    current = flow.current_version
    if current is not None and current.checksum == checksum:
        raise FlowUnchanged(details={"version": current.number, "checksum": checksum})
    last = FlowVersion.objects.filter(flow=flow).aggregate(last=Max("number"))["last"] or 0
    trigger = document["trigger"]
    version = FlowVersion.objects.create(
        flow=flow,
        number=last + 1,
        document=document,
        checksum=checksum,
        trigger_type=trigger["type"],
        trigger_event=trigger.get("event", "") if trigger["type"] == "event" else "",
        published_by=user,
        published_at=timezone.now(),
        notes=notes,
    )
    flow.current_version = version
    return version


def flow_publish(*, flow_id: int, user: AbstractBaseUser | None, notes: str = "") -> FlowVersion:
    """Freezes the draft as the next version (1, 2, 3…) and makes it current.

    Raises ``InvalidFlow`` (with every problem) for an invalid draft and ``FlowUnchanged`` when
    the draft is identical to the current version; in both cases nothing is written.
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        version = _publish_locked(flow, flow.draft, user=user, notes=notes)
        flow.save(update_fields=["current_version", "updated_at"])
    return version


def flow_rollback(
    *, flow_id: int, version: int, user: AbstractBaseUser | None, notes: str | None = None
) -> FlowVersion:
    """Publishes version ``version``'s document again as a new version, and makes it the draft.

    History is never rewritten: rolling 3 back to 1 creates version 4 with 1's document. The old
    document is validated against today's catalog first (an action may have gone since).
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        old = FlowVersion.objects.filter(flow=flow, number=version).first()
        if old is None:
            raise FlowVersionNotFound(details={"version": version})
        document = copy.deepcopy(old.document)
        new = _publish_locked(
            flow,
            document,
            user=user,
            notes=notes if notes else f"Rollback to version {old.number}",
        )
        flow.draft = copy.deepcopy(document)
        flow.draft_updated_at = timezone.now()
        _mirror_names(flow)
        flow.save(update_fields=["current_version", "draft", "draft_updated_at", "name", "description", "updated_at"])
    return new


def flow_set_enabled(*, flow_id: int, enabled: bool) -> Flow:
    """Turns the flow's current version on or off for the runtime. Only a published flow can be enabled."""
    with transaction.atomic():
        flow = flow_lock(flow_id)
        if enabled and flow.current_version_id is None:
            raise FlowNotPublished(details={"flow": flow.pk})
        if flow.enabled != enabled:
            flow.enabled = enabled
            flow.save(update_fields=["enabled", "updated_at"])
    return flow


def flow_delete(*, flow_id: int) -> None:
    """Removes a flow that was never published; a published one must be disabled instead."""
    with transaction.atomic():
        flow = flow_lock(flow_id)
        if flow.current_version_id is not None:
            raise FlowHasVersions(details={"flow": flow.pk})
        flow.delete()
