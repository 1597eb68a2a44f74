"""The Douyin shop (抖店) open-API client: every call signed, the business JSON posted to the method's path.

A call is ``POST https://openapi-fxg.jinritemai.com/<method with dots as slashes>`` (``order.searchList``
→ ``/order/searchList``) with ``app_key, method, access_token, timestamp`` (unix seconds
[secondary: integrations in the stored sources; older SDKs send ``yyyy-MM-dd HH:mm:ss``], ``v=2``,
``sign`` and ``sign_method`` in the query and ``param_json`` as the body. The answer is
``{"code", "msg", "sub_code", "sub_msg", "data", "log_id"}``; ``code`` 10000 is success.

Retryable [codes: the platform's base error-code table (op.jinritemai.com/docs/guide-docs/212/1427)
as copied into SDKs in the stored sources]: 20000 服务不可用, 20001 内部服务超时, 60000 触发限流 and
any ``isp.*`` sub code; terminal: 30001 权限不足, 40001–40004 参数/签名/令牌
(``isv.signature-invalid``, ``isv.access-token-expired``, ``isv.timestamp-invalid``…), 50002 业务处理失败 …

Method names beyond PROTOCOLS.md are [unverified]: ``shop.brandList`` (the check),
``order.searchList`` (orders), ``sku.syncStock`` (stock).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ...base import ProviderError
from ..marketplace import ListedPage, connection_secrets, gateway_call, malformed, unix_seconds
from .signing import VERSION, douyin_sign, param_json

if TYPE_CHECKING:
    import requests

    from ...models import Connection

BASE_URL = "https://openapi-fxg.jinritemai.com"
PLATFORM = "Douyin shop"
SUCCESS = 10000
RETRYABLE_CODES = frozenset({20000, 20001, 60000})


def method_path(method: str) -> str:
    return "/" + method.replace(".", "/")


def douyin_error(body: Mapping[str, Any]) -> ProviderError:
    code = body.get("code", body.get("err_no"))
    sub_code = str(body.get("sub_code") or "")
    text = " ".join(str(part) for part in (body.get("msg") or body.get("message"), body.get("sub_msg")) if part)
    retryable = code in RETRYABLE_CODES or sub_code.startswith("isp.")
    return ProviderError(
        f"Douyin shop error {code}: {text}".rstrip(": "),
        retryable=retryable,
        code=f"{code}:{sub_code}" if sub_code else str(code),
    )


class DouyinClient:
    """One Douyin shop as the app it authorised sees it."""

    def __init__(self, connection: Connection, session: requests.Session):
        credentials = connection_secrets(connection)
        self.app_key = str(credentials["app_key"])
        self.app_secret = str(credentials["app_secret"])
        self.access_token = str(credentials["access_token"])
        self.sign_method = str(credentials.get("sign_method") or "md5")
        self.http = session
        self.clock: Callable[[], datetime] = timezone.now

    def signed_query(self, method: str, body: str) -> dict[str, str]:
        timestamp = str(unix_seconds(self.clock()))
        sign = douyin_sign(
            app_key=self.app_key,
            app_secret=self.app_secret,
            method=method,
            param_json=body,
            timestamp=timestamp,
            sign_method=self.sign_method,
        )
        return {
            "app_key": self.app_key,
            "method": method,
            "access_token": self.access_token,
            "timestamp": timestamp,
            "v": VERSION,
            "sign": sign,
            "sign_method": self.sign_method,
        }

    def call(self, method: str, business: Mapping[str, Any] | None = None) -> Any:
        body = param_json(business or {})
        answer = gateway_call(
            PLATFORM,
            self.http,
            "POST",
            BASE_URL + method_path(method),
            params=self.signed_query(method, body),
            data=body.encode(),
            headers={"Content-Type": "application/json;charset=UTF-8"},
        )
        code = answer.get("code", answer.get("err_no"))  # err_no and message: the older envelope
        if code is None:
            raise malformed(PLATFORM, f"no code in the answer to {method}")
        if code not in (SUCCESS, 0):
            raise douyin_error(answer)
        return answer.get("data")

    def brands(self) -> list[dict[str, Any]]:
        """``shop.brandList``: the shop's authorised brands — the cheapest call that proves the token."""
        data = self.call("shop.brandList")
        if not isinstance(data, list):
            raise malformed(PLATFORM, "no brand list in shop.brandList")
        return data

    def orders_modified(self, *, start: datetime, end: datetime, page: int, page_size: int) -> ListedPage:
        """``order.searchList`` by update time, newest first; ``page`` counts from 1 here, from 0 there."""
        data = self.call(
            "order.searchList",
            {
                "update_time_start": unix_seconds(start),
                "update_time_end": unix_seconds(end),
                "order_by": "update_time",
                "order_asc": False,
                "page": page - 1,
                "size": page_size,
            },
        )
        orders = data.get("shop_order_list") if isinstance(data, dict) else None
        if not isinstance(orders, list) or not all(isinstance(order, dict) for order in orders):
            raise malformed(PLATFORM, "no shop_order_list in order.searchList")
        return ListedPage(orders=orders, total=int(data.get("total") or 0))

    def sku_stock_set(self, *, code: str, quantity: int) -> None:
        """``sku.syncStock`` by the SKU's merchant code with ``incremental=false``: sets, never adds."""
        self.call("sku.syncStock", {"code": code, "stock_num": quantity, "incremental": False})


