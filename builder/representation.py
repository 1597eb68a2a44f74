"""The JSON shapes of flows and versions in API answers. Secrets are always masked (``redaction``)."""

from core.time import iso_utc

from . import catalog
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


_CONDITION_TITLE = {"zh": "条件", "en": "Condition"}
_TRIGGER_TITLE = {"zh": "触发器", "en": "Trigger"}


def node_title(node: dict) -> dict:
    """A node as the canvas titles it, ``{"zh", "en"}``: its label, else its action's name (条件 for a condition)."""
    label = node.get("label")
    if isinstance(label, str) and label.strip():
        return {"zh": label.strip(), "en": label.strip()}
    if node.get("type") == "condition":
        return dict(_CONDITION_TITLE)
    spec = catalog.action_spec(node.get("action", "")) if isinstance(node.get("action"), str) else None
    if spec is not None:
        return {"zh": spec.name_zh, "en": spec.name_en}
    node_id = str(node.get("id", ""))
    return {"zh": node_id, "en": node_id}


def node_titles(document: dict) -> dict[str, dict]:
    """Every node's title by id (and the trigger's), for steps that name a node."""
    titles = {"trigger": dict(_TRIGGER_TITLE)}
    for node in document.get("nodes", []) if isinstance(document, dict) else []:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            titles[node["id"]] = node_title(node)
    return titles
