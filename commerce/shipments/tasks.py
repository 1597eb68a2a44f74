"""django-q2 tasks for shipments. Each calls one service."""

from core.trace import bind_trace_id, new_trace_id, reset_trace_id

from .services import shipments_stalled_check


def shipments_stalled_check_task() -> int:
    """Scheduled as ``shipments.stalled_check``; idempotent (each stall is claimed once). Returns the events emitted."""
    token = bind_trace_id(new_trace_id())
    try:
        return shipments_stalled_check()
    finally:
        reset_trace_id(token)
