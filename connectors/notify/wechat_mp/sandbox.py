"""A local WeChat official-account API: issues and expires access tokens, takes template messages.

``GET /cgi-bin/token``: a wrong ``grant_type`` answers ``40002``, an unknown appid ``40013``, a
wrong secret ``40125``; otherwise a new token good for ``expires_in`` 7200 seconds (earlier tokens
stay good, as WeChat keeps them for a while). ``POST /cgi-bin/message/template/send``: no token
``41001``, an unknown one ``40001``, an expired one ``42001``; no openid ``40003``, no template
``40037``; an openid that unfollowed (``unsubscribe``) ``43004``; else ``{"errcode":0,"msgid":…}``
and the message is kept (``SandboxRecord`` kind ``wechat``). A repeated ``client_msg_id`` for the same
openid is answered as accepted with the first message's ``msgid`` and nothing is kept again.

On demand: ``token_expire()`` (every token issued so far expires now), ``token_revoke()`` (they
become unknown, as when another process fetched a newer token long ago), ``fault_set(code,
times=…)`` (the next sends answer ``code``: ``45009``, ``-1``… ``times`` times, or until cleared).
"""

from __future__ import annotations

import json
import secrets
import time

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse
from .client import DEFAULT_ENDPOINT, NOT_SUBSCRIBED

SANDBOX_CREDENTIALS = {"appid": "wx0rderf10wsandbox", "secret": "sandbox0wechat0app0secret0000000"}
MESSAGE = "wechat"
TOKEN = "wechat_token"
REVOKED = "wechat_token_revoked"
SENT_KEY = "wechat_client_msg_id"
UNSUBSCRIBED = "wechat_unsubscribed"
FAULT = "wechat_fault"
EXPIRES_IN = 7200


class WeChatMpSimulator:
    base_url = DEFAULT_ENDPOINT

    def __init__(self, connection: Connection):
        self.connection = connection

    def _records(self, kind: str):
        return SandboxRecord.objects.filter(connection=self.connection, kind=kind)

    # --- what tests and the demo look at and set ----------------------------------------------

    def messages(self) -> list[dict]:
        return [r.data for r in self._records(MESSAGE)]

    def tokens_issued(self) -> int:
        """Every token issued so far, revoked ones included."""
        return SandboxRecord.objects.filter(connection=self.connection, kind__in=(TOKEN, REVOKED)).count()

    def token_expire(self) -> None:
        for record in self._records(TOKEN):
            record.data = {**record.data, "expires_at": time.time() - 1}
            record.save(update_fields=["data", "updated_at"])

    def token_revoke(self) -> None:
        self._records(TOKEN).update(kind=REVOKED)

    def unsubscribe(self, openid: str) -> None:
        SandboxRecord.objects.get_or_create(connection=self.connection, kind=UNSUBSCRIBED, key=openid)

    def fault_set(self, errcode: int, *, times: int | None = None, on: bool = True) -> None:
        if on:
            SandboxRecord.objects.update_or_create(
                connection=self.connection, kind=FAULT, key=str(errcode), defaults={"data": {"times": times}}
            )
        else:
            self._records(FAULT).filter(key=str(errcode)).delete()

    # --- the API --------------------------------------------------------------------------------

    @staticmethod
    def _answer(errcode: int, errmsg: str, **extra) -> SimResponse:
        return SimResponse.json(200, {"errcode": errcode, "errmsg": errmsg, **extra})

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method == "GET" and request.path == "/cgi-bin/token":
            return self._token(request)
        if request.method == "POST" and request.path == "/cgi-bin/message/template/send":
            return self._template_send(request)
        return SimResponse(404, b"Not Found", {"Content-Type": "text/plain"})

    def _token(self, request: SimRequest) -> SimResponse:
        if request.param("grant_type") != "client_credential":
            return self._answer(40002, "invalid grant_type")
        if request.param("appid") != SANDBOX_CREDENTIALS["appid"]:
            return self._answer(40013, "invalid appid")
        if request.param("secret") != SANDBOX_CREDENTIALS["secret"]:
            return self._answer(40125, "invalid appsecret")
        token = secrets.token_urlsafe(48)
        SandboxRecord.objects.create(
            connection=self.connection, kind=TOKEN, key=token[:100], data={"expires_at": time.time() + EXPIRES_IN}
        )
        return SimResponse.json(200, {"access_token": token, "expires_in": EXPIRES_IN})

    def _fault(self) -> int | None:
        fault = self._records(FAULT).first()
        if fault is None:
            return None
        times = fault.data.get("times")
        if times is not None:
            if times <= 1:
                fault.delete()
            else:
                fault.data = {"times": times - 1}
                fault.save(update_fields=["data", "updated_at"])
        return int(fault.key)

    def _template_send(self, request: SimRequest) -> SimResponse:
        token = request.param("access_token")
        if not token:
            return self._answer(41001, "access_token missing")
        issued = self._records(TOKEN).filter(key=token[:100]).first()
        if issued is None:
            return self._answer(40001, "invalid credential, access_token is invalid or not latest")
        if issued.data["expires_at"] <= time.time():
            return self._answer(42001, "access_token expired")
        fault = self._fault()
        if fault is not None:
            return self._answer(fault, "the sandbox was asked to answer this")
        try:
            body = json.loads(request.body)
        except ValueError:
            return self._answer(47001, "data format error")
        if not isinstance(body, dict) or not body.get("touser"):
            return self._answer(40003, "invalid openid")
        if not body.get("template_id"):
            return self._answer(40037, "invalid template_id")
        openid = str(body["touser"])
        if self._records(UNSUBSCRIBED).filter(key=openid).exists():
            return self._answer(NOT_SUBSCRIBED, "require subscribe")
        client_msg_id = str(body.get("client_msg_id") or "")
        dedup_key = f"{openid}:{client_msg_id}"[:100]
        if client_msg_id:
            first = self._records(SENT_KEY).filter(key=dedup_key).first()
            if first is not None:
                return self._answer(0, "ok", msgid=first.data["msgid"])
        msgid = secrets.randbelow(10**18)
        SandboxRecord.objects.create(connection=self.connection, kind=MESSAGE, key=str(msgid), data=body)
        if client_msg_id:
            SandboxRecord.objects.create(
                connection=self.connection, kind=SENT_KEY, key=dedup_key, data={"msgid": msgid}
            )
        return self._answer(0, "ok", msgid=msgid)
