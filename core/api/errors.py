"""One error body everywhere: ``{"code", "message", "details"}``.

DRF exceptions, domain exceptions from ``commerce`` and Django's own 404/500 pages all end here,
so a client never has to parse two shapes.
"""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.errors import DomainError

logger = logging.getLogger(__name__)


def error_response(status_code: int, code: str, message: str, details: dict) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details}, status=status_code)


def _flatten(detail) -> dict | list | str:
    """DRF's nested ErrorDetail structures become plain JSON with the field names kept as keys."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(value) for value in detail]
    return str(detail)


_DRF_CODES = {
    exceptions.ParseError: ("malformed_json", None),
    exceptions.NotAuthenticated: ("not_authenticated", None),
    exceptions.AuthenticationFailed: ("authentication_failed", None),
    exceptions.PermissionDenied: ("permission_denied", None),
    exceptions.NotFound: ("not_found", None),
    exceptions.MethodNotAllowed: ("method_not_allowed", None),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", None),
    exceptions.Throttled: ("throttled", None),
    exceptions.NotAcceptable: ("not_acceptable", None),
}


# The widest integer any column holds (PostgreSQL's and SQLite's 64-bit integers).
_LARGEST_STORED_INTEGER = 2**63 - 1


def _integers_out_of_range(request) -> dict[str, list[str]]:
    """The query parameters and top-level body fields holding an integer no column can hold."""
    message = _("The number is larger than any stored value.")
    found: dict[str, list[str]] = {}
    places = [getattr(request, "query_params", {})]
    try:
        data = request.data  # parsed already by the view that got this far; a body that fails is no place
    except exceptions.APIException:
        data = None
    if isinstance(data, dict):
        places.append(data)
    for place in places:
        for name in place:
            values = place.getlist(name) if hasattr(place, "getlist") else [place[name]]
            for value in values:
                text = str(value).strip().lstrip("+-")
                if text.isdigit() and len(text) < 4300 and int(text) > _LARGEST_STORED_INTEGER:
                    found[str(name)] = [message]
    return found


# SQLSTATEs of a database that is there but cannot take the work: out of disk, out of connections.
_DISK_FULL = "53100"
_TOO_MANY_CONNECTIONS = "53300"
DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable_response(exc: BaseException) -> JsonResponse:
    """503 with the error body for a database that cannot be reached or cannot take the work.

    A connection refused, dropped by a restart or not handed out by the pool within its timeout,
    a server out of connections or out of disk: none is the caller's fault nor a bug, and each
    passes. The client is told so, and when to retry, instead of a 500. Nothing was committed: the
    request's transaction (if any) could not have been.
    """
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or getattr(exc, "sqlstate", None)
    if sqlstate == _DISK_FULL:
        code, message = "storage_full", _("The database is out of disk space. Nothing was saved; try again later.")
    elif sqlstate == _TOO_MANY_CONNECTIONS:
        code, message = "database_busy", _("The database has no free connection. Nothing was saved; try again shortly.")
    else:
        code, message = "database_unavailable", _("The database is unavailable. Nothing was saved; try again shortly.")
    logger.error("database unavailable (%s): %s", code, type(exc).__name__)
    response = error_response(503, code, message, {"retry_after_seconds": DATABASE_RETRY_AFTER_SECONDS})
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def exception_handler(exc, context):
    if isinstance(exc, OperationalError | InterfaceError):
        return database_unavailable_response(exc)
    if isinstance(exc, OverflowError):
        # SQLite cannot bind an integer past 64 bits; a filter on a foreign key (order=10**30) gets
        # there, where PostgreSQL compares it and finds nothing. The caller's number, not a fault.
        request = context.get("request")
        out_of_range = _integers_out_of_range(request) if request is not None else {}
        if out_of_range:
            return Response(
                {"code": "invalid", "message": _("The request is not valid."), "details": out_of_range},
                status=status.HTTP_400_BAD_REQUEST,
            )
    if isinstance(exc, DomainError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "details": exc.details},
            status=exc.http_status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        details = _flatten(exc.detail)
        if not isinstance(details, dict):
            details = {"non_field_errors": details}
        return Response(
            {"code": "invalid", "message": _("The request is not valid."), "details": details},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        code = next((c for cls, (c, _m) in _DRF_CODES.items() if isinstance(exc, cls)), exc.default_code)
        headers = {}
        auth_header = getattr(exc, "auth_header", None)  # NotAuthenticated and AuthenticationFailed, set by DRF
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)  # Throttled
        if wait:
            headers["Retry-After"] = str(int(wait))
        message = exc.detail if isinstance(exc.detail, str) else _("The request failed.")
        return Response(
            {"code": code, "message": str(message), "details": {}},
            status=exc.status_code,
            headers=headers,
        )
    logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
    return Response(
        {"code": "server_error", "message": _("Something went wrong on our side."), "details": {}},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def handler404(request, exception=None):
    return error_response(404, "not_found", _("Nothing is at this address."), {"path": request.path})


def handler500(request):
    # Django calls this inside its ``except`` block, so the exception is at hand: a database out of
    # reach in a middleware (the session, the login lockout) or a plain Django view answers 503.
    failure = sys.exc_info()[1]
    if isinstance(failure, OperationalError | InterfaceError):
        return database_unavailable_response(failure)
    return error_response(500, "server_error", _("Something went wrong on our side."), {})


def handler403(request, exception=None):
    return error_response(403, "permission_denied", _("You do not have permission to do this."), {})


def handler400(request, exception=None):
    return error_response(400, "bad_request", _("The request could not be understood."), {})
