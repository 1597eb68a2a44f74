"""The JSON shapes of flows and versions in API answers. Secrets are always masked (``redaction``)."""

from core.time import iso_utc

from .redaction import redact_document
from .schema import document_checksum
from .validation import Problem


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username()}


def version_summary(version) -> dict:
    return {
        "flow": version.flow_id,
        "number": version.number,
        "checksum": version.checksum,
        "trigger_type": version.trigger_type,
        "trigger_event": version.trigger_event,
        "published_by": _user(version.published_by),
        "published_at": iso_utc(version.published_at),
        "notes": version.notes,
    }


def version_representation(version) -> dict:
    return {**version_summary(version), "definition": redact_document(version.document)}


RUNNING = "running"
DISABLED = "disabled"
DRAFT = "draft"
ARCHIVED = "archived"


def flow_state(flow) -> str:
    """What the list says of a flow: ``running`` (v3 is live), ``disabled`` (published, switched
    off), ``draft`` (never published) or ``archived`` (deleted, kept for its history)."""
    if flow.archived_at is not None:
        return ARCHIVED
    if flow.current_version_id is None:
        return DRAFT
    return RUNNING if flow.enabled else DISABLED


def flow_representation(flow, *, problems: list[Problem] | None = None, show_token: bool = False) -> dict:
    """``problems`` (the draft's, from ``validate_document``) are included when given."""
    current = flow.current_version
    body = {
        "id": flow.pk,
        "name": flow.name,
        "description": flow.description,
        "enabled": flow.enabled,
        "state": flow_state(flow),
        "live_version": current.number if current is not None else None,
        "archived_at": iso_utc(flow.archived_at) if flow.archived_at else None,
        "owner": _user(flow.owner),
        "definition": redact_document(flow.draft),
        "current_version": version_summary(current) if current is not None else None,
        "has_unpublished_changes": current is None or document_checksum(flow.draft) != current.checksum,
        "draft_updated_at": iso_utc(flow.draft_updated_at),
        "created_at": iso_utc(flow.created_at),
        "updated_at": iso_utc(flow.updated_at),
    }
    if problems is not None:
        body["valid"] = not problems
        body["problems"] = [p.as_dict() for p in problems]
    if show_token:
        body["webhook_token"] = flow.webhook_token
    return body
