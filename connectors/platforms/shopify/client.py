"""Shopify's Admin REST API for one shop: orders by page, the shop, inventory levels.

Every call carries ``X-Shopify-Access-Token`` and the explicit ``connectors.http.TIMEOUT``.
Errors become ``ProviderError``: timeouts, connection errors, 5xx and 429 (each with Shopify's
``Retry-After``) are retryable; 401, 403, 404 and other 4xx are not, with Shopify's own message in
the text. Each answer's ``X-Shopify-Shop-Api-Call-Limit`` (``used/bucket``) is kept in
``call_limit`` so a caller can slow down before the bucket is full.

Pagination is Shopify's cursor scheme (PROTOCOLS.md 1.3): the ``Link`` header names the next and
previous pages by an opaque ``page_info``, which is sent back verbatim and with ``limit`` only
(Shopify answers 400 to any other filter next to it: the filters are inside the cursor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import requests

from ...base import ProviderError
from ...http import TIMEOUT, retry_after_seconds

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_API_VERSION = "2024-07"
MAX_LIMIT = 250
DEFAULT_RETRY_AFTER = 2.0  # what Shopify sends with a 429 from the REST bucket


def shop_credentials(connection: Connection) -> dict[str, Any]:
    """The connection's revealed credentials (never log them).

    Imported here, not at the top: ``services.connections`` imports the registry, which imports
    this connector's manifest, which imports this module.
    """
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


def parse_link_header(value: str) -> dict[str, str]:
    """``<url>; rel="next", <url>; rel="previous"`` → ``{"next": url, "previous": url}``.

    Split as Shopify's own Python library does (``shopify/collection.py``): on ``", "`` between
    links, on ``"; "`` between a link and its parameters.
    """
    links: dict[str, str] = {}
    for part in value.split(", "):
        pieces = part.strip().split("; ")
        url = pieces[0].strip()
        if not (url.startswith("<") and url.endswith(">")):
            continue
        for parameter in pieces[1:]:
            name, _, quoted = parameter.strip().partition("=")
            if name == "rel":
                links[quoted.strip('"')] = url[1:-1]
    return links


def page_info_of(url: str | None) -> str | None:
    """The ``page_info`` of a page's URL exactly as written there (not decoded: it is sent back verbatim)."""
    if not url:
        return None
    for pair in urlsplit(url).query.split("&"):
        name, _, value = pair.partition("=")
        if name == "page_info" and value:
            return value
    return None


def parse_call_limit(value: str | None) -> tuple[int, int] | None:
    """``"32/40"`` → ``(32, 40)``; ``None`` when absent or not in that form."""
    used, _, bucket = (value or "").partition("/")
    if used.strip().isdigit() and bucket.strip().isdigit():
        return int(used), int(bucket)
    return None


def error_text(response: requests.Response) -> str:
    """Shopify's error body in one line: ``{"errors": "…"}``, ``{"errors": {"field": ["…"]}}`` or ``["…"]``."""
    try:
        payload = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason or str(response.status_code)
    errors = payload.get("errors", payload) if isinstance(payload, dict) else payload
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(item) for item in errors)
    if isinstance(errors, dict):
        parts = []
        for name, problems in errors.items():
            text = "; ".join(str(p) for p in problems) if isinstance(problems, list) else str(problems)
            parts.append(f"{name}: {text}")
        return "; ".join(parts)
    return str(errors)


@dataclass(frozen=True)
class OrdersPage:
    orders: list[dict]
    next_page_info: str | None
    previous_page_info: str | None


