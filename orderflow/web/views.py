"""The browser app's two needs from Django: its page, and a session login.

The app is built by Vite into ``frontend/dist`` and its assets are served by whitenoise under
``/static/app/`` (``STATICFILES_DIRS``). Every ``/app/…`` path answers the same ``index.html``; the
app picks the page from the path. The app authenticates with the Django session, so its writes
carry the CSRF token that ``GET /api/v1/auth/session/`` sets as a cookie.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.authentication import TokenAuthentication
from core.accounts.roles import roles_of
from core.api.bodies import no_body

INDEX_HTML = Path(settings.BASE_DIR) / "frontend" / "dist" / "index.html"

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Orderflow</title>
<p>The browser app is not built yet: run <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>.</p>"""


@lru_cache(maxsize=1)  # the file as of its last change; a rebuild changes mtime_ns
def _index_bytes(mtime_ns: int, live_port: str) -> bytes:
    """``index.html``, telling the app where its live-updates socket is when daphne serves it on a
    port of its own (``python -m orderflow.run``; frontend/src/app/live.ts reads the meta tag)."""
    body = INDEX_HTML.read_bytes()
    if live_port.isdigit():
        meta = f'<meta name="orderflow-live-port" content="{live_port}">'.encode()
        body = body.replace(b"</head>", meta + b"</head>", 1)
    return body


@ensure_csrf_cookie
def app_index(request, path: str = "") -> HttpResponse:
    """The single-page app's ``index.html`` for every app route (503 with a hint when not built)."""
    try:
        body = _index_bytes(INDEX_HTML.stat().st_mtime_ns, settings.ORDERFLOW_LIVE_PORT)
    except FileNotFoundError:
        return HttpResponse(NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


class SessionLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class SessionSerializer(serializers.Serializer):
    authenticated = serializers.BooleanField()
    username = serializers.CharField(required=False)
    roles = serializers.ListField(child=serializers.CharField(), required=False)


def _enforce_csrf(request) -> None:
    """DRF exempts API views from CSRF unless a session user is already logged in; this endpoint
    checks it always, so a login cannot be forged from another site."""
    SessionAuthentication().enforce_csrf(request._request)


def _session_body(user) -> dict:
    if not user.is_authenticated:
        return {"authenticated": False}
    return {"authenticated": True, "username": user.get_username(), "roles": sorted(roles_of(user))}


class SessionApi(APIView):
    """The browser app's login: ``GET`` sets the CSRF cookie and tells who is logged in,
    ``POST {username, password}`` logs in, ``DELETE`` logs out.

    Unlike the token endpoint, every write here checks the CSRF token (a login form is a CSRF
    target too): send the ``csrftoken`` cookie's value as ``X-CSRFToken``.
    """

    # Token first only so that a failed login answers 401 (with WWW-Authenticate), not 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(responses=SessionSerializer, auth=[])
    def get(self, request):
        get_token(request._request)  # sets (or refreshes) the csrftoken cookie on this answer
        return Response(_session_body(request.user))

    @extend_schema(request=SessionLoginSerializer, responses=SessionSerializer, auth=[])
    def post(self, request):
        _enforce_csrf(request)
        incoming = SessionLoginSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # Django's request, not DRF's wrapper: django-axes marks a lockout on it for AxesMiddleware.
        user = authenticate(request._request, **incoming.validated_data)
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong username or password."))
        login(request._request, user)
        return Response(_session_body(user))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        _enforce_csrf(request)
        no_body(request)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ErrorsAsJson:
    """The docs' views render with their own renderers (YAML, the Swagger page); their refusals
    (401 without a login, unless DEBUG) answer the API's JSON error body instead."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class SchemaView(_ErrorsAsJson, SpectacularAPIView):
    """``/api/schema/``: the OpenAPI schema, for the signed-in unless DEBUG is on (``SERVE_PERMISSIONS``)."""


class DocsView(_ErrorsAsJson, SpectacularSwaggerSplitView):
    """``/api/docs/``: Swagger UI, its script served from a URL of its own so that the page runs under
    a Content-Security-Policy without inline scripts."""