def check(client: DouyinClient) -> None:
    """Test connection: ``shop.brandList`` needs a valid app key, signature and access token."""
    client.brands()


# --- shipping write-back (运单号回传) ------------------------------------------------------------


def order_detail(client: DouyinClient, order_id: str) -> dict[str, Any]:
    """``order.orderDetail``: one shop order with its sub-orders (``sku_order_list``), by ``shop_order_id``
    [secondary: missedyr/go-dou-dian-sdk reads ``data.shop_order_detail``]."""
    data = client.call("order.orderDetail", {"shop_order_id": order_id})
    detail = data.get("shop_order_detail") if isinstance(data, dict) else None
    if not isinstance(detail, dict) or not isinstance(detail.get("sku_order_list"), list):
        raise malformed(PLATFORM, "no shop_order_detail.sku_order_list in order.orderDetail")
    return detail


def logistics_add(client: DouyinClient, *, order_id: str, company_code: str, logistics_code: str) -> None:
    """``order.logisticsAdd`` (订单发货): the whole order with this company code and tracking number.

    Parameters ``order_id`` (the parent order), ``company_code`` (``/order/logisticsCompanyList``;
    ``logistics_id`` is deprecated), ``logistics_code`` (the tracking number); the answer's data is
    empty; the platform refuses a partly shipped order here [doc: the method's description and
    error table in sevencat/ecommerce_sdk ``douyin/OrderLogisticsAdd.cs``].
    """
    client.call(
        "order.logisticsAdd", {"order_id": order_id, "company_code": company_code, "logistics_code": logistics_code}
    )


def logistics_add_multi_pack(
    client: DouyinClient,
    *,
    order_id: str,
    shipped: list[tuple[str, int]],
    company_code: str,
    logistics_code: str,
    request_id: str,
) -> dict[str, Any]:
    """``order.logisticsAddMultiPack``: one parcel of a split order — the sub-orders (and units) it
    carries. ``request_id`` makes a repeat return the first success without shipping again [doc:
    ``douyin/OrderLogisticsAddMultiPack.cs`` in the same SDK]."""
    data = client.call(
        "order.logisticsAddMultiPack",
        {
            "order_id": order_id,
            "pack_list": [
                {
                    "shipped_order_info": [
                        {"shipped_order_id": sub_order, "shipped_num": units} for sub_order, units in shipped
                    ],
                    "logistics_code": logistics_code,
                    "company_code": company_code,
                }
            ],
            "request_id": request_id,
        },
    )
    if not isinstance(data, dict) or not isinstance(data.get("pack_list"), list):
        raise malformed(PLATFORM, "no pack_list in order.logisticsAddMultiPack")
    return data
