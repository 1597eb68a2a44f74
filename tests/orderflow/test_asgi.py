"""The application daphne serves (``orderflow.asgi``): Django's own ASGI handler inside Channels' router.

What the project relies on from it: each request's signals and view run in one worker thread of
the request's own (so ``request_finished`` closes the connection the view used), two requests do
not wait for each other, the trace id bound by the middleware is the one the view sees, and
streamed answers arrive whole.
"""

import asyncio
import os
import threading
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.testing import HttpCommunicator
from django.conf import settings
from django.core import signals
from django.db import connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path

from core.trace import bound_trace_id

calls: list[tuple[str, int]] = []


def probe(request):
    calls.append(("view", threading.get_ident()))
    return HttpResponse("ok")


both_inside = threading.Barrier(2, timeout=10)


def meet(request):
    """Returns only once another request is inside this view too: two requests in one thread never would."""
    both_inside.wait()
    calls.append(("view", threading.get_ident()))
    return HttpResponse("met")


def stream(request):
    calls.append(("view", threading.get_ident()))
    return StreamingHttpResponse(f"part {n};" for n in range(3))


def trace(request):
    return HttpResponse(bound_trace_id())


used_connections = []


def query(request):
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    used_connections.append(connection)
    return HttpResponse("queried")


urlpatterns = [
    path("probe/", probe),
    path("meet/", meet),
    path("stream/", stream),
    path("trace/", trace),
    path("query/", query),
]


def deployed_application():
    """``orderflow.asgi.application``, imported without leaving its ``ORDERFLOW_DB_POOL`` default in
    this process's environment, where later tests' subprocesses (the django-q2 clusters) would inherit it."""
    with mock.patch.dict(os.environ):
        from orderflow.asgi import application
    return application


def asgi_request(method: str, url: str, *, body: bytes = b"", headers=()) -> dict:
    headers = [(b"host", b"testserver"), *headers]

    async def run():
        communicator = HttpCommunicator(deployed_application(), method, url, body=body, headers=headers)
        response = await communicator.get_response(timeout=20)
        await communicator.wait(timeout=20)  # the application's end: after the answer, the request finishes
        return response

    return async_to_sync(run)()


@pytest.fixture
def probe_site():
    calls.clear()
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def request_signals():
    def started(**kwargs):
        calls.append(("started", threading.get_ident()))

    def finished(**kwargs):
        calls.append(("finished", threading.get_ident()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


def test_request_started_the_view_and_request_finished_run_in_one_worker_thread(probe_site, request_signals):
    response = asgi_request("GET", "/probe/")

    assert response["status"] == 200
    assert response["body"] == b"ok"
    assert [kind for kind, _thread in calls] == ["started", "view", "finished"]
    threads = {thread for _kind, thread in calls}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_connection_a_view_used_is_closed_when_its_request_finishes(probe_site):
    """``CONN_MAX_AGE`` 0: closed, or with the web server's pool given back to it (orderflow.settings)."""
    used_connections.clear()

    response = asgi_request("GET", "/query/")

    assert response["body"] == b"queried"
    assert len(used_connections) == 1
    assert used_connections[0] is not connections["default"]  # the view ran in a thread of its own
    assert used_connections[0].connection is None


def concurrent_requests(url: str, count: int) -> list[dict]:
    async def run():
        application = deployed_application()
        communicators = [
            HttpCommunicator(application, "GET", url, headers=[(b"host", b"testserver")]) for _ in range(count)
        ]
        return await asyncio.gather(*(communicator.get_response(timeout=20) for communicator in communicators))

    return async_to_sync(run)()


def test_concurrent_requests_each_have_a_worker_thread_of_their_own(probe_site):
    both_inside.reset()

    responses = concurrent_requests("/meet/", 2)

    assert [response["body"] for response in responses] == [b"met", b"met"]
    assert len({thread for kind, thread in calls if kind == "view"}) == 2


def test_the_view_sees_the_trace_id_the_middleware_bound(probe_site):
    response = asgi_request("GET", "/trace/", headers=[(b"x-request-id", b"trace-12345678")])

    assert response["body"] == b"trace-12345678"
    assert dict(response["headers"])[b"X-Request-ID"] == b"trace-12345678"


def streamed_request(url: str, *, timeout: float = 20) -> tuple[int, bytes]:
    """(status, body) of a GET whose answer comes in several body messages, the last one without a
    body — which ASGI allows and channels' ``HttpCommunicator`` does not read."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": url,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }

    async def run():
        communicator = ApplicationCommunicator(deployed_application(), scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout)
        body = b""
        while True:
            message = await communicator.receive_output(timeout)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await communicator.wait(timeout)
        return start["status"], body

    return async_to_sync(run)()


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
def test_a_streaming_response_is_sent_whole_and_then_the_request_finishes(probe_site, request_signals):
    status, body = streamed_request("/stream/")

    assert status == 200
    assert body == b"part 0;part 1;part 2;"
    assert [kind for kind, _thread in calls] == ["started", "view", "finished"]


def test_a_request_django_cannot_build_is_answered_400_and_finished(probe_site, request_signals):
    async def run():
        communicator = HttpCommunicator(deployed_application(), "GET", "/probe/", headers=[(b"host", b"testserver")])
        communicator.scope["query_string"] = b"q=\xff"  # not UTF-8
        response = await communicator.get_response(timeout=20)
        await communicator.wait(timeout=20)
        return response

    response = async_to_sync(run)()

    assert response["status"] == 400
    assert [kind for kind, _thread in calls] == ["started", "finished"]


@pytest.mark.django_db(transaction=True)
def test_the_application_answers_with_the_error_body_and_the_trace_id():
    response = asgi_request("GET", "/api/v1/auth/me/", headers=[(b"x-request-id", b"trace-12345678")])

    assert response["status"] == 401
    headers = dict(response["headers"])
    assert headers[b"X-Request-ID"] == b"trace-12345678"
    assert b'"code":"not_authenticated"' in response["body"].replace(b" ", b"")


@pytest.mark.django_db(transaction=True)
def test_a_body_over_the_limit_is_refused_before_the_view():
    too_long = str(settings.ORDERFLOW_MAX_UPLOAD_BYTES + 1).encode()
    response = asgi_request(
        "POST",
        "/api/v1/orders/",
        headers=[(b"content-type", b"application/json"), (b"content-length", too_long)],
    )

    assert response["status"] == 413
    assert b"payload_too_large" in response["body"]
