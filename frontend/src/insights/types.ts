/**
 * The KPI and alerts API as the dashboard reads it, written from the shared contract
 * (`/api/v1/kpis/`, `/api/v1/kpis/thresholds/`, `/api/v1/alerts/`, the `orderflow:live` window event).
 * The generated `schema.d.ts` holds these shapes only once the backend is merged; until then these
 * types are the contract, and the fixtures in `fixtures.ts` are checked against them.
 */

/** A zh/en pair the API sends for names it owns (KPI titles, channel names, alert texts). */
export interface Names {
  zh: string;
  en: string;
}

export const KPI_KEYS = [
  "sync_delay_rate",
  "notification_reach_rate",
  "reconciliation_difference_rate",
  "exception_order_share",
  "payment_conversion",
  "on_time_fulfilment",
  "refund_rate",
  "avg_processing_minutes",
] as const;

/** The KPIs the contract names; the page shows whichever the answer holds, in its order. */
export type KpiKey = (typeof KPI_KEYS)[number];

/** `ratio` is a fraction 0..1 shown as a percentage. */
export type KpiUnit = "ratio" | "minutes" | "count" | "money";

/** How `value` is held against `threshold` (`lt`: healthy below it); null when the KPI has no threshold. */
export type Comparison = "lt" | "lte" | "gt" | "gte";

export interface TrendPoint {
  /** YYYY-MM-DD, a day in Asia/Shanghai. */
  date: string;
  /** null where the day could not be measured. */
  value: number | null;
}

/**
 * One health KPI over the range. A KPI that cannot be measured has `measured: false` with `value`
 * and `ok` null — never a fake 0.
 */
export interface Kpi {
  /** One of KPI_KEYS; a key added later by the backend is shown all the same. */
  key: string;
  title: Names;
  unit: KpiUnit;
  value: number | null;
  measured: boolean;
  threshold: number | null;
  comparison: Comparison | null;
  /** value held against threshold; null when not measured or without threshold. */
  ok: boolean | null;
  /** The value over the same length of time just before the range; null if not measured. */
  previous: number | null;
  /** One point per day of the range. */
  trend: TrendPoint[];
}

/** Decimal amounts travel as strings ("98765.40"). */
export type Decimal = string;

export interface DayPoint {
  date: string;
  orders: number;
  gmv: Decimal;
}

export interface HourPoint {
  /** 0..23, an hour of the day in Asia/Shanghai. */
  hour: number;
  orders: number;
  gmv: Decimal;
}

export interface ChannelPoint {
  /** The channel's code (`tmall`); shown by `name`. */
  channel: string;
  name: Names;
  orders: number;
  gmv: Decimal;
}

export interface BacklogRow {
  /** An order status code (`paid`); shown by its name (orderStatus.* messages). */
  status: string;
  count: number;
}

export interface KpiAnswer {
  range: { from: string; to: string; timezone: string };
  /** The channel filter the answer was computed for, null for all channels. */
  channel: string | null;
  kpis: Kpi[];
  totals: { orders: number; gmv: Decimal; currency: string };
  series: { by_day: DayPoint[]; by_hour: HourPoint[]; by_channel: ChannelPoint[] };
  backlog: BacklogRow[];
}

/** The query of GET /api/v1/kpis/: dates inclusive, days in Asia/Shanghai. */
export interface KpiQuery {
  from: string;
  to: string;
  channel: string | null;
}

/** GET/PATCH /api/v1/kpis/thresholds/ answer one row per KPI. */
export interface Threshold {
  key: string;
  threshold: number | null;
  comparison: Comparison | null;
}

/** PATCH /api/v1/kpis/thresholds/ body: only the KPIs whose threshold changes (admins only). */
export type ThresholdPatch = Record<string, number>;

export type AlertSeverity = "warning" | "critical";
export type AlertStatus = "open" | "resolved";
export type DrilldownDimension = "sku" | "courier" | "region";

export interface DrilldownRow {
  key: string;
  label: string;
  value: number | string;
}

export interface Drilldown {
  dimension: DrilldownDimension;
  rows: DrilldownRow[];
}

export interface Alert {
  id: number;
  rule: string;
  severity: AlertSeverity;
  /** A channel code, or null when the alert is not about one channel. */
  channel: string | null;
  title: Names;
  message: Names;
  /** ISO instants in UTC. */
  raised_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  drilldown: Drilldown[];
}

/** The `detail` of a `CustomEvent("orderflow:live")` dispatched on `window`. */
export interface LiveEventDetail {
  /** An outbox event name (`order.created`, `insights.alert`, …), `inbox.changed` or `kpis.changed`. */
  type: string;
  id?: number;
  occurred_at?: string;
  order?: { id: number; number: string; status: string; channel: string; total_amount: string };
}

export const LIVE_EVENT = "orderflow:live";
