"""The trace id that follows one request (or task) through every audit entry and event it causes."""

import uuid
from contextvars import ContextVar

_trace_id: ContextVar[str] = ContextVar("orderflow_trace_id", default="")


def new_trace_id() -> str:
    return uuid.uuid4().hex


def bound_trace_id() -> str:
    """The trace id bound to this context, or ``""`` outside any request or task."""
    return _trace_id.get()


def current_trace_id() -> str:
    """The trace id in force, or a fresh one for work started outside any request."""
    return _trace_id.get() or new_trace_id()


def bind_trace_id(trace_id: str):
    """Set the trace id for the current context; returns the token to reset it with."""
    return _trace_id.set(trace_id)


def reset_trace_id(token) -> None:
    _trace_id.reset(token)
