"""A URL longer than ``ORDERFLOW_MAX_URL_BYTES`` (the path as sent and the query string) is refused with
414 and the error body, in the request's language, before anything parses the query
(``UrlLengthLimitMiddleware``) — through Django's test client and through a live gunicorn started
as ``make run`` starts it (``orderflow.gunicorn_conf``), whose own cap on the request line is
8,190 bytes: past it gunicorn answers its own HTML 414, which the schema documents.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from orderflow import gunicorn_conf
from orderflow.run import web_command

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
EXPORT = "/api/v1/templates/export/"


def _query_of(total_url_bytes: int, path: str = EXPORT) -> str:
    return "q=" + "x" * (total_url_bytes - len(path) - len("?q="))


def test_a_query_string_over_the_limit_answers_414_with_the_error_body():
    limit = settings.ORDERFLOW_MAX_URL_BYTES
    answer = Client().get(f"{EXPORT}?{_query_of(limit + 1)}")

    assert answer.status_code == 414
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "code": "uri_too_long",
        "message": f"The URL is longer than {limit} bytes.",
        "details": {"limit_bytes": limit, "url_bytes": limit + 1},
    }


def test_a_url_at_the_limit_reaches_the_view():
    answer = Client().get(f"{EXPORT}?{_query_of(settings.ORDERFLOW_MAX_URL_BYTES)}")

    assert answer.status_code == 401  # the view's own refusal: no token


def test_a_long_path_counts_as_sent_percent_encoded(operator_client):
    limit = settings.ORDERFLOW_MAX_URL_BYTES
    # 天 is 9 bytes on the wire (%E5%A4%A9): a path of 500 of them is 4,500 bytes.
    answer = operator_client.get("/api/v1/templates/" + "天" * 500 + "/")

    assert answer.status_code == 414
    assert answer.json()["details"]["url_bytes"] > limit


def test_the_refusal_speaks_the_request_language():
    answer = Client().get(f"{EXPORT}?{_query_of(10_000)}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert answer.status_code == 414
    assert answer.json()["message"] == f"URL 长度超过 {settings.ORDERFLOW_MAX_URL_BYTES} 字节。"


def test_a_token_does_not_get_past_it(operator_client):
    answer = operator_client.get(f"/api/v1/orders/?{_query_of(6000, '/api/v1/orders/')}")

    assert (answer.status_code, answer.json()["code"]) == (414, "uri_too_long")


def test_the_limit_is_well_below_the_web_servers_cap():
    # method, two spaces and "HTTP/1.1" around the URL still fit in gunicorn's request line.
    assert settings.ORDERFLOW_MAX_URL_BYTES + len("OPTIONS  HTTP/1.1") < gunicorn_conf.LIMIT_REQUEST_LINE
    assert "python:orderflow.gunicorn_conf" in web_command(sys.executable)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_gunicorn(tmp_path):
    """gunicorn as ``make run`` starts it (orderflow.run.web_command), on a free port and a database
    of its own that the refusals never reach."""
    port = _free_port()
    command = web_command(sys.executable)
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    env = {
        **os.environ,
        "ORDERFLOW_DEV": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "orderflow.settings",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _get(port: int, target: str) -> tuple[int, str, bytes]:
    deadline = time.monotonic() + 60
    while True:  # the worker may still be loading Django: the first answers can take a moment
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", target, headers={"Accept-Language": "en"})
            answer = connection.getresponse()
            return answer.status, answer.getheader("Content-Type", ""), answer.read()
        except (ConnectionError, http.client.RemoteDisconnected):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        finally:
            connection.close()


def test_a_live_gunicorn_answers_an_over_long_query_with_the_json_414(live_gunicorn):
    # 7 KB: the query gunicorn's default cap (4,094 bytes) answered with its own HTML 414.
    status, content_type, body = _get(live_gunicorn, f"{EXPORT}?{_query_of(7000)}")

    assert (status, content_type) == (414, "application/json")
    assert b'"code": "uri_too_long"' in body


def test_past_the_servers_cap_gunicorn_answers_its_own_414_as_the_schema_documents(live_gunicorn):
    status, content_type, body = _get(live_gunicorn, f"{EXPORT}?{_query_of(gunicorn_conf.LIMIT_REQUEST_LINE)}")

    assert (status, content_type) == (414, "text/html")
    assert b"URI Too Long" in body
