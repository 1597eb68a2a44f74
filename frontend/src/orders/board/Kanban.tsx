/**
 * The board as a kanban by status: one column per status (or per chosen status), each loading its
 * own pages of cards, newest first. A live status change moves a card out of its column, and the
 * column it moved into reloads its first page.
 */
import { useEffect, useRef } from "react";
import { ErrorNote } from "../../components/common";
import { formatTime, useI18n } from "../../i18n/i18n";
import type { BoardFilters, Order, OrderQuery, OrderStatus } from "./api";
import { STATUSES } from "./filters";
import { columnChange, LIVE_EVENT, liveChange, type LiveDetail } from "./live";
import { channelName, money, OrderFlags, OrderLink, OrderStatusBadge } from "./parts";
import { useOrderPages } from "./useOrders";

/** Cards a column loads at a time. */
export const COLUMN_PAGE = 20;

export function KanbanCard({ order, channelNames }: { order: Order; channelNames: ReadonlyMap<string, string> }) {
  const { language } = useI18n();
  return (
    <li className="kanban-card" data-testid={`kanban-card-${order.id}`}>
      <div className="kanban-card-head">
        <OrderLink order={order} />
        <span className="num">{money(order.total_amount, order.currency)}</span>
      </div>
      <div className="muted small">
        {channelName(channelNames, order.channel)} · {order.customer.name} · {order.shipping_address.city}
      </div>
      <div className="small">
        {formatTime(order.created_at, language)} <OrderFlags order={order} />
        {order.tags.map((tag) => (
          <span key={tag} className="badge board-tag">
            {tag}
          </span>
        ))}
      </div>
    </li>
  );
}

export interface KanbanColumnViewProps {
  status: OrderStatus;
  cards: Order[];
  channelNames: ReadonlyMap<string, string>;
  hasMore: boolean;
  loading: boolean;
  error: Error | null;
  onMore: () => void;
  onRetry: () => void;
}

export function KanbanColumnView({
  status,
  cards,
  channelNames,
  hasMore,
  loading,
  error,
  onMore,
  onRetry,
}: KanbanColumnViewProps) {
  const { t } = useI18n();
  return (
    <section className="kanban-column" aria-label={t(`orderStatus.${status}`)} data-testid={`kanban-column-${status}`}>
      <h2>
        <OrderStatusBadge status={status} />{" "}
        <span className="muted small">
          {cards.length}
          {hasMore ? "+" : ""}
        </span>
      </h2>
      <ErrorNote error={error} onRetry={onRetry} />
      <ul className="kanban-cards">
        {cards.map((order) => (
          <KanbanCard key={order.id} order={order} channelNames={channelNames} />
        ))}
      </ul>
      {!loading && cards.length === 0 && !error && <p className="empty small">{t("orders.board.emptyColumn")}</p>}
      {loading && <p className="loading small">{t("common.loading")}</p>}
      {hasMore && !loading && (
        <button type="button" className="link" onClick={onMore}>
          {t("common.more")}
        </button>
      )}
    </section>
  );
}

function KanbanColumn({
  status,
  query,
  filters,
  channelNames,
  refresh,
}: {
  status: OrderStatus;
  query: OrderQuery;
  filters: BoardFilters;
  channelNames: ReadonlyMap<string, string>;
  refresh: number;
}) {
  const pages = useOrderPages({ ...query, status, page_size: String(COLUMN_PAGE) });
  const { setRows, reload } = pages;
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh, reload]);
  const cards = useRef(pages.rows);
  cards.current = pages.rows;
  useEffect(() => {
    const onLive = (event: Event) => {
      const change = liveChange((event as CustomEvent<LiveDetail>).detail, filters);
      if (change?.kind !== "changed") return;
      const next = columnChange(status, cards.current, change.order, filters);
      if (next.cards !== cards.current) setRows(() => next.cards);
      if (next.reload) reload();
    };
    window.addEventListener(LIVE_EVENT, onLive);
    return () => window.removeEventListener(LIVE_EVENT, onLive);
  }, [status, filters, setRows, reload]);
  return (
    <KanbanColumnView
      status={status}
      cards={pages.rows}
      channelNames={channelNames}
      hasMore={pages.hasMore}
      loading={pages.loading}
      error={pages.error}
      onMore={pages.loadMore}
      onRetry={pages.reload}
    />
  );
}

/** The statuses the kanban shows: the ones the filters choose, else all of them. */
export function kanbanStatuses(filters: BoardFilters): OrderStatus[] {
  return filters.status?.length ? STATUSES.filter((s) => filters.status?.includes(s)) : STATUSES;
}

export function Kanban({
  query,
  filters,
  channelNames,
  refresh,
}: {
  query: OrderQuery;
  filters: BoardFilters;
  channelNames: ReadonlyMap<string, string>;
  /** Every change reloads each column's first page (the "new orders" banner's button). */
  refresh: number;
}) {
  const { status: _chosen, ...others } = query;
  return (
    <div className="kanban" data-testid="kanban">
      {kanbanStatuses(filters).map((status) => (
        <KanbanColumn
          key={status}
          status={status}
          query={others}
          filters={filters}
          channelNames={channelNames}
          refresh={refresh}
        />
      ))}
    </div>
  );
}
