"""A database that cannot be reached or cannot take the work answers 503 with the error body and
``Retry-After``, never 500 — in a DRF view and outside one (a middleware, a plain Django view);
out of disk and out of connections say so. The real outage (PostgreSQL restarted under load) is
``tests/faults``; here each kind of failure is raised where the database would raise it."""

import json

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from core.api.errors import database_unavailable_response
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _failure(cause: Exception, wrapper=OperationalError) -> Exception:
    try:
        raise wrapper(str(cause)) from cause
    except wrapper as wrapped:
        return wrapped


KINDS = [
    (
        _failure(psycopg.OperationalError("connection refused")),
        "database_unavailable",
        "The database is unavailable. Nothing was saved; try again shortly.",
    ),
    (
        _failure(psycopg.InterfaceError("the connection is closed"), InterfaceError),
        "database_unavailable",
        "The database is unavailable. Nothing was saved; try again shortly.",
    ),
    (
        _failure(psycopg.errors.DiskFull("could not extend file: No space left on device")),
        "storage_full",
        "The database is out of disk space. Nothing was saved; try again later.",
    ),
    (
        _failure(psycopg.errors.TooManyConnections("sorry, too many clients already")),
        "database_busy",
        "The database has no free connection. Nothing was saved; try again shortly.",
    ),
]


@pytest.mark.parametrize(("failure", "code", "message"), KINDS)
def test_an_api_call_answers_503_with_the_error_body(monkeypatch, failure, code, message):
    def unreachable(user):
        raise failure

    monkeypatch.setattr("core.accounts.api.roles_of", unreachable)
    client = APIClient()
    client.force_authenticate(make_user("op", "operator"))

    response = client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response.json() == {"code": code, "message": message, "details": {"retry_after_seconds": 5}}
    assert response["Retry-After"] == "5"


def test_outside_the_api_a_database_out_of_reach_answers_503_not_500(monkeypatch):
    """The session is read in a middleware, before any view: Django's handler500 gets it."""

    def unreachable(self):
        raise _failure(psycopg.OperationalError("server closed the connection unexpectedly"))

    monkeypatch.setattr(SessionStore, "load", unreachable)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32

    response = client.get("/api/v1/auth/session/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"


def test_the_answer_is_in_chinese_by_default():
    with translation.override("zh-hans"):
        body = json.loads(database_unavailable_response(KINDS[2][0]).content)

    assert body["message"] == "数据库磁盘空间已满，未保存任何内容，请稍后重试。"
