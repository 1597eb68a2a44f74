/**
 * The health KPIs: one card each (value by unit, threshold, on/off target in colour *and* words, the
 * change against the previous period, a sparkline of the days), or the same as two tables.
 */
import { useId, useMemo, useState } from "react";
import { Empty } from "../components/common";
import { kpiTable, sparkline, trendTable } from "./charts";
import { kpiChange, kpiChangeText, kpiState, kpiValueText, STATE_KEYS, thresholdText, type Fmt } from "./format";
import { TextTableView } from "./tables";
import type { Kpi } from "./types";

const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 32;

/** The KPI's days as a line; a day not measured is a gap. The figures are in the table view. */
export function Sparkline({ values }: { values: (number | null)[] }) {
  const segments = sparkline(values, SPARK_WIDTH, SPARK_HEIGHT);
  if (!segments.length) return null;
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`}
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
      aria-hidden="true"
      focusable="false"
    >
      {segments.map((points) =>
        points.length === 1 ? (
          <circle key={points[0].join()} cx={points[0][0]} cy={points[0][1]} r={1.5} />
        ) : (
          <polyline key={points[0].join()} points={points.map((point) => point.join(",")).join(" ")} />
        ),
      )}
    </svg>
  );
}

export function KpiCard({ kpi, fmt, currency }: { kpi: Kpi; fmt: Fmt; currency: string }) {
  const headingId = useId();
  const state = kpiState(kpi);
  const change = kpiChange(kpi);
  const changeClass = change?.better === true ? "better" : change?.better === false ? "worse" : "";
  const arrow = change?.direction === "up" ? "↑" : change?.direction === "down" ? "↓" : "";
  return (
    <article className={`kpi-card kpi-${state}`} aria-labelledby={headingId} data-kpi={kpi.key}>
      <h3 id={headingId}>{fmt.pick(kpi.title, kpi.key)}</h3>
      <p className="kpi-value">{kpiValueText(kpi, fmt, currency)}</p>
      <p className="kpi-meta">
        {state !== "unmeasured" && <span className={`badge kpi-badge-${state}`}>{fmt.t(STATE_KEYS[state])}</span>}
        {kpi.threshold !== null && kpi.comparison !== null && (
          <span className="muted">{fmt.t("dash.kpi.threshold", { value: thresholdText(kpi, fmt, currency) })}</span>
        )}
      </p>
      {state !== "unmeasured" && (
        <p className={`kpi-change ${changeClass}`}>
          {arrow && <span aria-hidden="true">{arrow} </span>}
          {kpiChangeText(kpi, fmt, currency)}
          {change?.better !== null && change?.better !== undefined && (
            <span className="visually-hidden">
              {" "}
              ({fmt.t(change.better ? "dash.change.better" : "dash.change.worse")})
            </span>
          )}
        </p>
      )}
      <Sparkline values={kpi.trend.map((point) => point.value)} />
    </article>
  );
}

export function KpiSection({ kpis, fmt, currency }: { kpis: Kpi[]; fmt: Fmt; currency: string }) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  const tables = useMemo(
    () => (asTable ? [kpiTable(kpis, fmt, currency), trendTable(kpis, fmt, currency)] : []),
    [asTable, kpis, fmt, currency],
  );
  return (
    <section className="dash-kpis" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>{fmt.t("dash.kpis.title")}</h2>
        {kpis.length > 0 && (
          <button type="button" className="small" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
            {fmt.t("dash.chart.asTable")}
          </button>
        )}
      </div>
      {!kpis.length ? (
        <Empty>{fmt.t("dash.kpis.empty")}</Empty>
      ) : asTable ? (
        tables.map((table) => <TextTableView key={table.caption} table={table} />)
      ) : (
        <div className="kpi-grid">
          {kpis.map((kpi) => (
            <KpiCard key={kpi.key} kpi={kpi} fmt={fmt} currency={currency} />
          ))}
        </div>
      )}
    </section>
  );
}
