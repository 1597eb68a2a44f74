"""What the Tencent-style JSON APIs share (the DingTalk and WeCom robots, WeChat's official account API):
a call answered ``{"errcode": 0, "errmsg": "ok", …}``, any other ``errcode`` a refusal.

Nothing here names the URL in an error: a robot's webhook key, an ``access_token`` or an app secret
travel in the query string, and an error message ends up in logs and the notification log.
"""

from __future__ import annotations

import requests

from ..base import ProviderError
from ..http import TIMEOUT
from .channels import SendReceipt


def errcode_call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    body: dict | None = None,
    name: str,
    retryable_codes: frozenset[int],
) -> dict:
    """Calls ``url`` (a JSON body for a ``POST``) and returns the answer when its ``errcode`` is 0
    (or absent, as WeChat's token endpoint answers); raises ``ProviderError`` with the ``errcode`` as
    its code otherwise. Timeouts, unreachable hosts, 5xx and answers that are not JSON are retryable."""
    try:
        response = session.request(method, url, json=body, timeout=TIMEOUT)
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
    if not isinstance(answer, dict):
        raise ProviderError(f"{name} answered something that is not an object", retryable=True, code="bad_answer")
    errcode = int(answer.get("errcode", 0))
    if errcode != 0:
        raise ProviderError(
            f"{name} refused the call: {errcode} {str(answer.get('errmsg', ''))[:200]}",
            retryable=errcode in retryable_codes,
            code=str(errcode),
        )
    return answer


def robot_post(
    session: requests.Session, url: str, body: dict, *, name: str, retryable_codes: frozenset[int]
) -> SendReceipt:
    """A group robot's webhook: the message posted, the answer ``{"errcode": 0, "errmsg": "ok"}``."""
    answer = errcode_call(session, "POST", url, body=body, name=name, retryable_codes=retryable_codes)
    return SendReceipt(message_id="", response={"errcode": 0, "errmsg": answer.get("errmsg", "ok")})
