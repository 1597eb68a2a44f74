"""TOP's request signature (PROTOCOLS.md 5.1; the official SDK's ``TaobaoUtils.signTopRequest``).

Every parameter but ``sign`` (and file parameters, which Orderflow never sends), keys in ASCII
order, empty values left out, concatenated ``key1value1key2value2…``; then by ``sign_method``:

* ``md5``: ``MD5(secret + concat + secret)``;
* ``hmac``: ``HMAC_MD5(key=secret, concat)``;
* ``hmac-sha256``: ``HMAC_SHA256(key=secret, concat)``;

in uppercase hex.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..marketplace import hmac_md5, hmac_sha256, secret_wrapped_md5, sorted_concat

SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


def top_sign(params: Mapping[str, str], secret: str) -> str:
    """The ``sign`` of ``params`` under the ``sign_method`` they name (``md5`` when they name none)."""
    method = params.get("sign_method") or "md5"
    concat = sorted_concat(params)
    if method == "md5":
        return secret_wrapped_md5(secret, concat).upper()
    if method == "hmac":
        return hmac_md5(secret, concat).upper()
    if method == "hmac-sha256":
        return hmac_sha256(secret, concat).upper()
    raise ValueError(f"unknown sign_method {method!r}")
