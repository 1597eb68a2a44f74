"""Orders from a Douyin shop: ``order.searchList`` [unverified name] by windows of update time.

``update_time_start`` / ``update_time_end`` (unix seconds), ``order_by=update_time``,
``order_asc=false``; pages count from 0 on the platform. Each window (a day at most — the
simulator's limit; the platform's own is not in the stored sources) is read from its last page
back (``WindowPoller``). The list carries whole orders: no detail call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...base import InboundOrder
from ..marketplace import ListedPage, WindowPoller
from .client import DouyinClient
from .mapping import inbound_order


@dataclass(frozen=True)
class DouyinPoller(WindowPoller):
    max_span: timedelta = timedelta(days=1)
    page_size: int = 100

    def list_page(self, client: DouyinClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return client.orders_modified(start=start, end=end, page=page, page_size=size)

    def inbound(self, client: DouyinClient, listed: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        return tuple(inbound_order(order) for order in listed)