class ShopifyClient:
    """One shop's Admin REST API through ``session`` (a sandbox connection's session reaches its simulator)."""

    def __init__(self, connection: Connection, session: requests.Session):
        credentials = shop_credentials(connection)
        self.connection_id = connection.pk
        self.session = session
        self.shop_domain = str(credentials["shop_domain"])
        self.api_version = str(credentials.get("api_version") or DEFAULT_API_VERSION)
        self.location_id = str(credentials.get("location_id") or "")
        self.access_token = str(credentials["access_token"])
        self.base_url = f"https://{self.shop_domain}/admin/api/{self.api_version}/"
        self.call_limit: tuple[int, int] | None = None  # (used, bucket) of the last answer
        self.inventory_items: dict[str, int] | None = None  # SKU → inventory_item_id, read once per client

    def __repr__(self) -> str:  # never the token
        return f"ShopifyClient({self.shop_domain!r}, api {self.api_version})"

    # -- the calls ---------------------------------------------------------------------------

    def shop(self) -> dict:
        """``GET shop.json``: the cheapest authenticated call (test connection)."""
        return self.request("GET", "shop.json").json()["shop"]

    def orders_page(
        self,
        *,
        updated_at_min: datetime | None = None,
        page_info: str | None = None,
        limit: int = MAX_LIMIT,
    ) -> OrdersPage:
        """One page of orders of any status, oldest change first.

        With ``page_info`` (from the previous page) only ``limit`` goes with it: the window and the
        order are inside the cursor.
        """
        if not 0 < limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if page_info:
            response = self.request("GET", "orders.json", query=f"limit={limit}&page_info={page_info}")
        else:
            params: dict[str, str | int] = {"status": "any", "limit": limit, "order": "updated_at asc"}
            if updated_at_min is not None:
                params["updated_at_min"] = updated_at_min.isoformat()
            response = self.request("GET", "orders.json", query=urlencode(params))
        orders = response.json().get("orders")
        if not isinstance(orders, list):
            raise ProviderError("Shopify's orders.json answer has no orders list.", retryable=True, code="bad_answer")
        links = parse_link_header(response.headers.get("Link", ""))
        return OrdersPage(
            orders=orders,
            next_page_info=page_info_of(links.get("next")),
            previous_page_info=page_info_of(links.get("previous")),
        )

    def inventory_set(
        self,
        *,
        available: int,
        inventory_item_id: int | None = None,
        sku: str | None = None,
        location_id: str | int | None = None,
    ) -> dict:
        """``POST inventory_levels/set.json``: the item's available quantity at the location becomes
        ``available`` (a set, never an adjustment: sending it twice leaves the same level).

        Give ``inventory_item_id``, or ``sku`` to have it looked up (``inventory_item_id_for``).
        ``location_id`` defaults to the connection's configured location.
        """
        location = str(location_id or self.location_id)
        if not location.isdigit():
            raise ProviderError(
                "No Shopify inventory location is configured for this connection: enter the location id "
                "(Shopify admin → Settings → Locations, the number at the end of the location's address).",
                retryable=False,
                code="no_location",
            )
        if inventory_item_id is None:
            if not sku:
                raise ValueError("inventory_set needs an inventory_item_id or a sku")
            inventory_item_id = self.inventory_item_id_for(sku)
        body = {"location_id": int(location), "inventory_item_id": int(inventory_item_id), "available": available}
        try:
            return self.request("POST", "inventory_levels/set.json", json=body).json()["inventory_level"]
        except ProviderError as exc:
            if exc.code != "not_found":
                raise
            self.inventory_items = None  # the variant may have gone: read the table again next time
            raise ProviderError(
                f"Shopify has no inventory item {inventory_item_id} at location {location}: check the inventory "
                "location id, and that the variant still exists and tracks its quantity.",
                retryable=False,
                code="not_found",
            ) from None

    def inventory_item_id_for(self, sku: str) -> int:
        """The inventory item of the variant whose SKU is ``sku``.

        The REST API cannot search variants by SKU, so the first lookup reads every product's
        variants (``products.json``, 250 a page) and keeps the SKU → inventory item table for the
        life of this client; a client is built per run, so a product added in Shopify is seen by
        the next run. An unknown SKU is a terminal error.
        """
        if self.inventory_items is None:
            table: dict[str, int] = {}
            query: str | None = urlencode({"limit": MAX_LIMIT, "fields": "id,variants"})
            while query is not None:
                response = self.request("GET", "products.json", query=query)
                for product in response.json().get("products") or []:
                    for variant in product.get("variants") or []:
                        if variant.get("sku") and variant.get("inventory_item_id"):
                            table.setdefault(str(variant["sku"]), int(variant["inventory_item_id"]))
                page_info = page_info_of(parse_link_header(response.headers.get("Link", "")).get("next"))
                query = f"limit={MAX_LIMIT}&fields=id,variants&page_info={page_info}" if page_info else None
            self.inventory_items = table
        if sku not in self.inventory_items:
            raise ProviderError(
                f"The Shopify shop has no product variant with SKU {sku}: add the SKU to the variant in Shopify.",
                retryable=False,
                code="unknown_sku",
            )
        return self.inventory_items[sku]

    # -- the transport -----------------------------------------------------------------------

    def request(self, method: str, path: str, *, query: str = "", json: Mapping[str, Any] | None = None):
        """One call; answers the ``requests.Response`` of a 2xx, raises ``ProviderError`` otherwise."""
        url = self.base_url + path + (f"?{query}" if query else "")
        headers = {"X-Shopify-Access-Token": self.access_token, "Accept": "application/json"}
        try:
            response = self.session.request(method, url, headers=headers, json=json, timeout=TIMEOUT)
        except requests.Timeout:
            raise ProviderError(
                f"Shopify ({self.shop_domain}) did not answer in time.", retryable=True, code="timeout"
            ) from None
        except requests.ConnectionError as exc:
            raise ProviderError(
                f"Shopify ({self.shop_domain}) cannot be reached: {exc}", retryable=True, code="unreachable"
            ) from None
        self.call_limit = parse_call_limit(response.headers.get("X-Shopify-Shop-Api-Call-Limit")) or self.call_limit
        if response.ok:
            try:
                response.json()
            except ValueError:
                raise ProviderError(
                    f"Shopify answered {path} with something that is not JSON.", retryable=True, code="bad_answer"
                ) from None
            return response
        raise self.error(response, path)

    def error(self, response: requests.Response, path: str) -> ProviderError:
        status = response.status_code
        said = error_text(response).rstrip(".")
        if status == 429:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is None:
                retry_after = DEFAULT_RETRY_AFTER
            return ProviderError(
                f"Shopify's API call limit is reached; try again in {retry_after:g} seconds.",
                retryable=True,
                code="rate_limited",
                retry_after=retry_after,
            )
        if status >= 500:
            # A 503 may say how long Shopify expects to be down (RFC 9110): the poll and the stock
            # push wait that long, as they do for a 429 — not a request a minute into the outage.
            return ProviderError(
                f"Shopify had a server error ({status}): {said}",
                retryable=True,
                code="provider_unavailable",
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status == 401:
            return ProviderError(
                f"Shopify refused the access token: {said}. Enter the Admin API access token of the app again.",
                retryable=False,
                code="unauthorized",
            )
        if status == 403:
            return ProviderError(
                f"Shopify refused access to {path}: {said}. Give the app the access scopes the connector's "
                "documentation lists.",
                retryable=False,
                code="forbidden",
            )
        if status == 404:
            return ProviderError(
                f"Shopify has no {path} for {self.shop_domain} (API {self.api_version}): {said}. "
                "Check the shop domain and the API version.",
                retryable=False,
                code="not_found",
            )
        return ProviderError(f"Shopify refused the request ({status}): {said}", retryable=False, code="rejected")


def check(client: ShopifyClient) -> None:
    """Test connection: the cheapest authenticated call."""
    client.shop()


# -- shipping write-back (fulfillments) -----------------------------------------------------------


def order_get(client: ShopifyClient, order_id: str) -> dict:
    """``GET orders/<id>.json``: the order with its ``line_items`` and ``fulfillments``."""
    order = client.request("GET", f"orders/{order_id}.json").json().get("order")
    if not isinstance(order, dict):
        raise ProviderError(f"Shopify's orders/{order_id}.json answer has no order.", retryable=True, code="bad_answer")
    return order


def fulfillment_orders(client: ShopifyClient, order_id: str) -> list[dict]:
    """``GET orders/<id>/fulfillment_orders.json``: the order's fulfillment orders and their line
    items (``id``, ``line_item_id``, ``fulfillable_quantity``) [doc: shopify.dev REST
    FulfillmentOrder; the app needs the ``read_merchant_managed_fulfillment_orders`` scope]."""
    found = client.request("GET", f"orders/{order_id}/fulfillment_orders.json").json().get("fulfillment_orders")
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        raise ProviderError(
            "Shopify's fulfillment_orders.json answer has no fulfillment_orders list.",
            retryable=True,
            code="bad_answer",
        )
    return found


def fulfillment_create(
    client: ShopifyClient,
    *,
    line_items_by_fulfillment_order: list[dict],
    number: str,
    company: str,
    url: str,
    notify_customer: bool = False,
) -> dict:
    """``POST fulfillments.json``: these fulfillment-order line items left with this tracking number
    (``tracking_info`` ``number``, ``company``, ``url``) [doc: shopify.dev REST Fulfillment "Creates a
    fulfillment for one or many fulfillment orders"; scope ``write_merchant_managed_fulfillment_orders``].
    A quantity over what is left to fulfil is answered 422 — a ``rejected`` ``ProviderError``."""
    body = {
        "fulfillment": {
            "line_items_by_fulfillment_order": line_items_by_fulfillment_order,
            "tracking_info": {"number": number, "company": company, "url": url},
            "notify_customer": notify_customer,
        }
    }
    fulfillment = client.request("POST", "fulfillments.json", json=body).json().get("fulfillment")
    if not isinstance(fulfillment, dict):
        raise ProviderError("Shopify's fulfillments.json answer has no fulfillment.", retryable=True, code="bad_answer")
    return fulfillment
