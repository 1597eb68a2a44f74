"""The e-mail sandbox: Django's in-memory mail backend (``locmem``) stands in for the mail server.

A sandbox connection's client sends through ``django.core.mail.backends.locmem.EmailBackend``: every
message lands in ``django.core.mail.outbox`` (a list in the process; tests start each with it
empty), marked with the connection it went through, and nothing leaves the machine. The sandbox's
outage (``connectors.sandbox.sandbox_outage_set``) makes a send fail as an unreachable server does.
There is no HTTP API here: ``base_url`` only gives the connection's session somewhere to point.
"""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMessage

from ...models import Connection
from ...sandbox import SimRequest, SimResponse

SANDBOX_CREDENTIALS = {"from_address": "notify@orderflow.example"}
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CONNECTION_HEADER = "X-Orderflow-Sandbox-Connection"


class EmailSimulator:
    base_url = "https://mail.sandbox.invalid"

    def __init__(self, connection: Connection):
        self.connection = connection

    def backend(self):
        return mail.get_connection(LOCMEM_BACKEND, fail_silently=False)

    def mark(self, message: EmailMessage) -> None:
        message.extra_headers[CONNECTION_HEADER] = str(self.connection.pk)

    def messages(self) -> list[EmailMessage]:
        """What this connection sent, in the order sent (``mail.outbox`` exists once locmem sent)."""
        outbox = getattr(mail, "outbox", [])
        return [m for m in outbox if m.extra_headers.get(CONNECTION_HEADER) == str(self.connection.pk)]

    def handle(self, request: SimRequest) -> SimResponse:  # no HTTP API: the session is never used
        return SimResponse(404, b"Not Found", {"Content-Type": "text/plain"})
