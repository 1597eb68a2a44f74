"""django-q2 tasks for the smart audit. Each calls one service."""

from core.trace import bind_trace_id, new_trace_id, reset_trace_id

from .services import screening_recheck_waiting


def screening_recheck_task() -> int:
    """Scheduled as ``screening.recheck``: waiting orders judged again; those passing go on. Idempotent."""
    token = bind_trace_id(new_trace_id())
    try:
        return screening_recheck_waiting()
    finally:
        reset_trace_id(token)
