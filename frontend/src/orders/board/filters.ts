/**
 * The board's state — filters, columns, sort, layout — and how it becomes the orders API's query,
 * the app's URL (so a filtered board can be bookmarked and the Back button works) and a saved view.
 */
import type { BoardColumn, BoardFilters, BoardView, Layout, OrderQuery, Ordering, OrderStatus } from "./api";

export const STATUSES: OrderStatus[] = [
  "pending_payment",
  "paid",
  "processing",
  "shipped",
  "delivered",
  "completed",
  "cancelled",
  "closed",
];

/** The roles that may change orders (core.accounts.roles.ORDER_WORKERS): bulk actions, new orders. */
export const ORDER_WORKERS = ["operator", "supervisor", "admin"];

export const ALL_COLUMNS: BoardColumn[] = [
  "number",
  "external_id",
  "channel",
  "status",
  "customer",
  "phone",
  "total",
  "province",
  "city",
  "tags",
  "on_hold",
  "overdue",
  "placed_at",
  "created_at",
  "status_changed_at",
];

export const DEFAULT_COLUMNS: BoardColumn[] = [
  "number",
  "channel",
  "status",
  "customer",
  "phone",
  "total",
  "city",
  "tags",
  "created_at",
];

export const DEFAULT_ORDERING: Ordering = "-created_at";

/** The columns a click on the header sorts by, and the API's name for that sort. */
export const SORTABLE: Partial<Record<BoardColumn, "created_at" | "total_amount" | "status_changed_at">> = {
  created_at: "created_at",
  total: "total_amount",
  status_changed_at: "status_changed_at",
};

/** Time ranges offered as presets: orders created in the last N days. */
export const WITHIN_DAYS = [1, 7, 30, 90];

export interface BoardState {
  filters: BoardFilters;
  columns: BoardColumn[];
  ordering: Ordering;
  layout: Layout;
}

export const EMPTY_STATE: BoardState = {
  filters: {},
  columns: DEFAULT_COLUMNS,
  ordering: DEFAULT_ORDERING,
  layout: "table",
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The filters without empty values (what a saved view keeps, what the URL shows). */
export function cleanFilters(filters: BoardFilters): BoardFilters {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value) && value.length === 0) continue;
    kept[key] = typeof value === "string" ? value.trim() : value;
    if (kept[key] === "") delete kept[key];
  }
  return kept as BoardFilters;
}

export function activeFilterCount(filters: BoardFilters): number {
  return Object.keys(cleanFilters(filters)).length;
}

/** The query parameters of `GET /api/v1/orders/` for these filters and this sort, at `now`. */
export function orderQuery(filters: BoardFilters, ordering: Ordering, now: Date = new Date()): OrderQuery {
  const f = cleanFilters(filters);
  const query: OrderQuery = {};
  if (f.status?.length) query.status = f.status.join(",");
  if (f.channel) query.channel = f.channel;
  if (f.province) query.province = f.province;
  if (f.city) query.city = f.city;
  if (f.q) query.q = f.q;
  if (f.tags?.length) query.tags = f.tags.join(",");
  if (typeof f.on_hold === "boolean") query.on_hold = String(f.on_hold);
  if (typeof f.overdue === "boolean") query.overdue = String(f.overdue);
  if (f.created_within_days) {
    query.created_after = new Date(now.getTime() - f.created_within_days * DAY_MS).toISOString();
  } else if (f.created_after) {
    query.created_after = f.created_after;
  }
  if (f.created_before && !f.created_within_days) query.created_before = f.created_before;
  if (ordering !== DEFAULT_ORDERING) query.ordering = ordering;
  return query;
}

