"""The own store's shipment callback: Orderflow tells the store a parcel of its order shipped.

The store has no API of its own that Orderflow knows, so the write-back is a callback Orderflow
defines (doc.md, "Shipment callback"): ``POST <callback_url>`` with the shipment as JSON, signed
exactly as the store signs its webhooks to Orderflow — ``X-Hub-Signature-256: sha256=<hex
HMAC-SHA256(signing secret, timestamp + "." + raw body)>`` with ``X-Orderflow-Timestamp`` — so
the store checks it with the code it already shares with Orderflow. ``X-Orderflow-Event`` is
``shipment.shipped``; ``X-Orderflow-Event-Id`` is the same for the same shipment and number, so
the store can ignore a repeat.

Answers: 2xx is received; 409 ``already_shipped`` (the lines left with another number) and any
other 4xx are terminal, with the store's ``message``; 429, 5xx, timeouts are retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from ...signing import signature
from ..marketplace import connection_secrets, http_failure
from .webhook import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

if TYPE_CHECKING:
    from ...models import Connection

PLATFORM = "The own store"
SHIPMENT_EVENT = "shipment.shipped"
# Where a sandbox connection's callbacks go: its simulator (sandbox.py) answers there.
SANDBOX_CALLBACK_URL = "https://own-store.sandbox.invalid/orderflow/shipments"


class OwnStoreClient:
    def __init__(self, connection: Connection, session: requests.Session):
        self.secret = str(connection_secrets(connection)["signing_secret"])
        configured = str((connection.settings or {}).get("callback_url") or "")
        self.callback_url = configured or (SANDBOX_CALLBACK_URL if connection.sandbox else "")
        self.http = session
        self.clock: Callable[[], float] = time.time

    def shipment_send(self, shipment: dict[str, Any], *, event_id: str) -> dict[str, Any]:
        """Posts one signed ``shipment.shipped`` callback; the store's JSON answer."""
        if not self.callback_url:
            raise ProviderError(
                "The own-store connection has no shipment callback address: set callback_url in its settings.",
                retryable=False,
                code="no_callback_url",
            )
        body = json.dumps(shipment, ensure_ascii=False, separators=(",", ":")).encode()
        sent_at = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: sent_at,
            SIGNATURE_HEADER: signature(self.secret, sent_at, body),
            EVENT_HEADER: SHIPMENT_EVENT,
            EVENT_ID_HEADER: event_id,
        }
        try:
            response = self.http.post(self.callback_url, data=body, headers=headers, timeout=TIMEOUT)
        except requests.Timeout:
            raise ProviderError(f"{PLATFORM} did not answer in time.", retryable=True, code="timeout") from None
        except requests.ConnectionError as exc:
            raise ProviderError(f"{PLATFORM} cannot be reached: {exc}", retryable=True, code="unreachable") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if 400 <= response.status_code < 500 and response.status_code != 429 and isinstance(answer, dict):
            code = str(answer.get("code") or f"http_{response.status_code}")
            raise ProviderError(
                f"{PLATFORM} refused the shipment ({code}): {answer.get('message') or ''}".rstrip(": "),
                retryable=False,
                code=code,
            )
        failure = http_failure(PLATFORM, response)
        if failure is not None:
            raise failure
        return answer if isinstance(answer, dict) else {}
