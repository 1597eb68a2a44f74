"""Aliyun's RPC request signature (signature version 1.0, HMAC-SHA1), as the Aliyun OpenAPI documents it.

1. Every parameter but ``Signature``, sorted by name (byte order), each name and value
   percent-encoded per RFC 3986 (``A-Z a-z 0-9 - _ . ~`` kept, a space ``%20``, ``*`` ``%2A``),
   joined as ``name=value`` with ``&``: the canonicalized query;
2. ``StringToSign = METHOD + "&" + percent("/") + "&" + percent(canonicalized query)``;
3. ``Signature = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``, sent as a parameter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote


def percent(value: str) -> str:
    return quote(value, safe="~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent(k)}={percent(str(v))}" for k, v in sorted(params.items()) if k != "Signature")


def string_to_sign(params: Mapping[str, str], method: str = "GET") -> str:
    return f"{method.upper()}&{percent('/')}&{percent(canonical_query(params))}"


def sign(params: Mapping[str, str], access_key_secret: str, method: str = "GET") -> str:
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign(params, method).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(params: Mapping[str, str], access_key_secret: str, method: str = "GET") -> bool:
    return hmac.compare_digest(sign(params, access_key_secret, method), params.get("Signature", ""))
