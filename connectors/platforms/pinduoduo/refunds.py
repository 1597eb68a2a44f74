"""Refunds from Pinduoduo: ``pdd.refund.list.increment.get`` (售后列表增量查询) by windows of update time.

Request (lywzx/pdd-node-sdk ``packages/pdd-origin-api/src/shouHou/PddRefundListIncrementGet.ts``
and Cherrs/pdd-rs ``src/requests/pdd_refund_list_increment_get.rs``, both generated from the
platform's API catalogue): ``after_sales_status`` (required; ``1`` all — the status list starts
at 2), ``after_sales_type`` (required; ``1`` all, 2 仅退款, 3 退货退款, 4 换货, 5 缺货补寄, 6 维修),
``start_updated_at`` / ``end_updated_at`` (unix seconds, at most 30 minutes apart), ``page``,
``page_size`` (at most 100). Answer: ``{"refund_increment_get_response": {"refund_list": […],
"total_count": n}}``; a case: ``id`` (售后编号), ``order_sn``, ``after_sales_status``,
``after_sales_type``, ``after_sale_reason``, ``refund_amount`` (退款金额（元）), ``outer_id``
(the SKU's merchant code), ``goods_number``, ``updated_time``, ``created_time``.

``after_sales_status``: 2 买家申请退款，待商家处理, 3 退货退款，待商家处理, 4 商家同意退款，退款中,
5 平台同意退款，退款中, 6 驳回退款，待买家处理, 7 已同意退货退款,待用户发货, 8 平台处理中,
31 已同意拒收退款，待用户拒收 → open; 10 退款成功 → succeeded; 9 平台拒绝退款，退款关闭, 11 买家撤销,
12 买家逾期未处理，退款失败, 13 买家逾期，超过有效期 → closed. Exchanges, resends and repairs (types
4–6, statuses 14–27, 32, 33) move no money back and are acknowledged without a request.

[unverified] ``1`` as "all statuses" (the SDKs list the statuses from 0/2 and say the field is
required; integrations pass 1), and ``refund_amount``'s unit: the SDKs say yuan (one types it a
string, another an integer); a value with no decimal point is read as yuan too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...services.refunds import CLOSED, OPEN, SUCCEEDED, ChannelRefundLine, NotARefund, platform_refund
from ..marketplace import ListedPage, RefundWindowPoller, amount_field, malformed, refund_id_field, text, unix_seconds
from .client import PLATFORM, PinduoduoClient

ANSWER_KEY = "refund_increment_get_response"
ALL = 1
STATES = {2: OPEN, 3: OPEN, 4: OPEN, 5: OPEN, 6: OPEN, 7: OPEN, 8: OPEN, 31: OPEN, 10: SUCCEEDED}
STATES.update({status: CLOSED for status in (9, 11, 12, 13)})
REFUND_TYPES = frozenset({2, 3})  # 仅退款, 退货退款
OTHER_CASES = frozenset({14, 15, 16, 17, 18, 21, 22, 24, 25, 27, 32, 33})


def refunds_modified(
    client: PinduoduoClient, *, start: datetime, end: datetime, page: int, page_size: int
) -> ListedPage:
    """``pdd.refund.list.increment.get``: one page of the after-sales cases updated in ``[start, end]``."""
    answer = client.call(
        "pdd.refund.list.increment.get",
        ANSWER_KEY,
        {
            "after_sales_status": ALL,
            "after_sales_type": ALL,
            "start_updated_at": unix_seconds(start),
            "end_updated_at": unix_seconds(end),
            "page": page,
            "page_size": page_size,
        },
    )
    cases = answer.get("refund_list") or []
    if not isinstance(cases, list) or not all(isinstance(case, dict) for case in cases):
        raise malformed(PLATFORM, "a refund_list that is not a list of objects")
    return ListedPage(orders=cases, total=int(answer.get("total_count") or 0))


def _small_int(case: Mapping[str, Any], name: str) -> int | None:
    value = case.get(name)
    number = int(value) if isinstance(value, str) and value.isdigit() and len(value) < 6 else value
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def channel_refund(case: Mapping[str, Any]):
    """One after-sales case as the effect that applies it; ``malformed`` when it cannot be read."""
    case_id = refund_id_field(case, "id", PLATFORM)
    order_sn = text(case.get("order_sn"), 64)
    if not order_sn:
        raise malformed(PLATFORM, f"after-sales case {case_id} without order_sn")
    status, kind = _small_int(case, "after_sales_status"), _small_int(case, "after_sales_type")
    if status in OTHER_CASES or (kind is not None and kind not in REFUND_TYPES):
        return NotARefund(case_id=case_id, why=f"after_sales_type={kind}, after_sales_status={status}")
    if status not in STATES:
        raise malformed(
            PLATFORM, f"after-sales case {case_id} with after_sales_status={case.get('after_sales_status')!r}"
        )
    amount = amount_field(case, "refund_amount", PLATFORM)
    if amount <= 0 and STATES[status] != CLOSED:
        raise malformed(PLATFORM, f"after-sales case {case_id} of refund_amount={case.get('refund_amount')!r}")
    outer_id, number = text(case.get("outer_id"), 64), _small_int(case, "goods_number")
    lines = (ChannelRefundLine(sku=outer_id, quantity=number),) if outer_id and number and 0 < number <= 10_000 else ()
    reason = text(case.get("after_sale_reason"), 200)
    return platform_refund(
        refund_id=case_id,
        order_external_id=order_sn,
        amount=amount,
        state=STATES[status],
        reason_text=reason,
        note=f"拼多多售后 {case_id}：{reason}",
        lines=lines,
    )


@dataclass(frozen=True)
class PinduoduoRefundPoller(RefundWindowPoller):
    max_span: timedelta = timedelta(minutes=30)  # the API's limit on end_updated_at - start_updated_at
    page_size: int = 100

    def list_page(self, client: PinduoduoClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return refunds_modified(client, start=start, end=end, page=page, page_size=size)

    def item_key(self, item: Mapping[str, Any]) -> str:
        return f"{item.get('id')}:{item.get('after_sales_status')}"

    def item_effect(self, item: Mapping[str, Any]):
        return channel_refund(item)
