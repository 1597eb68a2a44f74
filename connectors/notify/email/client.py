"""E-mail through Django's mail backends.

A connection names its sender (``from_address``) and, optionally, its own SMTP server
(``smtp_host``, ``smtp_port``, ``smtp_username``, ``smtp_password``, ``smtp_use_tls``): then the
message goes through an explicit SMTP backend built with ``django.core.mail.get_connection``;
without one it goes through the project's default backend (``EMAIL_BACKEND``, ``EMAIL_HOST``…).
A sandbox connection sends through the in-memory backend (``sandbox``).

**No double sends**: the ``Message-ID`` is made from the notification's stable provider key
(``<key@sender's domain>``), the same on every attempt, so a resend after a crash carries the
Message-ID of the first and mail clients and archives treat it as one message.

**Errors**: a refused recipient or sender, a failed login or a 5xx reply will fail the same way
again (terminal); an unreachable server, a dropped connection, a timeout or a 4xx reply may heal
(retryable). Errors name the SMTP reply code, never the password.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING, Any

import requests
from django.core import mail
from django.core.mail import EmailMessage

from ...base import ProviderError
from ...http import TIMEOUT
from ...sandbox import sandbox_outage
from ..channels import OutgoingMessage, SendReceipt
from .sandbox import EmailSimulator

if TYPE_CHECKING:
    from ...models import Connection

NAME = "The mail server"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def credentials_of(connection: Connection) -> dict:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


def message_id(idempotency_key: str, from_address: str) -> str:
    """``<key@domain>``: the same for every attempt of one notification."""
    domain = from_address.rpartition("@")[2].strip().strip(">") or "orderflow.invalid"
    return f"<{idempotency_key}@{domain}>"


def provider_error(exc: Exception) -> ProviderError:
    """An SMTP or socket failure as a ``ProviderError``: only its class and reply code are named."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return ProviderError(f"{NAME} refused the recipient", retryable=False, code="recipient_refused")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ProviderError(f"{NAME} refused the login ({exc.smtp_code})", retryable=False, code="auth_failed")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return ProviderError(f"{NAME} closed the connection", retryable=True, code="disconnected")
    if isinstance(exc, smtplib.SMTPResponseException):
        transient = 400 <= exc.smtp_code < 500
        return ProviderError(f"{NAME} answered {exc.smtp_code}", retryable=transient, code=f"smtp_{exc.smtp_code}")
    if isinstance(exc, smtplib.SMTPException):
        return ProviderError(f"{NAME} failed ({type(exc).__name__})", retryable=True, code="smtp_error")
    if isinstance(exc, OSError):  # refused, unreachable, timed out, TLS
        return ProviderError(f"{NAME} cannot be reached ({type(exc).__name__})", retryable=True, code="unreachable")
    return ProviderError(f"the message could not be built ({type(exc).__name__})", retryable=False, code="invalid")


class EmailClient:
    def __init__(self, connection: Connection, session: requests.Session):
        credentials = credentials_of(connection)
        self.connection = connection
        self.session = session  # unused: mail does not go over HTTP
        self.from_address = str(credentials["from_address"])
        self.smtp: dict[str, Any] = {}
        if credentials.get("smtp_host"):
            self.smtp = {
                "host": str(credentials["smtp_host"]),
                "port": int(credentials.get("smtp_port") or 587),
                "username": str(credentials.get("smtp_username") or ""),
                "password": str(credentials.get("smtp_password") or ""),
                "use_tls": bool(credentials.get("smtp_use_tls", True)),
            }
        self.simulator = EmailSimulator(connection) if connection.sandbox else None

    def __repr__(self) -> str:  # never the password
        return f"EmailClient({self.from_address!r})"

    def backend(self):
        if self.simulator is not None:
            return self.simulator.backend()
        if self.smtp:
            return mail.get_connection(SMTP_BACKEND, fail_silently=False, timeout=TIMEOUT[1], **self.smtp)
        return mail.get_connection(fail_silently=False)

    def deliver(self, action) -> Any:
        if self.simulator is not None and sandbox_outage(self.connection):
            raise ProviderError(f"{NAME} cannot be reached (sandbox outage)", retryable=True, code="unreachable")
        try:
            return action()
        except ProviderError:
            raise
        except Exception as exc:  # the backends raise smtplib's and socket's errors as they come
            raise provider_error(exc) from None

    def send(self, message: OutgoingMessage, *, idempotency_key: str) -> SendReceipt:
        mid = message_id(idempotency_key, self.from_address)
        email = EmailMessage(
            subject=message.subject,
            body=message.text,
            from_email=self.from_address,
            to=[message.recipient],
            headers={"Message-ID": mid},
            connection=self.backend(),
        )
        if self.simulator is not None:
            self.simulator.mark(email)
        sent = self.deliver(email.send)
        if not sent:
            raise ProviderError(f"{NAME} accepted nothing", retryable=True, code="not_sent")
        return SendReceipt(message_id=mid, response={"message_id": mid, "accepted": int(sent)})


def check(client: EmailClient) -> None:
    """Test connection: opens (and closes) the backend's connection — an SMTP server's login."""
    backend = client.backend()

    def open_and_close() -> None:
        backend.open()
        backend.close()

    client.deliver(open_and_close)
