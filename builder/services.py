"""Writes to flows: drafts, publishing, rollback, enabling. Every function is one transaction.

A draft is stored as the editor sends it — valid or not — so work is never lost; only
``flow_publish`` and ``flow_rollback`` create versions, and both refuse a document with any
problem (``InvalidFlow``) or one identical to the current version (``FlowUnchanged``: publishing
an unchanged draft twice creates nothing and answers 409). Each locks the flow row first
(``lock_objects.flow_lock``), so version numbers are assigned one at a time.

Secrets are sealed before anything is stored (``redaction.seal_document``): a draft never holds a
plaintext secret, and a version copies its draft's sealed tokens. Every change writes an audit
entry (subject ``flow``) in its own transaction, with the actor — the user by default — and the
trace id in force; its ``changes`` name nodes, fields and versions, never a secret's value.
"""

import copy

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commerce.audit.services import audit_record
from core.actors import Actor

from .diff import document_diff
from .errors import (
    EventUnavailable,
    FlowArchived,
    FlowNotPublished,
    FlowUnchanged,
    FlowVersionNotFound,
    InvalidFlow,
)
from .events import event_spec
from .lock_objects import flow_lock
from .models import Flow, FlowVersion
from .redaction import document_problems, export_document, seal_document
from .schema import MAX_DOCUMENT_BYTES, blank_document, document_checksum, document_size
from .validation import EVENT_UNAVAILABLE, too_large_problem

UNTITLED = "Untitled flow"

AUDIT_SUBJECT = "flow"
CREATED = "created"
IMPORTED = "imported"
DRAFT_SAVED = "draft_saved"
PUBLISHED = "published"
ROLLED_BACK = "rolled_back"
ENABLED = "enabled"
DISABLED = "disabled"
DELETED = "deleted"
ARCHIVED = "archived"
DUPLICATED = "duplicated"


def _actor(actor: Actor | None, user: User | None) -> Actor:
    if actor is not None:
        return actor
    return Actor.user(user) if user is not None else Actor.system("flow builder")


def _audit(flow_id: int, action: str, actor: Actor, changes: dict) -> None:
    audit_record(subject_type=AUDIT_SUBJECT, subject_id=flow_id, action=action, actor=actor, changes=changes)


def _summary(document: dict) -> dict:
    trigger = document.get("trigger")
    return {
        "name": document.get("name"),
        "trigger": trigger.get("type") if isinstance(trigger, dict) else None,
        "nodes": document_diff({}, document)["nodes"]["added"],
    }


def _refuse_oversized(document: dict) -> None:
    size = document_size(document)
    if size > MAX_DOCUMENT_BYTES:
        problem = too_large_problem(size)
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
    owner: User,
    name: str | None = None,
    description: str | None = None,
    definition: dict | None = None,
    actor: Actor | None = None,
    audit_action: str = CREATED,
) -> Flow:
    """Creates a flow with ``definition`` (or a blank document) as its draft, valid or not.

    ``name`` and ``description``, when given, are written into the document; secrets are sealed
    (a masked one, with nothing stored to keep, is dropped). Refuses only a document over the
    size cap. Audited as ``created`` by ``actor`` (the owner by default).
    """
    document = definition if definition is not None else blank_document(name or UNTITLED, description or "")
    document = seal_document(_named(document, name, description))
    _refuse_oversized(document)
    with transaction.atomic():
        flow = Flow(owner=owner, draft=document, draft_updated_at=timezone.now())
        _mirror_names(flow)
        flow.save()
        _audit(flow.pk, audit_action, _actor(actor, owner), _summary(document))
    return flow


def flow_import(*, owner: User, document: dict, actor: Actor | None = None) -> Flow:
    """Creates a flow from a marketplace file or an export; any secret in the file is left out.

    The operator enters the secrets on the new flow. Audited as ``imported``.
    """
    return flow_create(owner=owner, definition=export_document(document), actor=actor, audit_action=IMPORTED)


def flow_update_draft(
    *,
    flow_id: int,
    name: str | None = None,
    description: str | None = None,
    definition: dict | None = None,
    actor: Actor | None = None,
) -> Flow:
    """Replaces the draft (and/or its name and description); published versions are untouched.

    A secret sent back masked (``redaction.SECRET_MASK``) keeps the stored one; a new one is
    sealed. Audited as ``draft_saved`` with ``builder.diff.document_diff`` as its changes.
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        previous = flow.draft
        document = previous if definition is None else seal_document(definition, previous)
        document = _named(document, name, description)
        _refuse_oversized(document)
        flow.draft = document
        flow.draft_updated_at = timezone.now()
        _mirror_names(flow)
        flow.save(update_fields=["draft", "draft_updated_at", "name", "description", "updated_at"])
        _audit(flow.pk, DRAFT_SAVED, _actor(actor, None), document_diff(previous, document))
    return flow


def _refuse_problems(document: dict) -> None:
    """``EventUnavailable`` when the trigger's event is not emitted yet, else ``InvalidFlow``, for any problem."""
    problems = document_problems(document)
    if not problems:
        return
    if any(p.code == EVENT_UNAVAILABLE for p in problems):
        spec = event_spec(document["trigger"]["event"])
        assert spec is not None and spec.unavailable is not None  # what the problem says
        raise EventUnavailable(problems, event=spec.name, reason=spec.unavailable.as_dict())
    raise InvalidFlow(problems)


