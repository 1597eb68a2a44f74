"""Alipay's RSA2 signatures: requests the merchant signs, notifies and answers Alipay signs (PROTOCOLS.md 2.1, 2.2).

* **Requests** (``request_sign``): every parameter but ``sign`` — ``sign_type`` included — with a
  non-empty value, sorted by key, joined ``k=v`` with ``&``; SHA256withRSA (PKCS#1 v1.5) with the
  app private key, base64.
* **Notifies** (``notify_verify``): the form-decoded parameters without ``sign`` and ``sign_type``
  (rule V1, alipay-sdk-java ``getSignCheckContentV1``; empty values kept), sorted and joined the
  same way, verified with the Alipay public key. Gateway messages other than ``trade_status_sync``
  (service-market orders, life-account messages) are signed under rule V2, which keeps
  ``sign_type`` in the signed text (``getSignCheckContentV2``).
* **Answers** (``response_verify``): the signature covers the exact raw JSON text of the
  ``<method with underscores>_response`` value, found by matching its braces in the body as sent.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TRADE_STATUS_SYNC = "trade_status_sync"


class BadKey(ValueError):
    """A PEM (or bare base64 DER) that is not an RSA key of the expected kind."""


def _pem(text: str, kind: str) -> bytes:
    text = text.strip()
    if "-----BEGIN" in text:
        return text.encode()
    # Alipay's console hands keys out as one base64 line without the PEM armour.
    body = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n".encode()


def private_key(text: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(_pem(text, "PRIVATE KEY"), password=None)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(_pem(text, "RSA PRIVATE KEY"), password=None)
        except (ValueError, TypeError):
            raise BadKey("not an RSA private key (PEM)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadKey("not an RSA private key")
    return key


def public_key(text: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(_pem(text, "PUBLIC KEY"))
    except (ValueError, TypeError):
        raise BadKey("not an RSA public key (PEM)") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadKey("not an RSA public key")
    return key


def rsa_sign(key: rsa.RSAPrivateKey, content: str) -> str:
    return base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, content: str, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        key.verify(raw, content.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _value(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def request_content(params: Mapping[str, object]) -> str:
    return "&".join(f"{k}={_value(params[k])}" for k in sorted(params) if k != "sign" and params[k] not in (None, ""))


def request_sign(params: Mapping[str, object], key: rsa.RSAPrivateKey) -> str:
    return rsa_sign(key, request_content(params))


def notify_content_v1(params: Mapping[str, str]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type"))


def notify_content_v2(params: Mapping[str, str]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")


def notify_rule(params: Mapping[str, str]) -> str:
    """``v1`` for trade notifies, ``v2`` for the gateway's other messages (they keep ``sign_type``)."""
    notify_type = params.get("notify_type", "")
    return "v1" if notify_type == TRADE_STATUS_SYNC or not notify_type and "trade_status" in params else "v2"


def notify_verify(params: Mapping[str, str], key: rsa.RSAPublicKey) -> bool:
    signature = params.get("sign", "")
    if not signature:
        return False
    content = notify_content_v1(params) if notify_rule(params) == "v1" else notify_content_v2(params)
    return rsa_verify(key, content, signature)


def notify_sign(params: Mapping[str, str], key: rsa.RSAPrivateKey) -> str:
    """What Alipay does (the sandbox): rule V1 over a trade notify."""
    content = notify_content_v1(params) if notify_rule(params) == "v1" else notify_content_v2(params)
    return rsa_sign(key, content)


def response_field(method: str) -> str:
    return method.replace(".", "_") + "_response"


def raw_value(text: str, name: str) -> str | None:
    """The exact text of the JSON object that is the value of the top-level key ``name`` in ``text``:
    from its ``{`` to the matching ``}``, braces inside strings skipped."""
    marker = f'"{name}"'
    start = text.find(marker)
    if start < 0:
        return None
    i = start + len(marker)
    while i < len(text) and text[i] in " \t\r\n:":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth, in_string, escaped = 0, False, False
    for j in range(i, len(text)):
        char = text[j]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[i : j + 1]
    return None


def response_verify(text: str, method: str, key: rsa.RSAPublicKey) -> bool:
    """Whether the answer's ``sign`` covers the raw text of its ``<method>_response`` value."""
    raw = raw_value(text, response_field(method))
    try:
        signature = json.loads(text).get("sign", "")
    except (ValueError, AttributeError):
        return False
    return raw is not None and isinstance(signature, str) and bool(signature) and rsa_verify(key, raw, signature)


def response_sign(payload: dict, method: str, key: rsa.RSAPrivateKey) -> bytes:
    """What Alipay answers (the sandbox): ``{"<method>_response": {...}, "sign": "..."}`` signed over
    the very text it sends."""
    inner = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    signature = rsa_sign(key, inner)
    return f'{{"{response_field(method)}":{inner},"sign":"{signature}"}}'.encode()
