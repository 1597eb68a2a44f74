"""The web server's request handler: Django's ASGI handler with one thread hop per request, in a
thread that serves request after request.

Django's ``ASGIHandler`` runs an async middleware chain: every middleware that can run both ways
(``MiddlewareMixin`` — sessions, locale, CSRF, auth, messages …) hands each of its hooks to the
request's worker thread and back to the event loop, and the sync ones in between switch back
again. With Orderflow's eleven middlewares and sync views that was about fifteen thread switches
per request, and on the benchmark's server half of a bare request's CPU. Around the chain it
makes two more: one to send ``request_started``, one to close the response (``request_finished``,
which hands the database connection back).

Here the chain is built as WSGI builds it — sync middlewares around the sync ``_get_response`` —
and one call in the request's worker thread (``_respond``) does what those three hops did:
``request_started``, the request, the chain, and, when the body is already built, the response's
close. The event loop reads the body before and sends the response after, as Django's handler
does. A streaming response (a static file) is closed after it is sent, in the same worker thread.
Every view in Orderflow is sync; an async one would still work (Django runs it with ``async_to_sync``).

Unlike Django's handler, this one does not watch for the client going away while the view runs:
a sync view cannot be interrupted anyway, and daphne drops the answer to a closed connection.

Django also starts that worker thread for each request and joins it afterwards (a fresh
``ThreadSensitiveContext``), about a tenth of a small request's CPU. Here each request borrows an
idle one-thread executor instead, and gives it back when the request is done: one request at a
time per thread, as before, but no thread is started for it. At most ``IDLE_EXECUTORS_KEPT`` wait
idle; executors beyond that (after a burst), and those of requests that were cancelled or failed,
are shut down.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

IDLE_EXECUTORS_KEPT = 64


class OneHopASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        self._idle_executors: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)  # the chain as WSGI builds it, whatever Django asks for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._executor_borrow()
        done = False
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
            done = True
        finally:
            # Cancelled (daphne gives up on a request whose client left) or failed, its thread may
            # still be running the view: it is not lent to another request.
            self._executor_return(executor, idle=done)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            set_script_prefix(get_script_prefix(scope))
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # closed even when sending it failed half-way
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def _respond(self, scope, body_file) -> HttpResponseBase:
        """In the request's worker thread: the request from start to answer, closed unless it streams."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self._middleware_chain(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # larger reads: the server chunks what it sends
        if not response.streaming:
            response.close()  # request_finished: the database connection goes back now
        return response

    def _executor_borrow(self) -> ThreadPoolExecutor:
        """The most recently returned idle executor (its thread is likeliest still warm), or a new one.
        Only the event loop's thread borrows and returns, so the list needs no lock."""
        if self._idle_executors:
            return self._idle_executors.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def _executor_return(self, executor: ThreadPoolExecutor, *, idle: bool) -> None:
        if idle and len(self._idle_executors) < IDLE_EXECUTORS_KEPT:
            self._idle_executors.append(executor)
            return
        # Its thread ends once it has finished what it is running: join it off the loop.
        threading.Thread(target=executor.shutdown, daemon=True).start()
