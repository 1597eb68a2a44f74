"""The JSON shape of an execution and its steps, for the API."""

from core.time import iso_utc

from .models import Execution, ExecutionStep


def step_representation(step: ExecutionStep) -> dict:
    return {
        "id": step.pk,
        "node_id": step.node_id,
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


def execution_representation(execution: Execution, *, with_context: bool = False) -> dict:
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
        "steps": [step_representation(step) for step in execution.steps.all()],
    }
    if with_context:
        body["context"] = execution.context
    return body
