"""Orders from JD: ``jingdong.pop.order.search`` by windows of modification time.

The search takes ``start_date`` / ``end_date`` and (with ``dateType=0`` [unverified]) filters by the
order's ``modified`` time; each window (a day at most — the simulator's limit; JD's own is not in
the stored sources) is read from its last page back (``WindowPoller``). The search answers whole
orders when ``optional_fields`` names them, so no detail call is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...base import InboundOrder
from ..marketplace import ListedPage, WindowPoller
from .client import JdClient
from .mapping import inbound_order


@dataclass(frozen=True)
class JdPoller(WindowPoller):
    max_span: timedelta = timedelta(days=1)
    page_size: int = 100

    def list_page(self, client: JdClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return client.orders_modified(start=start, end=end, page=page, page_size=size)

    def inbound(self, client: JdClient, listed: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        return tuple(inbound_order(order) for order in listed)
