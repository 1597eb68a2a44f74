"""``http.request``: call another system over HTTP, signed, with the node's idempotency key."""

import hashlib
import hmac
import json

import requests

from builder.catalog import ActionSpec

from .. import conf
from ..errors import RetryableFailure, TerminalFailure
from .base import Action, ActionRun, object_schema

SIGNATURE_HEADER = "X-Orderflow-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_RESPONSE_CHARS = 8192
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex of HMAC-SHA256(secret, body)>`` — the value of ``X-Orderflow-Signature``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode_body(body) -> tuple[bytes, str | None]:
    """The exact bytes sent (and signed) and their content type: text as UTF-8, anything else as compact JSON."""
    if body is None:
        return b"", None
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), "application/json"


class HttpRequest(Action):
    """Sends one request with timeouts (``ORDERFLOW_HTTP_TIMEOUT``), no redirects followed.

    The body is signed with HMAC-SHA256 under ``sign_secret`` when one is given
    (``X-Orderflow-Signature: sha256=<hex>``), and the node's idempotency key goes along as
    ``Idempotency-Key``: the network cannot share a transaction with the receipt, so a runner
    that dies after sending and before recording sends again on resume — with the same key, for
    the receiver to dedupe. Timeouts, connection errors, 429 and 5xx are retried; other 4xx and
    3xx are not. ``sign_secret`` is masked in step records.
    """

    external = True
    secret_params = ("sign_secret",)
    spec = ActionSpec(
        key="http.request",
        name_en="Call a URL",
        name_zh="调用 HTTP 接口",
        description_en="Sends an HTTP request, optionally signed with HMAC-SHA256.",
        description_zh="发送 HTTP 请求，可用 HMAC-SHA256 签名。",
        group="integration",
        icon="globe",
        params_schema=object_schema(
            {
                "method": {"type": "string", "enum": list(METHODS)},
                "url": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^(https?://|\\{\\{)"},
                "body": {"description": "Text is sent as it is; anything else as JSON."},
                "sign_secret": {"type": "string", "minLength": 8, "maxLength": 256},
            },
            required=("method", "url"),
        ),
        output_schema=object_schema({"status": {"type": "integer"}, "body": {}}),
    )

    def _request(self, params: dict, run: ActionRun) -> tuple[bytes, dict]:
        if not params["url"].startswith(("http://", "https://")):
            raise TerminalFailure("bad_url", f"{params['url']!r} is not an http(s) URL")
        body, content_type = encode_body(params.get("body"))
        headers = {IDEMPOTENCY_HEADER: run.key, "User-Agent": "Orderflow-runtime"}
        if content_type:
            headers["Content-Type"] = content_type
        if params.get("sign_secret"):
            headers[SIGNATURE_HEADER] = signature(params["sign_secret"], body)
        return body, headers

    def perform(self, params: dict, run: ActionRun) -> dict:
        body, headers = self._request(params, run)
        try:
            response = requests.request(
                params["method"],
                params["url"],
                data=body,
                headers=headers,
                timeout=conf.get("ORDERFLOW_HTTP_TIMEOUT"),
                allow_redirects=False,
            )
        except requests.Timeout:
            raise RetryableFailure("timeout", f"{params['method']} {params['url']} timed out") from None
        except requests.RequestException as exc:
            raise RetryableFailure("connection_error", f"{params['method']} {params['url']}: {exc}") from None
        text = response.text[:MAX_RESPONSE_CHARS]
        try:
            answer = response.json()
        except ValueError:
            answer = text
        details = {"status": response.status_code, "body": text}
        if response.status_code >= 500 or response.status_code == 429:
            raise RetryableFailure("http_error", f"the server answered {response.status_code}", details=details)
        if response.status_code >= 300:
            raise TerminalFailure("http_error", f"the server answered {response.status_code}", details=details)
        return {"status": response.status_code, "body": answer}

    def preview(self, params: dict, run: ActionRun) -> dict:
        body, headers = self._request(params, run)
        return {
            "status": None,
            "body": None,
            "would_send": {
                "method": params["method"],
                "url": params["url"],
                "headers": sorted(headers),
                "body": body.decode(errors="replace"),
            },
        }
