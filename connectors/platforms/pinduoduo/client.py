"""The Pinduoduo open-platform client: every call signed and form-encoded to ``/api/router``.

Common parameters (PROTOCOLS.md 5.2): ``type`` (the API), ``client_id``, ``access_token``,
``timestamp`` (unix seconds), ``data_type=JSON``, ``version=V1``, ``sign``. A success is
``{"<name>_response": {…}}`` under a name each API states (``order_sn_increment_get_response`` for
``pdd.order.number.list.increment.get``); a failure is ``{"error_response": {"error_code",
"error_msg", "sub_code", "sub_msg", "request_id"}}``.

Retryable: 70031 (调用过于频繁 — access frequency too high) and any message saying so; terminal:
everything else — 10019 (access_token 已过期: the seller must authorise again), 20004 (签名验证失败,
seen in justmd5/pinduoduo-sdk#19) … The gateway names no wait for a frequency limit, so
``retry_after`` stays empty and the framework's backoff decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ...base import ProviderError
from ..marketplace import ListedPage, connection_secrets, gateway_call, malformed, param_text, unix_seconds
from .signing import pdd_sign

if TYPE_CHECKING:
    import requests

    from ...models import Connection

BASE_URL = "https://gw-api.pinduoduo.com"
GATEWAY = BASE_URL + "/api/router"
PLATFORM = "Pinduoduo"

FREQUENCY_LIMITED = frozenset({70031})
FREQUENCY_WORDS = ("access frequency too high", "调用过于频繁", "频率")


def pdd_error(error: Mapping[str, Any]) -> ProviderError:
    code = error.get("error_code")
    text = f"{error.get('error_msg') or ''} {error.get('sub_msg') or ''}".strip()
    limited = code in FREQUENCY_LIMITED or any(word in text.lower() for word in FREQUENCY_WORDS)
    message = f"Pinduoduo error {code}: {text}" if text else f"Pinduoduo error {code}"
    return ProviderError(message, retryable=limited, code=str(code))


class PinduoduoClient:
    """One Pinduoduo shop (mall) as the app it authorised sees it."""

    def __init__(self, connection: Connection, session: requests.Session):
        credentials = connection_secrets(connection)
        self.client_id = str(credentials["client_id"])
        self.client_secret = str(credentials["client_secret"])
        self.access_token = str(credentials["access_token"])
        self.http = session
        self.clock: Callable[[], datetime] = timezone.now

    def signed_form(self, api: str, params: Mapping[str, object] | None = None) -> dict[str, str]:
        form = {key: param_text(value) for key, value in (params or {}).items() if value is not None}
        form.update(
            type=api,
            client_id=self.client_id,
            access_token=self.access_token,
            timestamp=str(unix_seconds(self.clock())),
            data_type="JSON",
            version="V1",
        )
        form["sign"] = pdd_sign(form, self.client_secret)
        return form

    def call(self, api: str, answer_key: str, params: Mapping[str, object] | None = None) -> dict[str, Any]:
        body = gateway_call(PLATFORM, self.http, "POST", GATEWAY, data=self.signed_form(api, params))
        error = body.get("error_response")
        if isinstance(error, dict):
            raise pdd_error(error)
        answer = body.get(answer_key)
        if not isinstance(answer, dict):
            raise malformed(PLATFORM, f"no {answer_key!r} object for {api}")
        return answer

    def mall(self) -> dict[str, Any]:
        """``pdd.mall.info.get``: the shop — the cheapest call that proves the token."""
        return self.call("pdd.mall.info.get", "mall_info_get_response")

    def orders_modified(self, *, start: datetime, end: datetime, page: int, page_size: int) -> ListedPage:
        """``pdd.order.number.list.increment.get``: one page of the orders updated in ``[start, end]`` (≤ 30 min)."""
        answer = self.call(
            "pdd.order.number.list.increment.get",
            "order_sn_increment_get_response",
            {
                "is_lucky_flag": 0,  # all orders, lucky draws included
                "order_status": 5,  # every shipping status
                "refund_status": 5,  # every after-sales status
                "start_updated_at": unix_seconds(start),
                "end_updated_at": unix_seconds(end),
                "page": page,
                "page_size": page_size,
                "use_has_next": False,  # the count lets the poller read from the last page back
            },
        )
        orders = answer.get("order_sn_list") or []
        if not isinstance(orders, list) or not all(isinstance(order, dict) for order in orders):
            raise malformed(PLATFORM, "an order_sn_list that is not a list of objects")
        return ListedPage(orders=orders, total=int(answer.get("total_count") or 0))

    def goods_by_outer_id(self, outer_id: str) -> list[dict[str, Any]]:
        """``pdd.goods.list.get`` filtered by the SKU's merchant code [the filter parameter is unverified]."""
        answer = self.call("pdd.goods.list.get", "goods_list_get_response", {"outer_id": outer_id, "page_size": 100})
        goods = answer.get("goods_list") or []
        if not isinstance(goods, list) or not all(isinstance(item, dict) for item in goods):
            raise malformed(PLATFORM, "a goods_list that is not a list of objects")
        return goods

    def goods_quantity_set(self, *, goods_id: int, sku_id: int, quantity: int) -> None:
        """``pdd.goods.quantity.update`` with ``update_type=1``: sets (never adds) a SKU's stock."""
        answer = self.call(
            "pdd.goods.quantity.update",
            "goods_quantity_update_response",
            {"goods_id": goods_id, "sku_id": sku_id, "quantity": quantity, "update_type": 1},
        )
        if answer.get("is_success") is not True:
            raise ProviderError("Pinduoduo did not accept the stock update.", retryable=True, code="not_updated")


