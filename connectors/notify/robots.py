"""What the group robots (DingTalk; WeCom next) share: a JSON ``POST`` answered ``{"errcode": 0, "errmsg": "ok"}``."""

from __future__ import annotations

import requests

from ..base import ProviderError
from ..http import TIMEOUT
from .channels import SendReceipt


def robot_post(
    session: requests.Session, url: str, body: dict, *, name: str, retryable_codes: frozenset[int]
) -> SendReceipt:
    try:
        response = session.post(url, json=body, timeout=TIMEOUT)
    except requests.Timeout:
        raise ProviderError(f"{name} did not answer in time", retryable=True, code="timeout") from None
    except requests.RequestException as exc:
        raise ProviderError(
            f"{name} cannot be reached ({type(exc).__name__})", retryable=True, code="unreachable"
        ) from None
    if response.status_code >= 500:
        raise ProviderError(
            f"{name} answered HTTP {response.status_code}", retryable=True, code=f"http_{response.status_code}"
        )
    try:
        answer = response.json()
    except ValueError:
        raise ProviderError(f"{name} answered something that is not JSON", retryable=True, code="bad_answer") from None
    errcode = int(answer.get("errcode", -1))
    if errcode != 0:
        raise ProviderError(
            f"{name} refused the message: {errcode} {str(answer.get('errmsg', ''))[:200]}",
            retryable=errcode in retryable_codes,
            code=str(errcode),
        )
    return SendReceipt(message_id="", response={"errcode": 0, "errmsg": answer.get("errmsg", "ok")})
