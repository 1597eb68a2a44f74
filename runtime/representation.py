"""The JSON shape of an execution and its steps, for the API."""

from builder.representation import node_titles
from builder.selectors import version_documents
from core.time import iso_utc

from .models import Execution, ExecutionStep


def step_representation(step: ExecutionStep, titles: dict[str, dict] | None = None) -> dict:
    """``titles``: the version's node titles (``builder.representation.node_titles``)."""
    return {
        "id": step.pk,
        "node_id": step.node_id,
        "node_title": (titles or {}).get(step.node_id) or {"zh": step.node_id, "en": step.node_id},
        "kind": step.kind,
        "action": step.action or None,
        "attempt": step.attempt,
        "status": step.status,
        "input": step.input,
        "output": step.output,
        "decision": step.decision,
        "error": step.error,
        "started_at": iso_utc(step.started_at),
        "duration_ms": step.duration_ms,
    }


def execution_order(execution: Execution) -> dict | None:
    """The order the run concerns (its subject ``order:<id>``), with the number its context recorded."""
    kind, _, key = (execution.subject_key or "").partition(":")
    if kind != "order" or not key.isdigit():
        return None
    order = (execution.context or {}).get("order")
    number = order.get("number") if isinstance(order, dict) else None
    return {"id": int(key), "number": number if isinstance(number, str) else None}


def execution_titles(executions) -> dict[int, dict[str, dict]]:
    """The node titles of each execution's version, by version id: one query for a page."""
    documents = version_documents(version_ids=[e.flow_version_id for e in executions])
    return {version_id: node_titles(document) for version_id, document in documents.items()}


def execution_representation(
    execution: Execution, *, with_context: bool = False, titles: dict[int, dict[str, dict]] | None = None
) -> dict:
    """``titles``: from ``execution_titles`` for a page; read for this execution alone when not given."""
    if titles is None:
        titles = execution_titles([execution])
    version_titles = titles.get(execution.flow_version_id, {})
    body = {
        "id": execution.pk,
        "flow": execution.flow_id,
        "flow_name": execution.flow.name,
        "flow_version": execution.flow_version.number,
        "order": execution_order(execution),
        "trigger": execution.trigger_type,
        "event": execution.event_id,
        "subject": execution.subject_key or None,
        "status": execution.status,
        "status_reason": execution.status_reason,
        "current_node": execution.current_node or None,
        "caused_by": execution.caused_by,
        "created_at": iso_utc(execution.created_at),
        "started_at": iso_utc(execution.started_at),
        "finished_at": iso_utc(execution.finished_at),
        "resume_at": iso_utc(execution.resume_at),
        "steps": [step_representation(step, version_titles) for step in execution.steps.all()],
    }
    if with_context:
        body["context"] = execution.context
    return body
