"""Douyin shop (抖店) write-back: ``order.logisticsAdd`` for a whole order, ``order.logisticsAddMultiPack``
for a split order's parcel (its sub-orders and units, from ``order.orderDetail``)."""

from __future__ import annotations

from ...base import (
    ALREADY_SHIPPED,
    UNKNOWN_COMPANY,
    ParcelShipped,
    ProviderError,
    WriteBackResult,
    company_code,
    refusal_named,
)
from .client import DouyinClient, logistics_add, logistics_add_multi_pack, order_detail

# The platform's company code (``/order/logisticsCompanyList``) per Orderflow courier [unverified:
# the Kuaidi100-style codes the list is commonly seen to use; read the list once for a live shop].
DOUYIN_COMPANY_CODES = {
    "sf": "shunfeng",
    "shunfeng": "shunfeng",
    "zhongtong": "zhongtong",
    "yuantong": "yuantong",
    "yunda": "yunda",
    "shentong": "shentong",
    "ems": "ems",
    "jd": "jd",
}
# Refusals under Orderflow's names [doc: the error tables of order.logisticsAdd / logisticsAddMultiPack].
REFUSALS = {
    "50002:isv.business-failed:60110": ALREADY_SHIPPED,  # 订单已发货，不允许再次执行发货
    "50002:isv.business-failed:70023": ALREADY_SHIPPED,  # 已发货，请检查订单状态
    "50002:isv.business-failed:60018": UNKNOWN_COMPANY,  # 暂不支持该物流公司或物流商已失效
}


def write_back(client: DouyinClient, parcel: ParcelShipped) -> WriteBackResult:
    try:
        return _write_back(client, parcel)
    except ProviderError as error:
        raise refusal_named(error, REFUSALS, parcel.order_external_id) from None


def _write_back(client: DouyinClient, parcel: ParcelShipped) -> WriteBackResult:
    company = company_code(DOUYIN_COMPANY_CODES, parcel.courier, "Douyin shop")
    if not parcel.split:
        logistics_add(
            client, order_id=parcel.order_external_id, company_code=company, logistics_code=parcel.tracking_no
        )
        return WriteBackResult(company=company)
    wanted = dict(parcel.lines)
    shipped = [
        (str(sub["order_id"]), wanted[str(sub.get("code"))])
        for sub in order_detail(client, parcel.order_external_id)["sku_order_list"]
        if isinstance(sub, dict) and str(sub.get("code")) in wanted
    ]
    if not shipped:
        raise ProviderError(
            f"Douyin order {parcel.order_external_id} has no sub-order with the parcel's SKUs "
            f"({', '.join(sorted(wanted))}): check the SKUs' merchant codes (商家编码).",
            retryable=False,
            code="lines_not_found",
        )
    logistics_add_multi_pack(
        client,
        order_id=parcel.order_external_id,
        shipped=shipped,
        company_code=company,
        logistics_code=parcel.tracking_no,
        request_id=parcel.key,
    )
    return WriteBackResult(company=company, sent=tuple(sub_order for sub_order, _units in shipped))