/** Splits what was typed into a tags box ("vip, 生鲜") into tags, each once. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,，\s]+/)
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

function parseBool(value: string | null): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}

const ORDERINGS: Ordering[] = [
  "-created_at",
  "created_at",
  "-total_amount",
  "total_amount",
  "-status_changed_at",
  "status_changed_at",
];

/** The board's state as the app URL's query (`/orders?status=paid,shipped&within=7&layout=kanban`). */
export function stateToSearch(state: BoardState, viewId: number | null = null): string {
  const f = cleanFilters(state.filters);
  const params = new URLSearchParams();
  if (viewId !== null) params.set("view", String(viewId));
  if (f.status?.length) params.set("status", f.status.join(","));
  for (const key of ["channel", "province", "city", "q"] as const) if (f[key]) params.set(key, f[key] as string);
  if (f.tags?.length) params.set("tags", f.tags.join(","));
  if (typeof f.on_hold === "boolean") params.set("on_hold", String(f.on_hold));
  if (typeof f.overdue === "boolean") params.set("overdue", String(f.overdue));
  if (f.created_within_days) params.set("within", String(f.created_within_days));
  if (f.created_after && !f.created_within_days) params.set("after", f.created_after);
  if (f.created_before && !f.created_within_days) params.set("before", f.created_before);
  if (state.ordering !== DEFAULT_ORDERING) params.set("ordering", state.ordering);
  if (state.layout !== "table") params.set("layout", state.layout);
  if (state.columns.join(",") !== DEFAULT_COLUMNS.join(",")) params.set("columns", state.columns.join(","));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The state a URL query describes; what it cannot read is left at its default. */
export function stateFromSearch(params: URLSearchParams): { state: BoardState; viewId: number | null } {
  const filters: BoardFilters = {};
  const statuses = (params.get("status") ?? "")
    .split(",")
    .filter((s): s is OrderStatus => STATUSES.includes(s as OrderStatus));
  if (statuses.length) filters.status = statuses;
  for (const key of ["channel", "province", "city", "q"] as const) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const tags = parseTags(params.get("tags") ?? "");
  if (tags.length) filters.tags = tags;
  const onHold = parseBool(params.get("on_hold"));
  if (onHold !== undefined) filters.on_hold = onHold;
  const overdue = parseBool(params.get("overdue"));
  if (overdue !== undefined) filters.overdue = overdue;
  const within = Number(params.get("within"));
  if (Number.isInteger(within) && within >= 1 && within <= 366) filters.created_within_days = within;
  else {
    if (params.get("after")) filters.created_after = params.get("after");
    if (params.get("before")) filters.created_before = params.get("before");
  }
  const ordering = params.get("ordering") as Ordering | null;
  const columns = (params.get("columns") ?? "")
    .split(",")
    .filter((c): c is BoardColumn => ALL_COLUMNS.includes(c as BoardColumn));
  const view = Number(params.get("view"));
  return {
    state: {
      filters,
      columns: columns.length ? columns : DEFAULT_COLUMNS,
      ordering: ordering && ORDERINGS.includes(ordering) ? ordering : DEFAULT_ORDERING,
      layout: params.get("layout") === "kanban" ? "kanban" : "table",
    },
    viewId: Number.isInteger(view) && view > 0 ? view : null,
  };
}

/** The state a saved view holds. */
export function stateOfView(view: BoardView): BoardState {
  return {
    filters: view.filters ?? {},
    columns: view.columns?.length ? view.columns : DEFAULT_COLUMNS,
    ordering: view.ordering ?? DEFAULT_ORDERING,
    layout: view.layout ?? "table",
  };
}

/** Whether the board shows something other than what the view saved (the "unsaved changes" hint). */
export function differsFromView(state: BoardState, view: BoardView): boolean {
  const saved = stateOfView(view);
  return (
    JSON.stringify(cleanFilters(state.filters)) !== JSON.stringify(cleanFilters(saved.filters)) ||
    state.columns.join(",") !== saved.columns.join(",") ||
    state.ordering !== saved.ordering ||
    state.layout !== saved.layout
  );
}

/** The sort after a click on a column's header: newest/largest first, then the other way round. */
export function nextOrdering(current: Ordering, column: BoardColumn): Ordering {
  const field = SORTABLE[column];
  if (!field) return current;
  if (current === `-${field}`) return field as Ordering;
  return `-${field}` as Ordering;
}
