"""Taobao/Tmall write-back: ``taobao.logistics.offline.send`` (自己联系物流).

A whole trade is sent with its ``tid``; a split trade's parcel with ``is_split=1`` and the
sub-orders (``oid``) whose SKUs it carries, read from ``taobao.trade.fullinfo.get``.
"""

from __future__ import annotations

from ...base import ALREADY_SHIPPED, ParcelShipped, ProviderError, WriteBackResult, company_code, refusal_named
from .client import TaobaoClient

# The courier's code at Taobao (物流公司编码) for each Orderflow courier, or carrier behind an aggregator.
TAOBAO_COMPANY_CODES = {
    "sf": "SF",
    "shunfeng": "SF",
    "yuantong": "YTO",
    "zhongtong": "ZTO",
    "yunda": "YUNDA",
    "shentong": "STO",
    "ems": "EMS",
    "jd": "JD",
}
# Refusals under Orderflow's names [the sandbox's sub code: TOP's own for a shipped trade is unverified].
REFUSALS = {"15:isv.logistics-offline-service-error:B04": ALREADY_SHIPPED}


def write_back(client: TaobaoClient, parcel: ParcelShipped) -> WriteBackResult:
    company = company_code(TAOBAO_COMPANY_CODES, parcel.courier, "Taobao")
    sub_tids: list[str] = []
    if parcel.split:
        skus = {sku for sku, _quantity in parcel.lines}
        trade = client.trade_fullinfo(parcel.order_external_id, "tid,orders")
        lines = (trade.get("orders") or {}).get("order") or []
        sub_tids = [str(line["oid"]) for line in lines if line.get("outer_sku_id") in skus]
        if not sub_tids:
            raise ProviderError(
                f"Taobao trade {parcel.order_external_id} has no sub-order with the parcel's SKUs "
                f"({', '.join(sorted(skus))}): check the SKUs' merchant codes (商家编码).",
                retryable=False,
                code="lines_not_found",
            )
    try:
        client.logistics_offline_send(
            tid=parcel.order_external_id, out_sid=parcel.tracking_no, company_code=company, sub_tids=sub_tids or None
        )
    except ProviderError as error:
        raise refusal_named(error, REFUSALS, parcel.order_external_id) from None
    return WriteBackResult(company=company, sent=tuple(sub_tids))
