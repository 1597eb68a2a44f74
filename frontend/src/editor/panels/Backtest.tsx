/**
 * The back-test's answer in pictures: how often it would have fired, each condition's yes/no split,
 * per day as small stacked bars, and example orders of each branch to open.
 *
 * Reads `runtime.dryrun.flow_back_test`: `nodes[<id>] = {kind, reached, true, false, …}`, and when the
 * server sends them `days: [{date, nodes: {<id>: {true, false}}}]` and
 * `examples: {<id>: {true: [{id, number}], false: [...]}}`.
 */
import { Link } from "../../app/router";
import { JsonView } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { useEditor } from "../context";

interface Split {
  true: number;
  false: number;
}
interface Example {
  id: number;
  number?: string;
}

export interface BackTest {
  events: number;
  fired: number;
  fire_rate: number;
  capped: boolean;
  nodes?: Record<string, { kind: string; reached: number } & Split>;
  days?: number | { date: string; nodes?: Record<string, Split> }[];
  by_day?: { date: string; nodes?: Record<string, Split> }[];
  examples?: Record<string, { true?: Example[]; false?: Example[] }>;
  [key: string]: unknown;
}

/** The per-day rows, wherever the answer keeps them. */
export function dailyRows(answer: BackTest): { date: string; nodes?: Record<string, Split> }[] {
  if (Array.isArray(answer.by_day)) return answer.by_day;
  if (Array.isArray(answer.days)) return answer.days;
  return [];
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

function DayChart({ id, rows }: { id: string; rows: { date: string; nodes?: Record<string, Split> }[] }) {
  const { t } = useI18n();
  const points = rows.map((r) => ({ date: r.date, split: r.nodes?.[id] ?? { true: 0, false: 0 } }));
  const max = Math.max(1, ...points.map((p) => p.split.true + p.split.false));
  const w = 14;
  const h = 60;
  return (
    <svg
      className="day-chart"
      width={points.length * (w + 4)}
      height={h + 14}
      role="img"
      aria-label={t("test.perDay")}
      data-testid={`backtest-days-${id}`}
    >
      {points.map((p, i) => {
        const yes = (p.split.true / max) * h;
        const no = (p.split.false / max) * h;
        return (
          <g key={p.date} transform={`translate(${i * (w + 4)},0)`}>
            <title>{`${p.date}: ${t("editor.yes")} ${p.split.true} · ${t("editor.no")} ${p.split.false}`}</title>
            <rect className="split-no" x={0} y={h - no} width={w} height={no} />
            <rect className="split-yes" x={0} y={h - no - yes} width={w} height={yes} />
            <text x={w / 2} y={h + 12} textAnchor="middle" fontSize="8">
              {p.date.slice(-2)}
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
  const rows = dailyRows(answer);
  return (
    <div className="backtest stack" data-testid="backtest-result">
      <p>{t("test.firedCount", { n: answer.fired, total: answer.events })}</p>
      {conditions.map(([id, n]) => {
        const examples = answer.examples?.[id];
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
            {examples && (
              <div className="small">
                {(["true", "false"] as const).map((branch) =>
                  examples[branch]?.length ? (
                    <p key={branch}>
                      {branch === "true" ? t("editor.yes") : t("editor.no")}:{" "}
                      {examples[branch]!.slice(0, 5).map((o) => (
                        <Link key={o.id} to={`/orders/${o.id}`} className="example-order">
                          {o.number ?? `#${o.id}`}
                        </Link>
                      ))}
                    </p>
                  ) : null,
                )}
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
