"""The web server's handler: Django's ASGI handler with the middleware chain run as one sync call,
in worker threads kept from request to request."""

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
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path
from django.utils.deprecation import MiddlewareMixin

from orderflow.handlers import OneHopASGIHandler

calls: list[tuple[str, int]] = []


class RecordingMiddleware(MiddlewareMixin):
    """Can run both ways, as Django's own middlewares can: records which way it was run, and where."""

    def __call__(self, request):
        calls.append(("sync", threading.get_ident()))
        return super().__call__(request)

    async def __acall__(self, request):
        calls.append(("async", threading.get_ident()))
        return await super().__acall__(request)


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


def broken_stream(request):
    def parts():
        yield "first;"
        raise OSError("the file went away")

    return StreamingHttpResponse(parts())


let_go = threading.Event()
held_threads: list[threading.Thread] = []


def hold(request):
    held_threads.append(threading.current_thread())
    let_go.wait(timeout=10)
    return HttpResponse("held")


urlpatterns = [
    path("probe/", probe),
    path("meet/", meet),
    path("stream/", stream),
    path("hold/", hold),
    path("broken-stream/", broken_stream),
]


def asgi_request(app, method: str, url: str, *, body: bytes = b"", headers=()) -> dict:
    headers = [(b"host", b"testserver"), *headers]

    async def run():
        return await HttpCommunicator(app, method, url, body=body, headers=headers).get_response(timeout=20)

    return async_to_sync(run)()


@pytest.fixture
def probe_site():
    calls.clear()
    middleware = [*settings.MIDDLEWARE, f"{__name__}.RecordingMiddleware"]
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=middleware):
        yield


def test_every_middleware_and_the_view_run_sync_in_one_worker_thread(probe_site):
    response = asgi_request(OneHopASGIHandler(), "GET", "/probe/")

    assert response["status"] == 200
    assert response["body"] == b"ok"
    assert [kind for kind, _thread in calls] == ["sync", "view"]
    assert calls[0][1] == calls[1][1]
    assert calls[0][1] != threading.get_ident()


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


def test_request_started_the_view_and_request_finished_run_in_the_one_worker_thread(probe_site, request_signals):
    response = asgi_request(OneHopASGIHandler(), "GET", "/probe/")

    assert response["body"] == b"ok"
    assert [kind for kind, _thread in calls] == ["started", "sync", "view", "finished"]
    assert len({thread for _kind, thread in calls}) == 1


def streamed_request(app, url: str, *, timeout: float = 20) -> tuple[int, bytes]:
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
        communicator = ApplicationCommunicator(app, scope)
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
def test_a_streaming_response_is_sent_whole_and_closed_after_in_the_same_thread(probe_site, request_signals):
    status, body = streamed_request(OneHopASGIHandler(), "/stream/")

    assert status == 200
    assert body == b"part 0;part 1;part 2;"
    assert [kind for kind, _thread in calls] == ["started", "sync", "view", "finished"]
    assert len({thread for _kind, thread in calls}) == 1


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
def test_a_streaming_response_that_fails_half_way_is_still_closed(probe_site, request_signals):
    with pytest.raises(OSError, match="the file went away"):
        streamed_request(OneHopASGIHandler(), "/broken-stream/", timeout=1)  # its end: the error, no message

    assert [kind for kind, _thread in calls][-1] == "finished"


def test_a_request_django_cannot_build_is_answered_400_and_finished(probe_site, request_signals):
    async def run():
        communicator = HttpCommunicator(OneHopASGIHandler(), "GET", "/probe/", headers=[(b"host", b"testserver")])
        communicator.scope["query_string"] = b"q=\xff"  # not UTF-8
        return await communicator.get_response(timeout=20)

    response = async_to_sync(run)()

    assert response["status"] == 400
    assert [kind for kind, _thread in calls] == ["started", "finished"]


def test_django_s_own_handler_runs_such_a_middleware_async(probe_site):
    """What the handler above exists to avoid: the same chain under Django's handler."""
    asgi_request(ASGIHandler(), "GET", "/probe/")

    assert "async" in [kind for kind, _thread in calls]


