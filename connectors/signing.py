"""HMAC-SHA256 over ``timestamp + "." + raw body``: the signing scheme Orderflow's own protocols share.

The own store's webhooks and the WMS link (both directions) use it. The timestamp (unix seconds,
ASCII digits) is inside the signed bytes, so a captured message cannot be given a fresh one; a
message whose timestamp is more than ``TOLERANCE_SECONDS`` from the receiver's clock, in either
direction, is refused. What to do about a refusal (which header, which status) is each
connector's own: these helpers only compute and compare.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TOLERANCE_SECONDS = 300
SIGNATURE_FORMAT = re.compile(r"sha256=[0-9a-fA-F]{64}")
TIMESTAMP_FORMAT = re.compile(r"[0-9]{1,12}")


def signed_content(timestamp: str, body: bytes) -> bytes:
    """The bytes the signature covers: the timestamp header's text, a dot, the raw body."""
    return timestamp.encode("ascii") + b"." + body


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>`` for a message sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), signed_content(timestamp, body), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_matches(secret: str, timestamp: str, body: bytes, offered: str) -> bool:
    """Whether ``offered`` (already checked against ``SIGNATURE_FORMAT``) signs ``timestamp`` and ``body``,
    compared in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body).encode(), offered.strip().lower().encode())


def timestamp_skew(timestamp: str, now: float) -> int:
    """Seconds the message's timestamp is ahead of (positive) or behind (negative) ``now``."""
    return int(timestamp) - int(now)
