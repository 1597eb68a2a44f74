"""Orders from TOP: TMC messages first (when enabled), then the incremental trade list by windows.

``taobao.trades.sold.increment.get`` lists the trades modified in a window of at most a day,
newest first, and only part of each trade. Its documentation (as mirrored in bububa/opentaobao
``model/trade/TaobaoTradesSoldIncrementGetAPIRequest.go``) says to read it from the last page back
to miss no trade ("必须采用倒序的分页方式（从最后一页往回取）才能避免漏单问题") — which needs
``total_results``, so ``use_has_next`` stays false — and to fetch the rest of a trade with
``taobao.trade.fullinfo.get``, which the poller does for every trade the list left incomplete
(``WindowPoller``). This alone misses nothing; it is as late as the poll interval.

TMC (消息服务) over HTTP makes it prompt: ``taobao.tmc.messages.consume`` hands out the
``taobao_trade_*`` messages of the app's group; each names a trade, whose full info is fetched
and returned as the page. Their ids ride in the cursor (``tmc_confirm``), which the framework
stores only after the page's orders are ingested; the next poll confirms them
(``taobao.tmc.messages.confirm``) before consuming more. So a message is confirmed only after
its trade was ingested, and one whose ingest failed stays unconfirmed and is delivered again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...base import InboundOrder, PollPage
from ..marketplace import ListedPage, WindowPoller
from .client import TaobaoClient
from .mapping import TRADE_FIELDS, inbound_order, needs_fullinfo, trade_id

logger = logging.getLogger(__name__)

TRADE_TOPICS = ("taobao_trade_TradeCreate", "taobao_trade_TradeChanged", "taobao_trade_TradeClose")


def message_tid(message: dict[str, Any]) -> str | None:
    """The trade a ``taobao_trade_*`` message names (its ``content`` is a JSON string)."""
    try:
        content = json.loads(message.get("content") or "{}")
    except ValueError:
        return None
    tid = content.get("tid") if isinstance(content, dict) else None
    return str(tid) if isinstance(tid, int | str) and not isinstance(tid, bool) and str(tid) else None


@dataclass(frozen=True)
class TaobaoPoller(WindowPoller):
    max_span: timedelta = timedelta(days=1)  # the API's limit on end_modified - start_modified
    page_size: int = 100  # the API's maximum
    tmc_quantity: int = 100  # 10–200 per consume

    def list_page(self, client: TaobaoClient, start: datetime, end: datetime, page: int, size: int) -> ListedPage:
        return client.trades_modified(start=start, end=end, page_no=page, page_size=size, fields=TRADE_FIELDS)

    def inbound(self, client: TaobaoClient, listed: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        return tuple(
            inbound_order(client.trade_fullinfo(trade_id(trade), TRADE_FIELDS) if needs_fullinfo(trade) else trade)
            for trade in listed
        )

    def poll(self, client: TaobaoClient, cursor: dict, now: datetime) -> PollPage:
        handled = cursor.get("tmc_confirm") or []
        if handled:
            # The framework stored this cursor after ingesting these messages' trades.
            client.tmc_confirm(handled)
        window = {key: value for key, value in cursor.items() if key != "tmc_confirm"}
        if client.tmc_enabled:
            messages = client.tmc_consume(self.tmc_quantity)
            if messages:
                return PollPage(
                    self.messages_inbound(client, messages),
                    {**window, "tmc_confirm": [m["id"] for m in messages]},
                    True,
                )
        return super().poll(client, window, now)

    def messages_inbound(self, client: TaobaoClient, messages: list[dict[str, Any]]) -> tuple[InboundOrder, ...]:
        """Each trade a batch of messages names, once, from its full info (a message says only that it changed)."""
        tids: list[str] = []
        for message in messages:
            if message.get("topic") not in TRADE_TOPICS:
                continue  # another topic the app subscribes to: nothing for the order centre
            tid = message_tid(message)
            if tid is None:
                # Confirmed with the batch: there is no trade to fetch, and left unconfirmed it would
                # come back forever. The incremental list still brings the trade, if there is one.
                logger.error("TMC message %s (%s) names no trade; skipped", message.get("id"), message.get("topic"))
            elif tid not in tids:
                tids.append(tid)
        return tuple(inbound_order(client.trade_fullinfo(tid, TRADE_FIELDS)) for tid in tids)
