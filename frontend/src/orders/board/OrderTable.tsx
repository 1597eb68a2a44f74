/** The board as a table: one row per order, the chosen columns, a checkbox per row for bulk actions. */
import { formatTime, useI18n } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { BoardColumn, Order, Ordering } from "./api";
import { SORTABLE } from "./filters";
import { channelName, money, OrderFlags, OrderLink, OrderStatusBadge } from "./parts";

export interface OrderTableProps {
  rows: Order[];
  columns: BoardColumn[];
  channelNames: ReadonlyMap<string, string>;
  ordering: Ordering;
  onSort: (column: BoardColumn) => void;
  /** Null when the user may not act on orders: no checkboxes then. */
  selection: { selected: ReadonlySet<number>; toggle: (id: number) => void; toggleAll: () => void } | null;
}

function Cell({
  order,
  column,
  channelNames,
}: {
  order: Order;
  column: BoardColumn;
  channelNames: ReadonlyMap<string, string>;
}) {
  const { language } = useI18n();
  switch (column) {
    case "number":
      return <OrderLink order={order} />;
    case "external_id":
      return <>{order.external_id}</>;
    case "channel":
      return <>{channelName(channelNames, order.channel)}</>;
    case "status":
      return (
        <>
          <OrderStatusBadge status={order.status} /> <OrderFlags order={order} />
        </>
      );
    case "customer":
      return <>{order.customer.name}</>;
    case "phone":
      return <span className="phone">{order.customer.phone}</span>;
    case "total":
      return <>{money(order.total_amount, order.currency)}</>;
    case "province":
      return <>{order.shipping_address.province}</>;
    case "city":
      return <>{order.shipping_address.city}</>;
    case "tags":
      return (
        <>
          {order.tags.map((tag) => (
            <span key={tag} className="badge board-tag">
              {tag}
            </span>
          ))}
        </>
      );
    case "on_hold":
      return <span title={order.hold_reason}>{order.on_hold ? "✓" : ""}</span>;
    case "overdue":
      return <>{order.overdue ? "✓" : ""}</>;
    case "placed_at":
      return <>{formatTime(order.placed_at, language)}</>;
    case "created_at":
      return <>{formatTime(order.created_at, language)}</>;
    case "status_changed_at":
      return <>{formatTime(order.status_changed_at, language)}</>;
  }
}

function sortMark(ordering: Ordering, column: BoardColumn): "ascending" | "descending" | undefined {
  const field = SORTABLE[column];
  if (!field) return undefined;
  if (ordering === field) return "ascending";
  if (ordering === `-${field}`) return "descending";
  return undefined;
}

export function OrderTable({ rows, columns, channelNames, ordering, onSort, selection }: OrderTableProps) {
  const { t } = useI18n();
  const allSelected = !!selection && rows.length > 0 && rows.every((row) => selection.selected.has(row.id));
  return (
    <table className="table board-table" data-testid="order-table">
      <thead>
        <tr>
          {selection && (
            <th scope="col" className="check">
              <input
                type="checkbox"
                aria-label={t("orders.board.selectPage")}
                checked={allSelected}
                onChange={selection.toggleAll}
              />
            </th>
          )}
          {columns.map((column) => {
            const sorted = sortMark(ordering, column);
            const label = t(`orders.board.col.${column}` as MessageKey);
            return (
              <th key={column} scope="col" aria-sort={sorted} className={column === "total" ? "num" : undefined}>
                {SORTABLE[column] ? (
                  <button type="button" className="link sort" onClick={() => onSort(column)}>
                    {label}
                    {sorted === "ascending" ? " ↑" : sorted === "descending" ? " ↓" : ""}
                  </button>
                ) : (
                  label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.map((order) => (
          <tr
            key={order.id}
            data-testid={`order-row-${order.id}`}
            className={selection?.selected.has(order.id) ? "selected" : undefined}
          >
            {selection && (
              <td className="check">
                <input
                  type="checkbox"
                  aria-label={t("orders.board.selectOrder", { number: order.number })}
                  checked={selection.selected.has(order.id)}
                  onChange={() => selection.toggle(order.id)}
                />
              </td>
            )}
            {columns.map((column) => (
              <td key={column} className={column === "total" ? "num" : undefined}>
                <Cell order={order} column={column} channelNames={channelNames} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
