"""Refunds from TOP: ``taobao.refunds.receive.get`` (查询卖家收到的退款列表) by windows of modification time.

Request (bububa/opentaobao ``model/refund/TaobaoRefundsReceiveGetAPIRequest.go``, which mirrors the
platform's documentation): ``fields`` (refund_id, tid, title, buyer_nick, seller_nick, total_fee,
status, created, refund_fee, oid, good_status, company_name, sid, payment, reason, desc,
has_good_return, modified, order_status, refund_phase, dispute_type …), ``status`` (one, or all
when left out), ``start_modified`` / ``end_modified`` (``yyyy-MM-dd HH:mm:ss``), ``page_no``,
``page_size`` (at most 100), ``use_has_next``. Answer (``TaobaoRefundsReceiveGetAPIResponse.go``):
``{"refunds_receive_get_response": {"refunds": {"refund": […]}, "total_results": n}}``; a refund's
fields in ``model/refund/Refund.go`` — ``refund_id`` (string), ``tid``, ``oid`` (numbers),
``status``, ``refund_fee`` (yuan, "200.07"), ``reason``, ``desc``, ``outer_id`` (商品外部商家编码),
``num``, ``modified``.

Statuses (the same file): ``WAIT_SELLER_AGREE`` 买家已经申请退款，等待卖家同意,
``WAIT_BUYER_RETURN_GOODS``, ``WAIT_SELLER_CONFIRM_GOODS``, ``SELLER_REFUSE_BUYER`` (the buyer may
still appeal), ``WAIT_BUYER_CONFIRM_EXCHANGE_SELLER_SEND_GOODS``, ``EXCHANGE_TRANSFORM_TO_REFUND``,
``WAIT_SELLER_CONSIGN_GOODS`` → open; ``SUCCESS`` 退款成功 → succeeded; ``CLOSED`` 退款关闭 → closed.

[unverified] the longest window the API accepts (a day is used, like the trade list), whether it
lists newest first (the windows are read from their last page back either way, which misses
nothing when the order is by modification time in either direction, and at worst reads an entry
twice — applied once), and whether ``outer_id`` is the SKU's merchant code or the item's (a line is
kept only when its code is a SKU of the order, else the request is for the amount alone).
TMC's refund topics (``taobao_refund_RefundCreated``, ``…RefundSuccess`` …) would make refunds
prompt; they are not consumed here: the order poll's TMC group carries the trade topics only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...services.refunds import CLOSED, OPEN, SUCCEEDED, ChannelRefund, ChannelRefundLine, platform_refund
from ..marketplace import ListedPage, RefundWindowPoller, amount_field, china_text, malformed, refund_id_field, text
from .client import PLATFORM, TaobaoClient, top_list

REFUND_FIELDS = (
    "refund_id,tid,oid,title,buyer_nick,total_fee,status,created,modified,refund_fee,payment,reason,desc,"
    "has_good_return,good_status,order_status,outer_id,num,num_iid,sku,refund_phase"
)
STATES = {
    "WAIT_SELLER_AGREE": OPEN,
    "WAIT_BUYER_RETURN_GOODS": OPEN,
    "WAIT_SELLER_CONFIRM_GOODS": OPEN,
    "SELLER_REFUSE_BUYER": OPEN,
    "WAIT_BUYER_CONFIRM_EXCHANGE_SELLER_SEND_GOODS": OPEN,
    "EXCHANGE_TRANSFORM_TO_REFUND": OPEN,
    "WAIT_SELLER_CONSIGN_GOODS": OPEN,
    "SUCCESS": SUCCEEDED,
    "CLOSED": CLOSED,
}


def refunds_received(
    client: TaobaoClient, *, start: datetime, end: datetime, page_no: int, page_size: int
) -> ListedPage:
    """``taobao.refunds.receive.get``: one page of the refunds modified in ``[start, end]``."""
    answer = client.call(
        "taobao.refunds.receive.get",
        {
            "fields": REFUND_FIELDS,
            "start_modified": china_text(start),
            "end_modified": china_text(end),
            "page_no": page_no,
            "page_size": page_size,
            "use_has_next": False,  # the count lets the poller read from the last page back
        },
    )
    refunds = top_list(answer, "refunds", "refund") if answer.get("refunds") else []
    return ListedPage(orders=refunds, total=int(answer.get("total_results") or 0))


def channel_refund(refund: Mapping[str, Any]) -> ChannelRefund:
    """One refund of the list as the effect that applies it; ``malformed`` when it cannot be read."""
    refund_id = refund_id_field(refund, "refund_id", PLATFORM)
    tid = refund_id_field(refund, "tid", PLATFORM)
    status = refund.get("status")
    if status not in STATES:
        raise malformed(PLATFORM, f"refund {refund_id} with status {status!r}")
    amount = amount_field(refund, "refund_fee", PLATFORM)
    if amount <= 0 and STATES[status] != CLOSED:
        raise malformed(PLATFORM, f"refund {refund_id} of refund_fee={refund.get('refund_fee')!r}")
    outer_id, num = text(refund.get("outer_id"), 64), refund.get("num")
    lines: tuple[ChannelRefundLine, ...] = ()
    if outer_id and isinstance(num, int) and not isinstance(num, bool) and 0 < num <= 10_000:
        lines = (ChannelRefundLine(sku=outer_id, quantity=num),)
    reason, desc = text(refund.get("reason"), 200), text(refund.get("desc"), 300)
    return platform_refund(
        refund_id=refund_id,
        order_external_id=tid,
        amount=amount,
        state=STATES[status],
        reason_text=reason,
        note=f"淘宝退款 {refund_id}：{reason}" + (f"（{desc}）" if desc else ""),
        lines=lines,
    )


@dataclass(frozen=True)
class TaobaoRefundPoller(RefundWindowPoller):
    max_span: timedelta = timedelta(days=1)
    page_size: int = 100

    def list_page(self, client: TaobaoClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return refunds_received(client, start=start, end=end, page_no=page, page_size=size)

    def item_key(self, item: Mapping[str, Any]) -> str:
        return f"{item.get('refund_id')}:{item.get('status')}"

    def item_effect(self, item: Mapping[str, Any]) -> ChannelRefund:
        return channel_refund(item)
