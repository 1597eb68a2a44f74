"""The web-security settings: `check --deploy` clean in production, cookies and HTTPS behind
ORDERFLOW_HTTPS, the security headers on every answer, the API docs behind login unless DEBUG."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "production-" + "k" * 60,
    "ORDERFLOW_SECRETS_KEY": Fernet.generate_key().decode(),
    "ORDERFLOW_HTTPS": "1",
    "ALLOWED_HOSTS": "orders.example.com",
}
CLEARED = ("SECRET_KEY", "ORDERFLOW_DEV", "DEBUG", "ORDERFLOW_HTTPS", "ORDERFLOW_SECRETS_KEY", "DJANGO_SETTINGS_MODULE")


def _run(args: list[str], **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(DJANGO_SETTINGS_MODULE="orderflow.settings", **env)
    return subprocess.run(args, cwd=REPO, env=environ, capture_output=True, text=True, timeout=120)


def _settings(names: list[str], **env) -> dict:
    code = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    done = _run([sys.executable, "-c", code], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_under_production_settings():
    done = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_asks_for_https_and_a_secrets_key_when_they_are_missing():
    done = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=PRODUCTION["SECRET_KEY"],
        ALLOWED_HOSTS="orders.example.com",
    )

    assert done.returncode != 0
    found = set(re.findall(r"\((\w+\.\w+)\)", done.stdout + done.stderr))
    assert {"security.W004", "security.W008", "security.W012", "security.W016", "orderflow.W001"} <= found


SECURITY = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]


def test_production_over_https_sends_cookies_over_https_only_and_keeps_to_https():
    assert _settings(SECURITY, **PRODUCTION) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_the_proxy_header_can_be_turned_off_when_tls_ends_at_the_server():
    found = _settings(["SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT"], **PRODUCTION, ORDERFLOW_PROXY_SSL_HEADER="")

    assert found == {"SECURE_PROXY_SSL_HEADER": None, "SECURE_SSL_REDIRECT": True}


def test_without_https_as_make_run_serves_it_cookies_still_work_over_http():
    found = _settings(SECURITY, ORDERFLOW_DEV="1")

    assert found["SESSION_COOKIE_SECURE"] is found["CSRF_COOKIE_SECURE"] is found["SECURE_SSL_REDIRECT"] is False
    assert found["SECURE_HSTS_SECONDS"] == 0
    assert found["SECURE_PROXY_SSL_HEADER"] is None
    assert found["SESSION_COOKIE_HTTPONLY"] is True


def test_the_docs_are_open_only_with_debug_on():
    assert _settings(["SPECTACULAR_SETTINGS"], **PRODUCTION)["SPECTACULAR_SETTINGS"]["SERVE_PERMISSIONS"] == [
        "rest_framework.permissions.IsAuthenticated"
    ]
    assert _settings(["SPECTACULAR_SETTINGS"], ORDERFLOW_DEV="1", DEBUG="1")["SPECTACULAR_SETTINGS"][
        "SERVE_PERMISSIONS"
    ] == ["rest_framework.permissions.AllowAny"]


# --- in this process: the answers --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/app/", "/api/v1/auth/session/", "/api/v1/orders/", "/nowhere/", "/admin/login/"])
def test_every_answer_carries_the_security_headers(path):
    response = Client().get(path, HTTP_HOST="testserver")

    csp = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
    )
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["connect-src"] == "'self' ws://testserver"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_live_updates_port_of_make_run_is_allowed_to_connect(settings):
    settings.ORDERFLOW_LIVE_PORT = "8001"

    response = Client().get("/app/", HTTP_HOST="127.0.0.1:8000")

    assert "connect-src 'self' ws://127.0.0.1:8000 ws://127.0.0.1:8001" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_over_https_the_websocket_origin_is_wss_and_hsts_is_sent(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = Client().get("/api/v1/auth/session/", HTTP_X_FORWARDED_PROTO="https")

    assert "connect-src 'self' wss://testserver" in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_plain_http_is_redirected_when_https_is_on(settings):
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/api/v1/orders/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/orders/"


@pytest.mark.django_db
def test_the_session_cookie_is_secure_httponly_and_lax_over_https(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    user = make_user("boss", "admin")
    user.set_password("right-password")
    user.save()
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/v1/auth/session/", secure=True)
    csrf = client.cookies["csrftoken"]

    response = client.post(
        "/api/v1/auth/session/",
        {"username": "boss", "password": "right-password"},
        format="json",
        secure=True,
        HTTP_X_CSRFTOKEN=csrf.value,
        HTTP_REFERER="https://testserver/app/",
    )

    assert response.status_code == 200, response.content
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert (csrf["secure"], csrf["samesite"]) == (True, "Lax")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_the_docs_need_a_login(path):
    anonymous = APIClient().get(path)
    signed_in = APIClient()
    signed_in.force_authenticate(make_user("reader", "operator"))

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert signed_in.get(path).status_code == 200


@pytest.mark.django_db
def test_the_docs_page_runs_under_the_csp_without_inline_scripts():
    client = APIClient()
    client.force_authenticate(make_user("reader", "operator"))

    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    script_url = next(
        re.search(r'src="([^"]*\?script=[^"]*)"', attrs).group(1) for attrs, _body in scripts if "?script" in attrs
    )
    served = client.get(script_url.replace("&amp;", "&"))

    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert served.status_code == 200
    assert "SwaggerUIBundle" in served.content.decode()
