import logging
import re

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from core.trace import bind_trace_id, bound_trace_id, new_trace_id, reset_trace_id

from .errors import error_response
from .parsers import is_storable_text, printable_name

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


class UrlLengthLimitMiddleware:
    """Refuses a URL (the path as sent and the query string) longer than ``ORDERFLOW_MAX_URL_BYTES``
    with 414 and the error body, before anything parses the query.

    The web server has a cap of its own on the whole request line (gunicorn's
    ``limit_request_line``, raised to its maximum of 8,190 bytes in ``orderflow.gunicorn_conf``)
    and answers past it with its own HTML 414 before Django runs; this limit sits well below it,
    so every over-long URL up to the server's cap gets this answer, in the request's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        length = len(escape_uri_path(request.path)) + (len(query) + 1 if query else 0)
        limit = settings.ORDERFLOW_MAX_URL_BYTES
        if length > limit:
            return error_response(
                414,
                "uri_too_long",
                _("The URL is longer than %(limit)d bytes.") % {"limit": limit},
                {"limit_bytes": limit, "url_bytes": length},
            )
        return self.get_response(request)


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


class StorableRequestTextMiddleware:
    """Refuses a NUL character in the path, a query parameter (name or value) or a header with 400.

    Django decodes ``%00`` in a path or a query string to a NUL character, and no database text
    column can hold one: a list filtered on it, a lookup by a path's token or a header kept with a
    webhook run would fail at the database with a 500. Request bodies have their own rule
    (``core.api.parsers`` for JSON, Django's and DRF's form fields refuse NUL themselves); this is
    the same rule for everything else a request carries, before any view sees it. The answer is
    the validation error body, naming the parameter (``details``), in the request's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems: dict[str, list[str]] = {}
        message = _("Null characters are not allowed.")
        if not is_storable_text(request.path):
            problems["path"] = [message]
        for name, values in request.GET.lists():
            if not is_storable_text(name) or not all(is_storable_text(value) for value in values):
                problems[printable_name(name)] = [message]
        for name, value in request.headers.items():
            if not is_storable_text(value):
                problems[f"header:{name}"] = [message]
        if problems:
            return error_response(400, "invalid", _("The request is not valid."), problems)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Adds ``Content-Security-Policy`` and ``Permissions-Policy`` to every answer that has none.

    The policies are the settings ``ORDERFLOW_CONTENT_SECURITY_POLICY`` and
    ``ORDERFLOW_PERMISSIONS_POLICY`` (directive → sources / allowed origins). Django's
    ``SecurityMiddleware`` adds the rest (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy,
    HSTS); Django 5.2 has no CSP of its own. ``connect-src`` also gets the page's own WebSocket
    origin (``ws://`` or ``wss://`` and the host), which ``'self'`` does not match in every browser,
    and the live-updates port when ``ORDERFLOW_LIVE_PORT`` puts the socket on a port of its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.ORDERFLOW_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        return response


def content_security_policy(request) -> str:
    directives = {name: list(sources) for name, sources in settings.ORDERFLOW_CONTENT_SECURITY_POLICY.items()}
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    if host and "connect-src" in directives:
        scheme = "wss" if request.is_secure() else "ws"
        directives["connect-src"].append(f"{scheme}://{host}")
        live_port = getattr(settings, "ORDERFLOW_LIVE_PORT", "")
        if live_port:  # make run's daphne, on a port of its own (the page's meta tag names it)
            hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            directives["connect-src"].append(f"{scheme}://{hostname}:{live_port}")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class TraceIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = bound_trace_id() or "-"
        return True
