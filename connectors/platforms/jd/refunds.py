"""Refunds from JD: ``jingdong.pop.afs.soa.refundapply.queryPageList`` (退款审核单列表查询).

The list filters by the time a refund was applied for (``applyTimeStart`` / ``applyTimeEnd``) or
decided (``checkTimeStart`` / ``checkTimeEnd``), not by a modification time; so the poll reads two
windowed streams in turn (``JdRefundPoller``): applications (new refunds) and decisions (refunds
approved, refunded, refused or withdrawn), each from its own cursor, each window from its last page
back (``WindowPoller``). A refund seen in both is applied once (the request is keyed on its id).

Sources: request fields in seven_jd's ``PopAfsSoaRefundapplyQueryPageListRequest`` (``ids, status,
orderId, buyerId, buyerName, applyTimeStart, applyTimeEnd, checkTimeStart, checkTimeEnd,
pageIndex, pageSize …``; ``pageSize`` 1–50 in another integration's form); the answer
``{"jingdong_pop_afs_soa_refundapply_queryPageList_responce": {"code": "0", "queryResult":
{"success": true, "result": [RefundApplyVo…], "totalCount": n}}}`` and ``RefundApplyVo`` (``id,
orderId, status, applyTime, checkTime, applyRefundSum, buyerId, buyerName, checkUserName,
checkRemark``) in JD's .NET SDK (``jos-net-open-api-sdk-2.0/Domain/RefundApplyVo.cs``) and
integrations that read it. Statuses (the request's documentation, as those integrations quote it):
0 未审核, 1 审核通过, 5 人工审核通过, 7 青龙拦截成功, 8 青龙拦截失败, 10 物流待跟进, 17 协商退货退款,
19 纠纷介入, 27 京东承诺拦截 → open; 3 京东财务审核通过（退款成功）, 6 拦截并退款, 9 强制关单并退款,
16 拒收后退款 → succeeded; 2 审核不通过, 4 京东财务审核不通过（退款失败）, 11 用户撤销, 18 协商关闭 →
closed.

[unverified] ``applyRefundSum``'s unit: read as **fen** (an integer), as one integration divides it by
100 (the .NET SDK types it a double; a value with a fraction is refused, kept as a failed item);
the longest window (a day here); the list carries no reason and no lines, so the request is for the
amount with the reason ``other``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ...base import PollPage, ProviderError
from ...services.refunds import CLOSED, OPEN, SUCCEEDED, ChannelRefund, platform_refund
from ..marketplace import (
    ListedPage,
    RefundWindowPoller,
    amount_field,
    china_text,
    fen_to_yuan,
    malformed,
    refund_id_field,
    text,
)
from .client import PLATFORM, JdClient

METHOD = "jingdong.pop.afs.soa.refundapply.queryPageList"
APPLIED, CHECKED = "apply", "check"  # which time the window filters: applyTime or checkTime
MAX_PAGE_SIZE = 50
STATES = {status: OPEN for status in (0, 1, 5, 7, 8, 10, 17, 19, 27)}
STATES.update({status: SUCCEEDED for status in (3, 6, 9, 16)})
STATES.update({status: CLOSED for status in (2, 4, 11, 18)})


def refund_applies(
    client: JdClient, *, by: str, start: datetime, end: datetime, page: int, page_size: int
) -> ListedPage:
    """One page of the refund applications applied for (``by=apply``) or decided (``check``) in ``[start, end]``."""
    answer = client.call(
        METHOD,
        {
            f"{by}TimeStart": china_text(start),
            f"{by}TimeEnd": china_text(end),
            "pageIndex": page,
            "pageSize": page_size,
        },
    )
    result = answer.get("queryResult")
    if not isinstance(result, dict):
        raise malformed(PLATFORM, "no queryResult")
    if result.get("success") is not True:
        raise ProviderError(
            f"JD refused the refund list: {result.get('errorMsg') or result.get('resultCode') or 'no reason given'}",
            retryable=False,
            code=str(result.get("resultCode") or answer.get("code") or ""),
        )
    refunds = result.get("result") or []
    if not isinstance(refunds, list) or not all(isinstance(refund, dict) for refund in refunds):
        raise malformed(PLATFORM, "a queryResult.result that is not a list of objects")
    return ListedPage(orders=refunds, total=int(result.get("totalCount") or 0))


def _status(refund: Mapping[str, Any]) -> int | None:
    value = refund.get("status")
    number = int(value) if isinstance(value, str) and value.isdigit() and len(value) < 4 else value
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def channel_refund(refund: Mapping[str, Any]) -> ChannelRefund:
    """One refund application as the effect that applies it; ``malformed`` when it cannot be read."""
    refund_id = refund_id_field(refund, "id", PLATFORM)
    order_id = refund_id_field(refund, "orderId", PLATFORM)
    status = _status(refund)
    if status not in STATES:
        raise malformed(PLATFORM, f"refund application {refund_id} with status {refund.get('status')!r}")
    amount = amount_field(refund, "applyRefundSum", PLATFORM, read=fen_to_yuan)
    if amount <= 0 and STATES[status] != CLOSED:
        raise malformed(PLATFORM, f"refund application {refund_id} of applyRefundSum={refund.get('applyRefundSum')!r}")
    remark = text(refund.get("checkRemark"), 200)
    return platform_refund(
        refund_id=refund_id,
        order_external_id=order_id,
        amount=amount,
        state=STATES[status],
        note=f"京东退款审核单 {refund_id}" + (f"：{remark}" if remark else ""),
    )


@dataclass(frozen=True)
class JdRefundWindows(RefundWindowPoller):
    """One of the two streams: windows of ``applyTime`` or of ``checkTime``."""

    by: str = APPLIED
    max_span: timedelta = timedelta(days=1)
    page_size: int = MAX_PAGE_SIZE

    def list_page(self, client: JdClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return refund_applies(client, by=self.by, start=start, end=end, page=page, page_size=size)

    def item_key(self, item: Mapping[str, Any]) -> str:
        return f"{item.get('id')}:{item.get('status')}"

    def item_effect(self, item: Mapping[str, Any]) -> ChannelRefund:
        return channel_refund(item)


@dataclass(frozen=True)
class JdRefundPoller:
    """Applications, then decisions: the cursor is ``{"phase", "apply": {…}, "check": {…}}``, and a
    run reads the applications stream until it is caught up, then the decisions stream."""

    topic: str = "refund"
    streams: Mapping[str, JdRefundWindows] = field(
        default_factory=lambda: {APPLIED: JdRefundWindows(by=APPLIED), CHECKED: JdRefundWindows(by=CHECKED)}
    )

    def poll(self, client: JdClient, cursor: dict, now: datetime) -> PollPage:
        phase = str(cursor.get("phase") or APPLIED)
        if phase not in self.streams:
            phase = APPLIED
        page = self.streams[phase].poll(client, dict(cursor.get(phase) or {}), now)
        stored = {**cursor, phase: page.cursor}
        if page.more:
            return PollPage((), {**stored, "phase": phase}, True, items=page.items)
        if phase == APPLIED:
            return PollPage((), {**stored, "phase": CHECKED}, True, items=page.items)
        return PollPage((), {**stored, "phase": APPLIED}, False, items=page.items)

    def item_key(self, item: Mapping[str, Any]) -> str:
        return self.streams[APPLIED].item_key(item)

    def item_effect(self, item: Mapping[str, Any]) -> ChannelRefund:
        return channel_refund(item)
