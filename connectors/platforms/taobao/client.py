"""The TOP API client: every call signed and form-encoded to the REST gateway, every error a ``ProviderError``.

Common parameters (PROTOCOLS.md 5.1): ``method, app_key, session, timestamp`` (Beijing time,
the gateway allows ±10 minutes), ``format=json, v=2.0, sign_method, sign``. A success is
``{"<method without 'taobao.', dots as underscores>_response": {…}}``; a failure is
``{"error_response": {"code", "msg", "sub_code", "sub_msg", "request_id"}}``, with HTTP 200.

Which failures are worth retrying [codes from the TOP error-code table as commonly quoted;
unverified here]: the call limits (4 user, 5 session, 6 partner, 7 app — "App Call Limited",
with ``sub_code`` ``accesscontrol.limited-by-app-access-count`` and ``sub_msg`` "This ban will last
for N more seconds", which becomes ``retry_after``), 8 (frequency), 10 (service unavailable), and
any ``isp.*`` sub code (a platform-side failure). Everything else — 25 invalid signature, 27
invalid session, 29 invalid app key, ``isv.*`` business errors — is the request's own fault.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ...base import ProviderError
from ..marketplace import ListedPage, china_text, connection_secrets, gateway_call, malformed, param_text
from .signing import top_sign

if TYPE_CHECKING:
    import requests

    from ...models import Connection

BASE_URL = "https://eco.taobao.com"
GATEWAY = BASE_URL + "/router/rest"
PLATFORM = "Taobao TOP"

RETRYABLE_CODES = frozenset({"4", "5", "6", "7", "8", "10"})
LIMIT_SUB_CODES = frozenset({"accesscontrol.limited-by-app-access-count", "accesscontrol.limited-by-api-access-count"})
BAN_SECONDS = re.compile(r"(\d+)\s+more\s+seconds?", re.IGNORECASE)


def response_key(method: str) -> str:
    """``taobao.trades.sold.increment.get`` → ``trades_sold_increment_get_response``."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def top_error(error: Mapping[str, Any]) -> ProviderError:
    code = str(error.get("code", ""))
    sub_code = str(error.get("sub_code") or "")
    sub_msg = str(error.get("sub_msg") or "")
    message = f"Taobao TOP error {code} {error.get('msg', '')}".rstrip()
    if sub_code or sub_msg:
        message += f" ({sub_code}: {sub_msg})" if sub_code else f" ({sub_msg})"
    retryable = code in RETRYABLE_CODES or sub_code.startswith("isp.") or sub_code in LIMIT_SUB_CODES
    ban = BAN_SECONDS.search(sub_msg)
    return ProviderError(
        message,
        retryable=retryable,
        code=f"{code}:{sub_code}" if sub_code else code,
        retry_after=float(ban.group(1)) if ban and retryable else None,
    )


def top_list(answer: Mapping[str, Any], outer: str, inner: str) -> list[dict[str, Any]]:
    """TOP's JSON wraps a list in an object named after its element: ``{"trades": {"trade": […]}}``."""
    wrapper = answer.get(outer) or {}
    items = wrapper.get(inner) if isinstance(wrapper, dict) else wrapper
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise malformed(PLATFORM, f"a {outer!r} that is not a list of objects")
    return items


