"""Shopify write-back: a fulfillment with the tracking number, through the order's fulfillment orders.

Reads the order (its line items' SKUs and the fulfillments it has), then its fulfillment orders,
and posts one fulfillment of what the parcel carries — every fulfillable unit for a whole order,
the parcel's SKUs and units for a split one — with ``tracking_info`` (number, company, a tracking
page). A fulfillment with this number already on the order is the same write-back again: nothing
is posted.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ...base import ALREADY_SHIPPED, ParcelShipped, ProviderError, WriteBackResult, company_code
from .client import ShopifyClient, fulfillment_create, fulfillment_orders, order_get

# The tracking company name Shopify shows and links per Orderflow courier [unverified: names as in
# Shopify's list of supported tracking companies, as commonly quoted].
SHOPIFY_TRACKING_COMPANIES = {
    "sf": "SF Express",
    "shunfeng": "SF Express",
    "zhongtong": "ZTO Express",
    "yuantong": "YTO Express",
    "yunda": "Yunda Express",
    "shentong": "STO Express",
    "ems": "China EMS (ePacket)",
    "jd": "JD Logistics",
}
# Kuaidi100's public tracking page for a courier code and number [unverified URL form].
KUAIDI100_CODES = {"sf": "shunfeng"}
OPEN_STATUSES = ("open", "in_progress")


def tracking_url(courier: str, number: str) -> str:
    return "https://www.kuaidi100.com/chaxun?" + urlencode({"com": KUAIDI100_CODES.get(courier, courier), "nu": number})


def _done(order: dict, number: str) -> dict | None:
    for fulfillment in order.get("fulfillments") or []:
        numbers = fulfillment.get("tracking_numbers") or [fulfillment.get("tracking_number")]
        if number in numbers and fulfillment.get("status") not in ("cancelled", "error", "failure"):
            return fulfillment
    return None


def write_back(client: ShopifyClient, parcel: ParcelShipped) -> WriteBackResult:
    company = company_code(SHOPIFY_TRACKING_COMPANIES, parcel.courier, "Shopify")
    order = order_get(client, parcel.order_external_id)
    done = _done(order, parcel.tracking_no)
    if done is not None:
        again = tuple(str(item["id"]) for item in done.get("line_items") or []) if parcel.split else ()
        return WriteBackResult(company=company, sent=again)
    skus = {str(item["id"]): str(item.get("sku") or "") for item in order.get("line_items") or []}
    wanted = dict(parcel.lines)
    by_order: list[dict] = []
    sent: list[str] = []
    for fulfillment_order in fulfillment_orders(client, parcel.order_external_id):
        if fulfillment_order.get("status") not in OPEN_STATUSES:
            continue
        items = []
        for item in fulfillment_order.get("line_items") or []:
            sku, left = skus.get(str(item.get("line_item_id")), ""), int(item.get("fulfillable_quantity") or 0)
            units = min(left, wanted.get(sku, 0)) if parcel.split else left
            if units > 0:
                items.append({"id": item["id"], "quantity": units})
                sent.append(str(item["line_item_id"]))
                if parcel.split:
                    wanted[sku] -= units
        if items:
            by_order.append({"fulfillment_order_id": fulfillment_order["id"], "fulfillment_order_line_items": items})
    if not by_order:
        raise ProviderError(
            f"Shopify order {order.get('name') or parcel.order_external_id} has nothing left to fulfil for this "
            "parcel: it was fulfilled with another tracking number, or its SKUs are not the order's.",
            retryable=False,
            code=ALREADY_SHIPPED,
        )
    fulfillment_create(
        client,
        line_items_by_fulfillment_order=by_order,
        number=parcel.tracking_no,
        company=company,
        url=tracking_url(parcel.courier, parcel.tracking_no),
    )
    return WriteBackResult(company=company, sent=tuple(sent) if parcel.split else ())
