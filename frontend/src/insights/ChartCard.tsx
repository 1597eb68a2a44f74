/** A chart with its "view as table" switch: the same dataset drawn by ECharts or read as a table. */
import { useId, useMemo, useState } from "react";
import { Empty } from "../components/common";
import { chartOption, datasetTable, type Dataset } from "./charts";
import { EChart } from "./EChart";
import type { Fmt } from "./format";
import { DataTableView } from "./tables";

export function ChartCard({ dataset, fmt }: { dataset: Dataset; fmt: Fmt }) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  const option = useMemo(() => chartOption(dataset, fmt), [dataset, fmt]);
  const table = useMemo(() => datasetTable(dataset, fmt), [dataset, fmt]);
  const empty = dataset.categories.length === 0;
  return (
    <section className="dash-card" aria-labelledby={headingId} data-chart={dataset.key}>
      <div className="section-head">
        <h3 id={headingId}>{dataset.title}</h3>
        {!empty && (
          <button type="button" className="small" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
            {fmt.t("dash.chart.asTable")}
          </button>
        )}
      </div>
      {empty ? (
        <Empty>{fmt.t("dash.chart.empty")}</Empty>
      ) : asTable ? (
        <DataTableView table={table} />
      ) : (
        <EChart option={option} label={fmt.t("dash.chart.label", { title: dataset.title })} />
      )}
    </section>
  );
}