def _publish_locked(flow: Flow, document: dict, *, user: User | None, notes: str) -> FlowVersion:
    _refuse_problems(document)
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


def flow_publish(
    *,
    flow_id: int,
    user: User | None,
    notes: str = "",
    enable: bool | None = None,
    first_publish_enables: bool = False,
    actor: Actor | None = None,
) -> FlowVersion:
    """Freezes the draft as the next version (1, 2, 3…) and makes it current — and live, if asked.

    ``enable``: ``True`` switches the flow on in the same transaction (audited ``enabled``),
    ``False`` switches it off, ``None`` leaves the switch as it is — except on a first publish
    with ``first_publish_enables`` (the API's default: publishing means live).

    Raises ``InvalidFlow`` (with every problem) for an invalid draft, ``FlowUnchanged`` when the
    draft is identical to the current version and ``FlowArchived`` for a deleted flow; then
    nothing is written. The draft's secrets are sealed again if a plaintext slipped in (a draft
    stored before sealing existed).
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        if flow.archived_at is not None:
            raise FlowArchived(details={"flow": flow.pk})
        first = flow.current_version_id is None
        document = seal_document(flow.draft)
        version = _publish_locked(flow, document, user=user, notes=notes)
        fields = ["current_version", "updated_at"]
        if document != flow.draft:
            flow.draft = copy.deepcopy(document)
            fields.append("draft")
        switch = enable if enable is not None else (True if first and first_publish_enables else flow.enabled)
        switched = switch != flow.enabled
        if switched:
            flow.enabled = switch
            fields.append("enabled")
        flow.save(update_fields=fields)
        changes = {"version": version.number, "checksum": version.checksum, "notes": notes}
        _audit(flow.pk, PUBLISHED, _actor(actor, user), changes)
        if switched:
            _audit(flow.pk, ENABLED if switch else DISABLED, _actor(actor, user), {"version": version.number})
    return version


def flow_rollback(
    *,
    flow_id: int,
    version: int,
    user: User | None,
    notes: str | None = None,
    actor: Actor | None = None,
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
        changes = {"version": new.number, "rolled_back_to": old.number, "checksum": new.checksum, "notes": new.notes}
        _audit(flow.pk, ROLLED_BACK, _actor(actor, user), changes)
    return new


def flow_set_enabled(*, flow_id: int, enabled: bool, actor: Actor | None = None) -> Flow:
    """Turns the flow's current version on or off for the runtime. Only a published flow can be enabled.

    Audited as ``enabled`` / ``disabled`` when it changes anything.
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        if enabled and flow.archived_at is not None:
            raise FlowArchived(details={"flow": flow.pk})
        if enabled and flow.current_version_id is None:
            raise FlowNotPublished(details={"flow": flow.pk})
        if flow.enabled != enabled:
            flow.enabled = enabled
            flow.save(update_fields=["enabled", "updated_at"])
            version = flow.current_version.number if flow.current_version else None
            _audit(flow.pk, ENABLED if enabled else DISABLED, _actor(actor, None), {"version": version})
    return flow


def flow_delete(*, flow_id: int, actor: Actor | None = None) -> bool:
    """Removes a flow that was never published; archives one that was. Answers whether it was archived.

    A published flow has versions, which are immutable history that executions name (and the
    builder cannot see the runtime's executions: it sits below it): it is switched off and marked
    ``archived_at`` — gone from the list, kept for its executions and audit trail (audited
    ``archived``). Deleting an archived flow again changes nothing. A never-published flow has no
    execution and is deleted (audited ``deleted``).
    """
    with transaction.atomic():
        flow = flow_lock(flow_id)
        if flow.current_version_id is not None:
            if flow.archived_at is None:
                flow.archived_at = timezone.now()
                flow.enabled = False
                flow.save(update_fields=["archived_at", "enabled", "updated_at"])
                live = flow.current_version
                _audit(flow.pk, ARCHIVED, _actor(actor, None), {"version": live.number if live else None})
            return True
        flow_pk, summary = flow.pk, _summary(flow.draft)
        flow.delete()
        _audit(flow_pk, DELETED, _actor(actor, None), summary)
    return False


def flow_duplicate(*, flow_id: int, owner: User, name: str, actor: Actor | None = None) -> Flow:
    """A new, unpublished flow whose draft is a copy of ``flow_id``'s draft, named ``name``.

    Sealed secrets are copied sealed (the same server key reads them). Audited on the new flow as
    ``duplicated`` with the flow it came from. An archived flow may be duplicated: that is how it
    is used again.
    """
    with transaction.atomic():
        source = flow_lock(flow_id)
        document = _named(source.draft, name, None)
        flow = Flow(owner=owner, draft=document, draft_updated_at=timezone.now())
        _mirror_names(flow)
        flow.save()
        _audit(flow.pk, DUPLICATED, _actor(actor, owner), {"from": source.pk, **_summary(document)})
    return flow
