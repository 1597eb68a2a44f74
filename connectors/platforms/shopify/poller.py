"""Polling Shopify's orders: an ``updated_at`` window that overlaps the last one, paged by ``page_info``.

The cursor the framework stores between pages and runs::

    {"updated_at_min": "2024-07-01T11:58:00+08:00",  # the window being read (absent: the first run)
     "page_info": "eyJ…",                             # the next page of that window (only mid-window)
     "max_updated_at": "2024-07-01T12:00:00+08:00"}   # the newest change seen so far

A window is read to its last page (``status=any``, oldest change first) before the next one
starts; the next starts ``OVERLAP`` before the newest ``updated_at`` seen — Shopify's own clock,
never ours — so an order saved in the same second as the last one read, or indexed a little late,
is read again rather than missed. Re-reading is harmless: ingest is idempotent on channel and
external id and ignores a view that is not newer.

A poll stopped anywhere resumes from the stored cursor: the page after the last one whose orders
were ingested (``page_info``), or the window again when the stop was before the cursor was
stored. A ``page_info`` Shopify no longer accepts (400) restarts its window.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ...base import InboundOrder, PollPage, ProviderError, Rejected
from .client import MAX_LIMIT, ShopifyClient
from .mapping import inbound_order

logger = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=2)
FIRST_WINDOW = timedelta(days=1)  # how far back a connection's first poll reads


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class ShopifyPoller:
    def __init__(self, *, limit: int = MAX_LIMIT, overlap: timedelta = OVERLAP, first_window: timedelta = FIRST_WINDOW):
        self.limit = limit
        self.overlap = overlap
        self.first_window = first_window

    def poll(self, client: ShopifyClient, cursor: dict, now: datetime) -> PollPage:
        """One page of orders; the cursor to store once they are ingested; whether a next page waits."""
        window = _time(cursor.get("updated_at_min")) or now - self.first_window
        seen = _time(cursor.get("max_updated_at"))
        page_info = cursor.get("page_info") or None
        if page_info:
            try:
                page = client.orders_page(page_info=page_info, limit=self.limit)
            except ProviderError as exc:
                if exc.retryable or exc.code != "rejected":
                    raise
                logger.warning(
                    "shopify connection %s: page_info refused (%s); reading the window again",
                    client.connection_id,
                    exc.message,
                )
                page = client.orders_page(updated_at_min=window, limit=self.limit)
        else:
            page = client.orders_page(updated_at_min=window, limit=self.limit)

        orders: list[InboundOrder] = []
        for payload in page.orders:
            try:
                order = inbound_order(payload)
            except Rejected as exc:
                # One malformed order must not stop the shop's polling for good: it is skipped and
                # logged; a later change to it brings it back in a later window.
                logger.warning(
                    "shopify connection %s: order %s skipped: %s",
                    client.connection_id,
                    payload.get("id") if isinstance(payload, dict) else "?",
                    exc.message,
                )
                continue
            orders.append(order)
            if seen is None or order.updated_at > seen:
                seen = order.updated_at

        next_cursor: dict = {"updated_at_min": window.isoformat()}
        if seen is not None:
            next_cursor["max_updated_at"] = seen.isoformat()
        if page.next_page_info:
            next_cursor["page_info"] = page.next_page_info
            return PollPage(orders=tuple(orders), cursor=next_cursor, more=True)
        if seen is not None:
            next_cursor["updated_at_min"] = max(window, seen - self.overlap).isoformat()
        return PollPage(orders=tuple(orders), cursor=next_cursor, more=False)
