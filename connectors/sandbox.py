"""Sandboxes: local simulators that speak a provider's real protocol, reached through ``requests``.

A simulator answers HTTP requests exactly as the provider's API would (same paths, signing,
pagination headers, rate limits, error bodies) and signs the webhooks it sends with the
connection's test secrets. A sandbox connection's HTTP session (``connectors.http.session_for``)
mounts ``SandboxAdapter`` on the provider's base URL, so the connector's real client code runs
unchanged, and refuses every other URL: a sandbox connection never reaches the network.

The simulator keeps its state (the shop's orders, the stock levels pushed to it) in
``SandboxRecord`` rows, so the web server, the worker and ``manage.py sandbox`` share one shop.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPResponse

from .models import SandboxRecord


@dataclass(frozen=True)
class SimRequest:
    method: str
    url: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass(frozen=True)
class SimResponse:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> SimResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


@dataclass(frozen=True)
class WebhookCall:
    """A delivery a simulator makes: POST ``body`` with ``headers`` to the connection's hook URL."""

    headers: Mapping[str, str]
    body: bytes


class Simulator(Protocol):
    """What every simulator answers. A sales channel's simulator also makes orders:
    ``orders_create(count, skus=None) -> list[dict]`` (in the platform's own shape, kept in its
    shop) and, when the platform pushes webhooks, ``webhook(topic, order) -> WebhookCall`` with
    ``created_topic`` naming the topic of a new order. ``sandbox_orders_deliver`` and the
    demo stream use those; a polling platform's new orders are found by its poller."""

    base_url: str  # the provider's API root the client calls, e.g. https://demo.myshopify.com
    # A simulator may also serve other origins of its provider (``other_base_urls``, e.g. Alipay's
    # bill download host); ``connectors.http.session_for`` mounts it on those as well.

    def handle(self, request: SimRequest) -> SimResponse: ...


class SandboxAdapter(HTTPAdapter):
    """Hands a ``requests`` call to a simulator and builds the ``requests.Response`` from its answer
    the way ``requests`` builds one from the network (``HTTPAdapter.build_response``)."""

    def __init__(self, simulator: Simulator, connection=None):
        super().__init__()
        self.simulator = simulator
        self.connection = connection

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        raw = request.body or b""
        if isinstance(raw, str):
            raw = raw.encode()
        if not isinstance(raw, bytes):
            raise ValueError("a sandbox reads request bodies given as bytes or text, not streams")
        headers = CaseInsensitiveDict(
            {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        )
        if self.connection is not None and sandbox_outage(self.connection):
            answer = SimResponse(503, b"Service Unavailable", {"Content-Type": "text/plain", "Retry-After": "30"})
        else:
            answer = self.simulator.handle(
                SimRequest(
                    method=request.method or "GET",
                    url=request.url or "",
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers=headers,
                    body=raw,
                )
            )
        response = HTTPResponse(
            body=io.BytesIO(answer.body),
            headers=dict(answer.headers),
            status=answer.status,
            reason=HTTPStatus(answer.status).phrase,
            preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, response)


OUTAGE = "outage"


def sandbox_outage(connection) -> bool:
    """Whether the sandbox's provider is "down": every call to it then answers 503."""
    return SandboxRecord.objects.filter(connection=connection, kind=OUTAGE).exists()


def sandbox_outage_set(connection, *, down: bool) -> None:
    """Takes the sandbox's provider down (every API call answers 503 with ``Retry-After: 30``) or up."""
    if down:
        SandboxRecord.objects.get_or_create(connection=connection, kind=OUTAGE, key="all")
    else:
        SandboxRecord.objects.filter(connection=connection, kind=OUTAGE).delete()


class NoNetworkAdapter(BaseAdapter):
    """Mounted under a sandbox connection's session for every URL the simulator does not serve."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        raise requests.ConnectionError(f"a sandbox connection does not reach the network ({request.url})")

    def close(self) -> None:
        pass
