"""WeChat service account (微信服务号) template messages, at ``api.weixin.qq.com``.

**The access token**: ``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` answers
``{"access_token": …, "expires_in": 7200}``. It is kept per connection in the database
(``ProviderAccessToken``, sealed) and used until ``expires_in`` minus ``TOKEN_MARGIN`` has passed,
so every process shares one token. A send refused with ``40001`` (not the latest token), ``42001``
(expired) or ``40014`` (not a token) fetches a new one and is sent again, once.

**The send**: ``POST /cgi-bin/message/template/send?access_token=…`` with ``touser`` (the openid),
``template_id``, ``url``, ``data`` (``{name: {"value": …}}``, the template's variables) and
``client_msg_id``: the notification's stable provider key, on which WeChat drops a repeat for the
same openid. It answers ``{"errcode": 0, "errmsg": "ok", "msgid": …}``. ``45009`` (over the API's
quota), ``-1`` (system busy) and 5xx are retryable; ``43004`` (the user does not follow the
account), a bad openid or template and every other code are not.

The secret and the token travel in query strings: no error or log line names a URL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import requests
from django.utils import timezone

from core.crypto import SecretUnreadable, reveal, seal

from ...base import ProviderError
from ..channels import OutgoingMessage, SendReceipt
from ..models import ProviderAccessToken
from ..robots import errcode_call

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_ENDPOINT = "https://api.weixin.qq.com"
NAME = "WeChat"
RETRYABLE = frozenset({45009, -1})
TOKEN_REFUSED = frozenset({"40001", "42001", "40014"})
TOKEN_MARGIN = timedelta(minutes=5)
NOT_SUBSCRIBED = 43004


def credentials_of(connection: Connection) -> dict:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


def template_body(message: OutgoingMessage, client_msg_id: str) -> dict:
    body: dict = {
        "touser": message.recipient,
        "template_id": message.template,
        "data": {str(name): {"value": str(value)} for name, value in message.params.items()},
        "client_msg_id": client_msg_id,
    }
    if message.url:
        body["url"] = message.url
    return body


class WeChatMpClient:
    def __init__(self, connection: Connection, session: requests.Session):
        credentials = credentials_of(connection)
        self.connection = connection
        self.session = session
        self.appid = str(credentials["appid"])
        self.secret = str(credentials["secret"])
        self.endpoint = DEFAULT_ENDPOINT

    def __repr__(self) -> str:  # never the secret or the token
        return f"WeChatMpClient({self.appid!r})"

    # --- the access token ---------------------------------------------------------------------

    def access_token(self, now: datetime | None = None) -> str:
        """The connection's token while it has more than ``TOKEN_MARGIN`` to live, else a new one."""
        now = now or timezone.now()
        kept = ProviderAccessToken.objects.filter(connection=self.connection, expires_at__gt=now + TOKEN_MARGIN).first()
        if kept is not None:
            try:
                return reveal(kept.token_sealed)
            except SecretUnreadable:  # sealed under a retired key: fetch another
                pass
        return self.token_refresh(now)

    def token_refresh(self, now: datetime | None = None) -> str:
        """Fetches a new token and keeps it for every process."""
        answer = errcode_call(
            self.session,
            "GET",
            f"{self.endpoint}/cgi-bin/token?grant_type=client_credential&appid={self.appid}&secret={self.secret}",
            name=NAME,
            retryable_codes=RETRYABLE,
        )
        token = str(answer.get("access_token") or "")
        if not token:
            raise ProviderError(f"{NAME} issued no access_token", retryable=True, code="bad_answer")
        expires_at = (now or timezone.now()) + timedelta(seconds=int(answer.get("expires_in") or 0))
        ProviderAccessToken.objects.update_or_create(
            connection=self.connection, defaults={"token_sealed": seal(token), "expires_at": expires_at}
        )
        return token

    # --- template messages --------------------------------------------------------------------

    def _template_send(self, token: str, body: dict) -> dict:
        return errcode_call(
            self.session,
            "POST",
            f"{self.endpoint}/cgi-bin/message/template/send?access_token={token}",
            body=body,
            name=NAME,
            retryable_codes=RETRYABLE,
        )

    def send(self, message: OutgoingMessage, *, idempotency_key: str) -> SendReceipt:
        body = template_body(message, idempotency_key)
        try:
            answer = self._template_send(self.access_token(), body)
        except ProviderError as exc:
            if exc.code not in TOKEN_REFUSED:
                raise
            answer = self._template_send(self.token_refresh(), body)  # once: a second refusal is raised
        return SendReceipt(
            message_id=str(answer.get("msgid", "")),
            response={"errcode": 0, "errmsg": answer.get("errmsg", "ok"), "msgid": answer.get("msgid")},
        )


def check(client: WeChatMpClient) -> None:
    """Test connection: fetching a token is what proves the appid and secret (and the server's IP
    on the account's allow list)."""
    client.token_refresh()
