"""Orders from Pinduoduo: ``pdd.order.number.list.increment.get`` by windows of update time.

The incremental list (``start_updated_at`` / ``end_updated_at``, at most 30 minutes apart) brings
every change of an order, full orders included, so no detail call is needed; it is read from each
window's last page back, as its documentation requires ("必须采用倒序的分页方式（从最后一页往回取）
才能避免漏单问题", quoted in niltor/open-pdd-net-sdk's request model) — see ``WindowPoller``.

``pdd.order.list.get`` (PROTOCOLS.md 5.2) filters by ``confirm_at``, the time an order was made,
so it would see new orders but not their later shipping, signing or refunds; it is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...base import InboundOrder
from ..marketplace import ListedPage, WindowPoller
from .client import PinduoduoClient
from .mapping import inbound_order


@dataclass(frozen=True)
class PinduoduoPoller(WindowPoller):
    max_span: timedelta = timedelta(minutes=30)  # the API's limit on end_updated_at - start_updated_at
    page_size: int = 100  # the API's maximum

    def list_page(self, client: PinduoduoClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return client.orders_modified(start=start, end=end, page=page, page_size=size)

    def inbound(self, client: PinduoduoClient, listed: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        return tuple(inbound_order(order) for order in listed)
