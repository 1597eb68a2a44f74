"""Douyin shop (抖店) request signature (PROTOCOLS.md 5.4).

``param_json`` is the business parameters as JSON with keys sorted at every depth, compact, with
neither ``/`` nor non-ASCII escaped (Python's ``json`` escapes neither when ``ensure_ascii`` is off).
The string signed is ``app_secret + "app_key" + app_key + "method" + method + "param_json" +
param_json + "timestamp" + timestamp + "v" + "2" + app_secret`` (``access_token`` and
``sign_method`` are not in it); ``sign`` is its MD5 in lowercase hex, or with
``sign_method=hmac-sha256`` its ``HMAC_SHA256(key=app_secret)`` in lowercase hex.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..marketplace import hmac_sha256, md5_hex

SIGN_METHODS = ("md5", "hmac-sha256")
VERSION = "2"


def param_json(business: Mapping[str, Any]) -> str:
    return json.dumps(business, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sign_string(*, app_key: str, app_secret: str, method: str, param_json: str, timestamp: str) -> str:
    return f"{app_secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v{VERSION}{app_secret}"


def douyin_sign(
    *, app_key: str, app_secret: str, method: str, param_json: str, timestamp: str, sign_method: str = "md5"
) -> str:
    text = sign_string(
        app_key=app_key, app_secret=app_secret, method=method, param_json=param_json, timestamp=timestamp
    )
    if sign_method == "md5":
        return md5_hex(text)
    if sign_method == "hmac-sha256":
        return hmac_sha256(app_secret, text)
    raise ValueError(f"unknown sign_method {sign_method!r}")