class TaobaoClient:
    """One Taobao/Tmall shop's TOP session. Built by the manifest from a connection and its HTTP session."""

    def __init__(self, connection: Connection, session: requests.Session):
        credentials = connection_secrets(connection)
        self.app_key = str(credentials["app_key"])
        self.app_secret = str(credentials["app_secret"])
        self.session_key = str(credentials["session"])
        self.sign_method = str(credentials.get("sign_method") or "md5")
        self.tmc_enabled = bool(connection.settings.get("tmc_enabled"))
        self.tmc_group = str(connection.settings.get("tmc_group") or "")
        self.http = session
        self.clock: Callable[[], datetime] = timezone.now

    def signed_form(self, method: str, params: Mapping[str, object] | None = None) -> dict[str, str]:
        form = {key: param_text(value) for key, value in (params or {}).items() if value is not None}
        form.update(
            method=method,
            app_key=self.app_key,
            session=self.session_key,
            timestamp=china_text(self.clock()),
            format="json",
            v="2.0",
            sign_method=self.sign_method,
        )
        form["sign"] = top_sign(form, self.app_secret)
        return form

    def call(self, method: str, params: Mapping[str, object] | None = None) -> dict[str, Any]:
        body = gateway_call(
            PLATFORM,
            self.http,
            "POST",
            GATEWAY,
            data=self.signed_form(method, params),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        )
        error = body.get("error_response")
        if isinstance(error, dict):
            raise top_error(error)
        answer = body.get(response_key(method))
        if not isinstance(answer, dict):
            raise malformed(PLATFORM, f"no {response_key(method)!r} object")
        return answer

    def seller(self) -> dict[str, Any]:
        """``taobao.user.seller.get``: the shop's seller — the cheapest call that proves the session."""
        user = self.call("taobao.user.seller.get", {"fields": "user_id,nick"}).get("user")
        if not isinstance(user, dict):
            raise malformed(PLATFORM, "no seller in taobao.user.seller.get")
        return user

    def trades_modified(
        self, *, start: datetime, end: datetime, page_no: int, page_size: int, fields: str
    ) -> ListedPage:
        """``taobao.trades.sold.increment.get``: one page of the trades modified in ``[start, end]``."""
        answer = self.call(
            "taobao.trades.sold.increment.get",
            {
                "fields": fields,
                "start_modified": china_text(start),
                "end_modified": china_text(end),
                "page_no": page_no,
                "page_size": page_size,
                "use_has_next": False,  # the count is what lets the poller read from the last page back
            },
        )
        trades = top_list(answer, "trades", "trade") if answer.get("trades") else []
        return ListedPage(orders=trades, total=int(answer.get("total_results") or 0))

    def trade_fullinfo(self, tid: str, fields: str) -> dict[str, Any]:
        trade = self.call("taobao.trade.fullinfo.get", {"tid": tid, "fields": fields}).get("trade")
        if not isinstance(trade, dict):
            raise malformed(PLATFORM, f"no trade in taobao.trade.fullinfo.get for {tid}")
        return trade

    def tmc_consume(self, quantity: int) -> list[dict[str, Any]]:
        """``taobao.tmc.messages.consume``: up to ``quantity`` (10–200) messages of the group."""
        answer = self.call("taobao.tmc.messages.consume", {"group_name": self.tmc_group or None, "quantity": quantity})
        return top_list(answer, "messages", "tmc_message") if answer.get("messages") else []

    def tmc_confirm(self, message_ids: list[int]) -> None:
        """``taobao.tmc.messages.confirm``: these messages were handled; the group will not send them again."""
        answer = self.call(
            "taobao.tmc.messages.confirm",
            {"group_name": self.tmc_group or None, "s_message_ids": [str(item) for item in message_ids]},
        )
        if answer.get("is_success") is not True:
            raise ProviderError("Taobao TOP did not confirm the messages.", retryable=True, code="tmc_not_confirmed")

    def skus_by_outer_id(self, outer_id: str) -> list[dict[str, Any]]:
        """``taobao.skus.custom.get``: the SKUs (of any item) whose merchant code is ``outer_id``."""
        answer = self.call(
            "taobao.skus.custom.get", {"outer_id": outer_id, "fields": "sku_id,num_iid,outer_id,quantity"}
        )
        return top_list(answer, "skus", "sku") if answer.get("skus") else []

    def item_quantity_set(self, *, num_iid: str, outer_id: str, quantity: int) -> dict[str, Any]:
        """``taobao.item.quantity.update`` with ``type=1``: sets (never adds) the SKU's quantity."""
        answer = self.call(
            "taobao.item.quantity.update",
            {"num_iid": num_iid, "outer_id": outer_id, "quantity": quantity, "type": 1},
        )
        item = answer.get("item")
        if not isinstance(item, dict):
            raise malformed(PLATFORM, "no item in taobao.item.quantity.update")
        return item

    def logistics_offline_send(
        self, *, tid: str, out_sid: str, company_code: str, sub_tids: list[str] | None = None
    ) -> dict[str, Any]:
        """``taobao.logistics.offline.send``: the seller shipped the trade (自己联系物流) with this
        tracking number; with ``sub_tids`` (the trade's sub-order oids) only those lines, as one
        parcel of a split trade (``is_split=1``)."""
        params: dict[str, object] = {"tid": tid, "out_sid": out_sid, "company_code": company_code}
        if sub_tids:
            params.update(is_split=1, sub_tid=",".join(sub_tids))
        answer = self.call("taobao.logistics.offline.send", params)
        shipping = answer.get("shipping")
        if not isinstance(shipping, dict) or shipping.get("is_success") is not True:
            raise malformed(PLATFORM, "taobao.logistics.offline.send did not confirm the shipping")
        return shipping


def check(client: TaobaoClient) -> None:
    """Test connection: ``taobao.user.seller.get`` needs a valid app key, signature and session."""
    client.seller()
