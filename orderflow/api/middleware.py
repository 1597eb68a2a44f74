import logging
import re

from django.conf import settings
from django.utils.translation import gettext as _

from commerce.audit.trace import bind_trace_id, new_trace_id, reset_trace_id

from .errors import error_response

_TRACE_HEADER_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class TraceIdMiddleware:
    """Binds a trace id to the request: the caller's ``X-Request-ID`` when it is sane, else a new one.

    Every audit entry and outbox event written while the request runs carries it, and the
    response echoes it so a caller can quote it in a support ticket.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        trace_id = offered if _TRACE_HEADER_OK.match(offered) else new_trace_id()
        request.trace_id = trace_id
        token = bind_trace_id(trace_id)
        try:
            response = self.get_response(request)
        finally:
            reset_trace_id(token)
        response["X-Request-ID"] = trace_id
        return response


class BodySizeLimitMiddleware:
    """Refuses bodies larger than ``ORDERFLOW_MAX_BODY_BYTES`` with 413 before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.ORDERFLOW_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "bad_request", _("Content-Length is not a number."), {})
        if length > limit:
            return error_response(
                413,
                "payload_too_large",
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
                {"limit_bytes": limit, "content_length": length},
            )
        return self.get_response(request)


class TraceIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from commerce.audit.trace import _trace_id

        record.trace_id = _trace_id.get() or "-"
        return True
