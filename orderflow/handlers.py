"""The web server's request handler: Django's ASGI handler with one thread hop per request, in a
thread that serves request after request.

Django's ``ASGIHandler`` runs an async middleware chain: every middleware that can run both ways
(``MiddlewareMixin`` — sessions, locale, CSRF, auth, messages …) hands each of its hooks to the
request's worker thread and back to the event loop, and the sync ones in between switch back
again. With Orderflow's eleven middlewares and sync views that was about fifteen thread switches
per request, and on the benchmark's server half of a bare request's CPU.

Here the chain is built as WSGI builds it — sync middlewares around the sync ``_get_response``
— and the whole of it runs as one ``sync_to_async`` call in the request's thread-sensitive worker
thread: the thread in which Django also closes the response and its database connection.
Everything else (reading the body, the signals, sending the response) is Django's own.
Every view in Orderflow is sync; an async one would still work (Django runs it with ``async_to_sync``).

Django also starts that worker thread for each request and joins it afterwards (a fresh
``ThreadSensitiveContext``), about a tenth of a small request's CPU. Here each request borrows an
idle one-thread executor instead, and gives it back when Django is done with the request: one
request at a time per thread, as before, but no thread is started for it. At most
``IDLE_EXECUTORS_KEPT`` wait idle; executors beyond that (after a burst) are shut down.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

IDLE_EXECUTORS_KEPT = 64


class OneHopASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        self._idle_executors: list[ThreadPoolExecutor] = []

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._executor_borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._executor_return(executor)

    def _executor_borrow(self) -> ThreadPoolExecutor:
        """The most recently returned idle executor (its thread is likeliest still warm), or a new one.
        Only the event loop's thread borrows and returns, so the list needs no lock."""
        if self._idle_executors:
            return self._idle_executors.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def _executor_return(self, executor: ThreadPoolExecutor) -> None:
        if len(self._idle_executors) < IDLE_EXECUTORS_KEPT:
            self._idle_executors.append(executor)
            return
        # Its thread may still be finishing a request whose client went away: join it off the loop.
        threading.Thread(target=executor.shutdown, daemon=True).start()
