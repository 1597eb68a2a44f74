"""The web server's request handler: Django's ASGI handler with one thread hop per request.

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
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)
