/**
 * The back-test's answer in pictures: how often it would have fired, each condition's yes/no split,
 * per day as small stacked bars, and example orders of each branch to open.
 *
 * Reads `runtime.dryrun.flow_back_test`: `nodes[<id>] = {kind, reached, true, false, by_day: [{day,
 * true, false}], example_orders: {true: [{id, number}], false: [...]}}` for each condition (answers
 * from before `example_orders` have `examples`, the ids alone).
 */
import { Link } from "../../app/router";
import { JsonView } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { useEditor } from "../context";

interface Split {
  true: number;
  false: number;
}

export interface BranchNode extends Split {
  kind: string;
  reached: number;
  by_day?: ({ day: string } & Split)[];
  examples?: { true?: number[]; false?: number[] };
  example_orders?: { true?: ExampleOrder[]; false?: ExampleOrder[] };
}

export interface ExampleOrder {
  id: number;
  number: string | null;
}

export interface BackTest {
  events: number;
  fired: number;
  fire_rate: number;
  capped: boolean;
  nodes?: Record<string, BranchNode>;
  [key: string]: unknown;
}

/** A branch's example orders, with their numbers when the answer gives them (older answers: ids alone). */
export function exampleOrders(node: BranchNode, branch: "true" | "false"): ExampleOrder[] {
  const orders = node.example_orders?.[branch];
  if (Array.isArray(orders)) return orders;
  return (node.examples?.[branch] ?? []).map((id) => ({ id, number: null }));
}

/** A condition's per-day rows (older answers have none). */
export function dailyRows(node: BranchNode): ({ day: string } & Split)[] {
  return Array.isArray(node.by_day) ? node.by_day : [];
}

function Bar({ split }: { split: Split }) {
  const total = split.true + split.false;
  const yes = total ? (split.true / total) * 100 : 0;
  return (
    <span className="split-bar" aria-hidden="true">
      <span className="split-yes" style={{ width: `${yes}%` }} />
      <span className="split-no" style={{ width: `${100 - yes}%` }} />
    </span>
  );
}

function DayChart({ id, rows }: { id: string; rows: ({ day: string } & Split)[] }) {
  const { t } = useI18n();
  const max = Math.max(1, ...rows.map((p) => p.true + p.false));
  const w = 14;
  const h = 60;
  return (
    <svg
      className="day-chart"
      width={rows.length * (w + 4)}
      height={h + 14}
      role="img"
      aria-label={t("test.perDay")}
      data-testid={`backtest-days-${id}`}
    >
      {rows.map((p, i) => {
        const yes = (p.true / max) * h;
        const no = (p.false / max) * h;
        return (
          <g key={p.day} transform={`translate(${i * (w + 4)},0)`}>
            <title>{`${p.day}: ${t("editor.yes")} ${p.true} · ${t("editor.no")} ${p.false}`}</title>
            <rect className="split-no" x={0} y={h - no} width={w} height={no} />
            <rect className="split-yes" x={0} y={h - no - yes} width={w} height={yes} />
            <text x={w / 2} y={h + 12} textAnchor="middle" fontSize="8">
              {p.day.slice(-2)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function BacktestSummary({ answer }: { answer: BackTest }) {
  const { t } = useI18n();
  const { titleOf } = useEditor();
  const conditions = Object.entries(answer.nodes ?? {}).filter(([, n]) => n.kind === "condition");
  return (
    <div className="backtest stack" data-testid="backtest-result">
      <p>{t("test.firedCount", { n: answer.fired, total: answer.events })}</p>
      {conditions.map(([id, n]) => {
        const rows = dailyRows(n);
        return (
          <section key={id} className="backtest-branch" data-testid={`backtest-${id}`}>
            <h4>{titleOf(id)}</h4>
            <div className="row">
              <Bar split={n} />
              <span className="small">
                {t("editor.yes")} {n.true} · {t("editor.no")} {n.false}
              </span>
            </div>
            {rows.length > 0 && <DayChart id={id} rows={rows} />}
            {(n.example_orders || n.examples) && (
              <div className="small">
                {(["true", "false"] as const).map((branch) => {
                  const orders = exampleOrders(n, branch).slice(0, 5);
                  return orders.length ? (
                    <p key={branch}>
                      {branch === "true" ? t("editor.yes") : t("editor.no")}:{" "}
                      {orders.map((order) => (
                        <Link
                          key={order.id}
                          to={`/orders/${order.id}`}
                          className="example-order"
                          data-testid={`example-order-${order.id}`}
                        >
                          {order.number
                            ? t("test.exampleOrderNumber", { number: order.number })
                            : t("test.exampleOrder", { id: order.id })}
                        </Link>
                      ))}
                    </p>
                  ) : null;
                })}
              </div>
            )}
          </section>
        );
      })}
      <details className="advanced">
        <summary>{t("editor.advanced")}</summary>
        <JsonView value={answer} />
      </details>
    </div>
  );
}