def check(client: PinduoduoClient) -> None:
    """Test connection: ``pdd.mall.info.get`` needs a valid client id, signature and access token."""
    client.mall()


# --- shipping write-back (运单号回传) ------------------------------------------------------------


def logistics_online_send(client: PinduoduoClient, *, order_sn: str, logistics_id: int, tracking_number: str) -> None:
    """``pdd.logistics.online.send`` (订单发货通知): the order shipped with this courier and number.

    Parameters ``order_sn``, ``logistics_id`` (Pinduoduo's courier id, ``pdd.logistics.companies.get``),
    ``tracking_number``; the answer ``logistics_online_send_response`` ``{is_success}`` [doc: the
    open-platform SDKs lywzx/pdd-node-sdk ``PddLogisticsOnlineSend.ts`` and niltor/open-pdd-net-sdk].
    """
    answer = client.call(
        "pdd.logistics.online.send",
        "logistics_online_send_response",
        {"order_sn": order_sn, "logistics_id": logistics_id, "tracking_number": tracking_number},
    )
    if answer.get("is_success") is not True:
        raise ProviderError(
            f"Pinduoduo did not confirm the shipment of order {order_sn}.", retryable=True, code="not_confirmed"
        )


def order_extra_logistics(client: PinduoduoClient, *, order_sn: str, shipping_id: int, tracking_number: str) -> None:
    """``pdd.order.upload.extra.logistics`` with ``extra_track_type=1`` (分包发货): one more parcel's
    number for an order already shipped, shown to the buyer [doc: SchafferJ/open-pdd's request
    model; the answer's wrapper ``order_upload_extra_logistics_response`` is unverified]."""
    answer = client.call(
        "pdd.order.upload.extra.logistics",
        "order_upload_extra_logistics_response",
        {
            "order_sn": order_sn,
            "extra_track_type": 1,
            # an object parameter travels as its JSON text, as every PDD SDK sends it
            "extra_track_list": json.dumps(
                [{"shipping_id": shipping_id, "tracking_number": tracking_number}], separators=(",", ":")
            ),
        },
    )
    if answer.get("success") is not True:
        raise ProviderError(
            f"Pinduoduo did not confirm the extra tracking number of order {order_sn}.",
            retryable=True,
            code="not_confirmed",
        )
