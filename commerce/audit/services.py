from django.db import transaction

from core.actors import Actor
from core.trace import current_trace_id

from .models import AuditEntry


def audit_entry_build(
    *, subject_type: str, subject_id, action: str, actor: Actor, changes: dict, idempotency_key: str | None = None
) -> AuditEntry:
    """An unsaved entry, for callers that write several with one ``bulk_create``."""
    return AuditEntry(
        subject_type=subject_type,
        subject_id=str(subject_id),
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        source=actor.source,
        changes=changes,
        trace_id=current_trace_id(),
        idempotency_key=idempotency_key,
    )


def audit_record(
    *, subject_type: str, subject_id, action: str, actor: Actor, changes: dict, idempotency_key: str | None = None
) -> AuditEntry:
    """Writes one entry. Must run inside the transaction that makes the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit entries are written inside the transaction of the change they record")
    entry = audit_entry_build(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor=actor,
        changes=changes,
        idempotency_key=idempotency_key,
    )
    entry.save(force_insert=True)
    return entry
