"""DingTalk's custom robot signature ("加签"), as DingTalk documents it:

``string_to_sign = f"{timestamp}\\n{secret}"`` (the timestamp in milliseconds);
``sign = urlencode(base64(HMAC-SHA256(key=secret, string_to_sign)))``, sent as ``&timestamp=…&sign=…``
on the webhook URL. DingTalk refuses a timestamp more than an hour from its clock.
"""

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def signature(timestamp_ms: int | str, secret: str) -> str:
    """The base64 signature, before URL encoding."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign(timestamp_ms: int | str, secret: str) -> str:
    """The ``sign`` query value: the signature URL-encoded."""
    return quote_plus(signature(timestamp_ms, secret))


def verify(timestamp_ms: str, secret: str, given: str) -> bool:
    """``given`` as the server reads it from the query (already URL-decoded)."""
    return hmac.compare_digest(signature(timestamp_ms, secret), given)
