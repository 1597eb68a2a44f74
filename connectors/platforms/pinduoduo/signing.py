"""Pinduoduo's request signature (PROTOCOLS.md 5.2).

``sign = UPPER(MD5(client_secret + k1v1k2v2… + client_secret))`` over every parameter but
``sign`` — the common ones (``type, client_id, access_token, timestamp, data_type, version``) and
the business ones — keys in ASCII order, empty values left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..marketplace import secret_wrapped_md5, sorted_concat


def pdd_sign(params: Mapping[str, str], client_secret: str) -> str:
    return secret_wrapped_md5(client_secret, sorted_concat(params)).upper()
