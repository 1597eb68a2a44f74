import logging
import re

from django.conf import settings
from django.utils.translation import gettext as _

from core.trace import bind_trace_id, bound_trace_id, new_trace_id, reset_trace_id

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
    """Refuses bodies larger than the view allows with 413, before anything reads them.

    The limit is ``ORDERFLOW_MAX_BODY_BYTES``, or ``ORDERFLOW_MAX_UPLOAD_BYTES`` for a view that
    sets ``accepts_uploads = True`` (the file uploads). A ``Content-Length`` above every limit is
    refused before the URL is even resolved; the view's own limit is checked once Django knows
    which view it is, still before the body is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.orderflow_content_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "bad_request", _("Content-Length is not a number."), {})
        largest = max(settings.ORDERFLOW_MAX_BODY_BYTES, settings.ORDERFLOW_MAX_UPLOAD_BYTES)
        if request.orderflow_content_length > largest:
            return _too_large(largest, request.orderflow_content_length)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
        uploads = getattr(view_class, "accepts_uploads", False)
        limit = settings.ORDERFLOW_MAX_UPLOAD_BYTES if uploads else settings.ORDERFLOW_MAX_BODY_BYTES
        if request.orderflow_content_length > limit:
            return _too_large(limit, request.orderflow_content_length)
        return None


def _too_large(limit: int, length: int):
    return error_response(
        413,
        "payload_too_large",
        _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
        {"limit_bytes": limit, "content_length": length},
    )


class TraceIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = bound_trace_id() or "-"
        return True
