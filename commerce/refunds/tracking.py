"""The customer's tracking link: a signed, expiring token per refund request.

The token is Django's ``TimestampSigner`` over the request id with its own salt: it carries the id,
the time it was made and an HMAC under ``SECRET_KEY``, so it cannot be guessed or altered (a
changed id breaks the signature) and is refused after ``ORDERFLOW_REFUND_TRACKING_DAYS`` (30 by
default). Staff read a fresh link from the request's API detail and send it to the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "orderflow.refunds.tracking"
MAX_TOKEN_LENGTH = 200


def tracking_days() -> int:
    return int(getattr(settings, "ORDERFLOW_REFUND_TRACKING_DAYS", 30))


def tracking_token(refund_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(refund_id))


def tracking_path(refund_id: int) -> str:
    return reverse("refund-tracking", kwargs={"token": tracking_token(refund_id)})


@dataclass(frozen=True)
class TokenCheck:
    refund_id: int | None
    problem: str  # "" when valid, else "expired" or "invalid"


def tracking_token_check(token: str) -> TokenCheck:
    """The request a token names, or why it names none (expired, or not a token this site made)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return TokenCheck(None, "invalid")
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(token, max_age=timedelta(days=tracking_days()))
    except signing.SignatureExpired:
        return TokenCheck(None, "expired")
    except signing.BadSignature:
        return TokenCheck(None, "invalid")
    if not value.isdigit():
        return TokenCheck(None, "invalid")
    return TokenCheck(int(value), "")
