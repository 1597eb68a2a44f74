"""``http.request``: call another system over HTTP, signed, with the node's idempotency key.

**SSRF guard.** Before anything is sent (and in a preview), the URL's host is resolved and the
call refused (terminal ``forbidden_address``) when any address it resolves to is not a public
unicast one: loopback, private, shared (CGNAT), link-local (169.254.169.254, the cloud metadata
service), multicast, reserved, unspecified, or an IPv4-mapped IPv6 form of these. Numeric forms
(``2130706433``, ``0177.0.0.1``) are resolved like names, so they are caught too. The setting
``ORDERFLOW_HTTP_ALLOWED_NETWORKS`` (CIDRs and exact host names; empty by default) lets chosen
internal systems through.

**DNS rebinding.** The request is sent to the address that was checked, not to the name again:
the URL's host is replaced by that address, the ``Host`` header keeps the name, and for https the
TLS SNI and the certificate check use the name (``PinnedAdapter``). Redirects are not followed.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from builder.catalog import ActionSpec
from core.crypto import SecretUnreadable, reveal

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


class ForbiddenAddress(TerminalFailure):
    """The URL's host resolves to an address flows may not call (see the module docstring)."""

    def __init__(self, message: str, details: dict):
        super().__init__("forbidden_address", message, details=details)


def _allowed() -> tuple[list, set[str]]:
    networks, hosts = [], set()
    for entry in conf.get("ORDERFLOW_HTTP_ALLOWED_NETWORKS"):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            hosts.add(entry.strip().lower().rstrip("."))
    return networks, hosts


def _unmapped(address: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """``::ffff:10.0.0.1`` reaches 10.0.0.1, so it is judged (and allowed) as that address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    address = _unmapped(address)
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def checked_address(url: str) -> str:
    """The address to connect to for ``url``; ``ForbiddenAddress`` unless every address it resolves to is allowed.

    Raises ``RetryableFailure`` when the name does not resolve (DNS may be down for a moment).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TerminalFailure("bad_url", f"{url!r} has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except ValueError:
        raise TerminalFailure("bad_url", f"{url!r} has a bad port") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise RetryableFailure("dns_error", f"{host!r} does not resolve: {exc}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    networks, hosts = _allowed()
    if host not in hosts:
        refused = [a for a in addresses if _forbidden(a) and not any(_unmapped(a) in net for net in networks)]
        if refused:
            raise ForbiddenAddress(
                f"{host!r} resolves to {', '.join(map(str, refused))}, which flows may not call "
                "(allow it in ORDERFLOW_HTTP_ALLOWED_NETWORKS)",
                details={"host": host, "addresses": [str(a) for a in refused]},
            )
    return str(addresses[0])


def _pinned_url(url: str, address: str) -> str:
    parts = urlsplit(url)
    netloc = f"[{address}]" if ":" in address else address
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class PinnedAdapter(HTTPAdapter):
    """Connects to the address in the URL while TLS (SNI and the certificate check) speaks to ``hostname``."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)


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
    3xx are not. ``sign_secret`` is stored sealed (a ``writeOnly`` param), revealed only to sign,
    and masked in step records.
    """

    external = True
    secret_params = property(lambda self: self.spec.secret_params)
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
                "sign_secret": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 256,
                    "writeOnly": True,
                    "format": "password",
                    "description": "Stored encrypted; never shown back. Sealed, it must fit 256 characters.",
                },
            },
            required=("method", "url"),
        ),
        output_schema=object_schema({"status": {"type": "integer"}, "body": {}}),
    )

    def _request(self, params: dict, run: ActionRun) -> tuple[bytes, dict, str]:
        """The body, the headers and the address to send to; refuses a forbidden address first."""
        if not params["url"].startswith(("http://", "https://")):
            raise TerminalFailure("bad_url", f"{params['url']!r} is not an http(s) URL")
        address = checked_address(params["url"])
        body, content_type = encode_body(params.get("body"))
        headers = {IDEMPOTENCY_HEADER: run.key, "User-Agent": "Orderflow-runtime"}
        if content_type:
            headers["Content-Type"] = content_type
        if params.get("sign_secret"):
            try:
                secret = reveal(params["sign_secret"])
            except SecretUnreadable as exc:
                raise TerminalFailure(exc.code, f"sign_secret: {exc.reason}; enter the secret again") from None
            headers[SIGNATURE_HEADER] = signature(secret, body)
        return body, headers, address

    def perform(self, params: dict, run: ActionRun) -> dict:
        body, headers, address = self._request(params, run)
        netloc = urlsplit(params["url"]).netloc.rsplit("@", 1)[-1]
        with requests.Session() as session:
            session.trust_env = False  # a proxy would resolve the name again
            session.mount("https://", PinnedAdapter(urlsplit(params["url"]).hostname or ""))
            try:
                response = session.request(
                    params["method"],
                    _pinned_url(params["url"], address),
                    data=body,
                    headers={**headers, "Host": netloc},
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
        body, headers, _address = self._request(params, run)
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