def test_the_next_request_is_served_by_the_same_worker_thread_without_starting_one(probe_site):
    handler = OneHopASGIHandler()
    asgi_request(handler, "GET", "/probe/")
    first_thread = calls[-1][1]
    workers_before = _request_workers()

    asgi_request(handler, "GET", "/probe/")

    assert calls[-1][1] == first_thread
    # None started. (Workers of other tests' handlers may end meanwhile, when those are collected.)
    assert _request_workers() <= workers_before
    assert len(handler._idle_executors) == 1


def _request_workers() -> set[threading.Thread]:
    """Request handlers' worker threads alive now (the test's own event-loop threads come and go)."""
    return {thread for thread in threading.enumerate() if thread.name.startswith("request")}


def concurrent_requests(handler, url: str, count: int) -> list[dict]:
    async def run():
        communicators = [
            HttpCommunicator(handler, "GET", url, headers=[(b"host", b"testserver")]) for _ in range(count)
        ]
        return await asyncio.gather(*(communicator.get_response(timeout=20) for communicator in communicators))

    return async_to_sync(run)()


def test_concurrent_requests_each_have_a_thread_of_their_own(probe_site):
    both_inside.reset()
    handler = OneHopASGIHandler()

    responses = concurrent_requests(handler, "/meet/", 2)

    assert [response["body"] for response in responses] == [b"met", b"met"]
    view_threads = {thread for kind, thread in calls if kind == "view"}
    assert len(view_threads) == 2
    assert len(handler._idle_executors) == 2


def test_executors_beyond_the_idle_limit_are_shut_down(probe_site, monkeypatch):
    monkeypatch.setattr("orderflow.handlers.IDLE_EXECUTORS_KEPT", 1)
    both_inside.reset()
    handler = OneHopASGIHandler()

    concurrent_requests(handler, "/meet/", 2)

    assert len(handler._idle_executors) == 1
    kept = handler._idle_executors[0]
    assert kept.submit(threading.get_ident).result(timeout=5) in {thread for _kind, thread in calls}


def test_the_thread_of_a_cancelled_request_is_not_lent_to_the_next_one(probe_site):
    """Daphne cancels the application of a request whose client left, once a second until it ends.
    asgiref waits out the first cancel for the sync call; the second leaves the view running."""
    let_go.clear()
    held_threads.clear()
    handler = OneHopASGIHandler()

    async def cancel_twice_while_the_view_runs():
        scope = {"type": "http", "method": "GET", "path": "/hold/", "query_string": b"", "headers": []}
        communicator = ApplicationCommunicator(handler, {**scope, "headers": [(b"host", b"testserver")]})
        await communicator.send_input({"type": "http.request", "body": b""})
        while not held_threads:
            await asyncio.sleep(0.01)
        communicator.future.cancel()
        await asyncio.sleep(0.05)
        communicator.future.cancel()
        with pytest.raises(asyncio.CancelledError):
            await communicator.future

    async_to_sync(cancel_twice_while_the_view_runs)()

    assert handler._idle_executors == []
    let_go.set()
    # Shut down: its thread ends once the view is done, instead of waiting for another request.
    held_threads[0].join(timeout=10)
    assert not held_threads[0].is_alive()
    assert asgi_request(handler, "GET", "/probe/")["body"] == b"ok"


def deployed_application():
    """``orderflow.asgi.application``, imported without leaving its ``ORDERFLOW_DB_POOL`` default in
    this process's environment, where later tests' subprocesses (the django-q2 clusters) would inherit it."""
    with mock.patch.dict(os.environ):
        from orderflow.asgi import application
    return application


@pytest.mark.django_db(transaction=True)
def test_the_application_answers_through_it_with_the_error_body_and_the_trace_id():
    application = deployed_application()

    response = asgi_request(application, "GET", "/api/v1/auth/me/", headers=[(b"x-request-id", b"trace-12345678")])

    assert response["status"] == 401
    headers = dict(response["headers"])
    assert headers[b"X-Request-ID"] == b"trace-12345678"
    assert b'"code":"not_authenticated"' in response["body"].replace(b" ", b"")


@pytest.mark.django_db(transaction=True)
def test_a_body_over_the_limit_is_refused_before_the_view():
    application = deployed_application()

    too_long = str(settings.ORDERFLOW_MAX_UPLOAD_BYTES + 1).encode()
    response = asgi_request(
        application,
        "POST",
        "/api/v1/orders/",
        headers=[(b"content-type", b"application/json"), (b"content-length", too_long)],
    )

    assert response["status"] == 413
    assert b"payload_too_large" in response["body"]
