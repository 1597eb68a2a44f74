"""Kuaidi100's API for one account: subscribe a parcel for pushes (``/poll``), query it now (``/poll/query.do``).

Both are form POSTs to ``https://poll.kuaidi100.com`` with the explicit ``connectors.http.TIMEOUT``.
Errors become ``ProviderError``: timeouts, connection errors and 5xx are retryable; an answer
with ``result: false`` is not, except Kuaidi100's "busy" codes. A repeated subscription
(``returnCode`` 501) counts as subscribed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from .signing import query_sign

if TYPE_CHECKING:
    from ...models import Connection

BASE_URL = "https://poll.kuaidi100.com"
SUBSCRIBE_PATH = "/poll"
QUERY_PATH = "/poll/query.do"
ALREADY_SUBSCRIBED = "501"
# returnCode values worth trying again later [unverified: Kuaidi100's error list differs between doc versions]
RETRYABLE_CODES = frozenset({"500", "503", "601"})
NO_RECORD = "查询无结果"


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Kuaidi100Client:
    def __init__(self, connection: Connection, session: requests.Session):
        from ...services.connections import connection_credentials

        credentials = connection_credentials(connection)
        self.connection = connection
        self.session = session
        self.customer = str(credentials["customer"])
        self.key = str(credentials["key"])
        self.salt = str(credentials["salt"])

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = self.session.post(BASE_URL + path, data=form, timeout=TIMEOUT)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise ProviderError(f"Kuaidi100 could not be reached: {exc}", retryable=True, code="unreachable") from None
        if response.status_code >= 500 or response.status_code == 429:
            retry_after = response.headers.get("Retry-After")
            raise ProviderError(
                f"Kuaidi100 answered HTTP {response.status_code}",
                retryable=True,
                code=f"http_{response.status_code}",
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        try:
            answer = response.json()
        except ValueError:
            raise ProviderError(
                f"Kuaidi100 answered HTTP {response.status_code} without JSON", retryable=False, code="bad_answer"
            ) from None
        if response.status_code >= 400 or not isinstance(answer, dict):
            raise ProviderError(f"Kuaidi100 answered HTTP {response.status_code}", retryable=False, code="bad_answer")
        return answer

    def subscribe(self, *, company: str, number: str, callback_url: str, phone: str = "") -> dict[str, Any]:
        """Asks Kuaidi100 to push the parcel's tracking to ``callback_url``, signed with this account's salt."""
        param = {
            "company": company,
            "number": number,
            "key": self.key,
            "parameters": {"callbackurl": callback_url, "salt": self.salt, "resultv2": "1", "phone": phone},
        }
        answer = self._post(SUBSCRIBE_PATH, {"schema": "json", "param": _dumps(param)})
        code = str(answer.get("returnCode", ""))
        if answer.get("result") is True or code == ALREADY_SUBSCRIBED:
            return {"subscribed": True, "return_code": code, "message": str(answer.get("message", ""))}
        raise ProviderError(
            f"Kuaidi100 refused the subscription: {answer.get('message', '')} ({code})",
            retryable=code in RETRYABLE_CODES,
            code=f"kuaidi100_{code or 'error'}",
        )

    def query(self, *, company: str, number: str, phone: str = "") -> dict[str, Any]:
        """The parcel's tracking now (``lastResult``'s shape: ``nu``, ``state``, ``data`` newest first)."""
        param = _dumps(
            {
                "com": company,
                "num": number,
                "phone": phone,
                "from": "",
                "to": "",
                "resultv2": "1",
                "show": "0",
                "order": "desc",
            }
        )
        answer = self._post(
            QUERY_PATH, {"customer": self.customer, "param": param, "sign": query_sign(param, self.key, self.customer)}
        )
        if answer.get("result") is False:
            code = str(answer.get("returnCode", ""))
            if str(answer.get("message", "")).startswith(NO_RECORD):
                return {"nu": number, "state": "", "data": []}
            raise ProviderError(
                f"Kuaidi100 refused the query: {answer.get('message', '')} ({code})",
                retryable=code in RETRYABLE_CODES,
                code=f"kuaidi100_{code or 'error'}",
            )
        return answer


def check(client: Kuaidi100Client) -> None:
    """Test connection: a signed realtime query of a sample number (a "no result" answer is fine)."""
    client.query(company="yuantong", number="YT0000000000000")
