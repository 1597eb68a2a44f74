"""JD (宙斯/JOS) request signature (PROTOCOLS.md 5.3).

The business parameters travel as one JSON string, ``360buy_param_json``, which is signed like any
other parameter: ``sign = UPPER(MD5(app_secret + k1v1k2v2… + app_secret))`` over every parameter
but ``sign`` (``360buy_param_json, access_token, app_key, method, timestamp, v``…), keys in ASCII
order — so ``360buy_param_json`` comes first — empty values left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..marketplace import secret_wrapped_md5, sorted_concat

PARAM_JSON = "360buy_param_json"


def param_json(business: Mapping[str, Any]) -> str:
    """The ``360buy_param_json`` of the business parameters: compact JSON, non-ASCII as is."""
    return json.dumps(business, ensure_ascii=False, separators=(",", ":"))


def jd_sign(params: Mapping[str, str], app_secret: str) -> str:
    return secret_wrapped_md5(app_secret, sorted_concat(params)).upper()
