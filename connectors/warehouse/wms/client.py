"""The WMS's API for one connection: push a pick list (``POST /v1/pick-lists``), check the link (``GET /v1/ping``).

Every request is signed (``webhook.signed_headers``: HMAC-SHA256 over timestamp + "." + body) and
every answer's signature is verified before it is read: an answer that is not the WMS's is a
``ProviderError`` like any other failure. Timeouts, connection errors, 429 and 5xx are
retryable; a refused request (4xx) is not. ``Idempotency-Key`` is the order number: the WMS
keeps one pick list per order and answers a repeat with the list it holds (200, not 201).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from ...base import ProviderError
from ...http import TIMEOUT, retry_after_seconds
from .webhook import signature_problem, signed_headers

if TYPE_CHECKING:
    from ...models import Connection

PICK_LISTS_PATH = "/v1/pick-lists"
PING_PATH = "/v1/ping"


def origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


class WmsClient:
    def __init__(self, connection: Connection, session: requests.Session, *, clock: Callable[[], float] = time.time):
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.session = session
        self.base_url = str(credentials["base_url"]).rstrip("/")
        self.secret = str(credentials["signing_secret"])
        self.clock = clock

    def __repr__(self) -> str:  # never the secret
        return f"WmsClient({self.base_url!r})"

    def _call(
        self, method: str, path: str, payload: dict | None = None, headers: dict | None = None
    ) -> tuple[int, Any]:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        signed = {**signed_headers(self.secret, body, timestamp=int(self.clock())), **(headers or {})}
        try:
            response = self.session.request(method, self.base_url + path, data=body, headers=signed, timeout=TIMEOUT)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise ProviderError(f"The WMS could not be reached: {exc}", retryable=True, code="unreachable") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(
                f"The WMS answered HTTP {response.status_code}",
                retryable=True,
                code=f"http_{response.status_code}",
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        problem = signature_problem(self.secret, response.headers, response.content, now=self.clock())
        if problem is not None:
            raise ProviderError(
                f"The WMS's answer (HTTP {response.status_code}) is not signed by it: {problem.message}",
                retryable=False,
                code="bad_answer_signature",
            )
        try:
            answer = response.json()
        except ValueError:
            raise ProviderError("The WMS answered without JSON", retryable=False, code="bad_answer") from None
        if response.status_code >= 400:
            message = answer.get("message", "") if isinstance(answer, dict) else ""
            raise ProviderError(
                f"The WMS refused the request (HTTP {response.status_code}): {message}",
                retryable=False,
                code=str(answer.get("code", "refused")) if isinstance(answer, dict) else "refused",
            )
        return response.status_code, answer

    def push_pick_list(self, pick_list: dict) -> dict:
        """Sends a pick list; ``created`` is False when the WMS already held the order's list."""
        status, answer = self._call(
            "POST", PICK_LISTS_PATH, pick_list, headers={"Idempotency-Key": str(pick_list["order_number"])}
        )
        if not isinstance(answer, dict) or not answer.get("pick_list_id"):
            raise ProviderError("The WMS's answer names no pick list", retryable=False, code="bad_answer")
        return {
            "pick_list_id": str(answer["pick_list_id"]),
            "status": str(answer.get("status", "")),
            "created": status == 201,
        }

    def ping(self) -> dict:
        return self._call("GET", PING_PATH)[1]


def check(client: WmsClient) -> None:
    """Test connection: a signed ping whose signed answer verifies."""
    client.ping()
