"""The HTTP session a connector's client calls its provider with.

Timeouts are explicit on every call (``TIMEOUT``: connect, read): ``requests`` has no session-wide
timeout. A sandbox connection's session reaches only its simulator (``sandbox.SandboxAdapter`` on
the provider's base URL, ``NoNetworkAdapter`` on everything else).
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import requests
from django.utils import timezone

from .sandbox import NoNetworkAdapter, SandboxAdapter

if TYPE_CHECKING:
    from .base import Connector
    from .models import Connection

TIMEOUT = (3.05, 10)
USER_AGENT = "Orderflow/1.0"


def session_for(connection: Connection, connector: Connector) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if connection.sandbox:
        if connector.sandbox is None:
            raise ValueError(f"connector {connector.key!r} has no sandbox")
        simulator = connector.sandbox(connection)
        session.mount("http://", NoNetworkAdapter())
        session.mount("https://", NoNetworkAdapter())
        adapter = SandboxAdapter(simulator, connection)
        # A provider with APIs on several hosts (Kuaidi100's tracking and its waybill API) lists the others.
        for base_url in (simulator.base_url, *getattr(simulator, "other_base_urls", ())):
            session.mount(base_url, adapter)
    return session


# The longest wait a Retry-After is read as: past it a number no longer fits a ``timedelta``
# (``Retry-After: 99999999999999999999``), and no provider's outage is planned for longer. Callers
# cap it lower where they must (a sales channel's poll: an hour).
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0


def retry_after_seconds(header: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date (RFC 9110 10.2.3), at most
    ``MAX_RETRY_AFTER_SECONDS``; ``None`` when absent or unreadable. A decimal number of seconds is
    read too: Shopify sends ``2.0``."""
    if not header:
        return None
    header = header.strip()
    if re.fullmatch(r"\d+(\.\d+)?", header):
        return min(float(header), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max((when - timezone.now()).total_seconds(), 0.0), MAX_RETRY_AFTER_SECONDS)
