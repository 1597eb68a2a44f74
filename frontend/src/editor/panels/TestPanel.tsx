import { useState } from "react";
import { api, rowsOf, type Page } from "../../api/client";
import { flowsApi, problemsOf } from "../../api/flows";
import type { Catalog, JsonValue, Step, Trigger } from "../../api/types";
import { useApi } from "../../app/useApi";
import { ErrorNote, JsonView } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { sampleContext } from "../NodePanel";
import { StepList } from "./StepList";

interface OrderRow {
  id: number;
  number: string;
  channel: string;
  status: string;
  total_amount: string;
}

/** What a test run sends as `event`: the trigger's event name and the objects it concerns. */
export function eventFromContext(trigger: Trigger, context: Record<string, unknown>): Record<string, unknown> {
  const { event: _meta, steps: _steps, ...objects } = context;
  return { type: trigger.type === "event" ? trigger.event : trigger.type, ...objects };
}

export function TestPanel({
  flowId,
  trigger,
  catalog,
  canRun,
  beforeRun,
  onResult,
}: {
  flowId: number;
  trigger: Trigger;
  catalog: Catalog;
  canRun: boolean;
  beforeRun: () => Promise<void>;
  onResult: (steps: Step[] | null) => void;
}) {
  const { t } = useI18n();
  const [source, setSource] = useState<"sample" | "recent">("sample");
  const [text, setText] = useState(() =>
    JSON.stringify(eventFromContext(trigger, sampleContext(trigger, catalog)), null, 2),
  );
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ fired: boolean; steps: Step[] } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [days, setDays] = useState(7);
  const [backtest, setBacktest] = useState<BackTest | null>(null);
  const orders = useApi(
    (signal) =>
      source === "recent"
        ? api<Page<OrderRow>>("orders/", { query: { page_size: 20 }, signal }).then(rowsOf)
        : Promise.resolve([] as OrderRow[]),
    [source],
  );

  const pickOrder = async (id: string) => {
    if (!id) return;
    const order = await api<Record<string, unknown>>(`orders/${id}/`);
    setText(JSON.stringify({ type: trigger.type === "event" ? trigger.event : trigger.type, order }, null, 2));
  };
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      const event = JSON.parse(text) as JsonValue;
      await beforeRun();
      const answer = await flowsApi.testRun(flowId, { event });
      const steps = answer.trace;
      setResult({ fired: answer.fired, steps });
      onResult(steps);
    } catch (reason) {
      const problems = problemsOf(reason);
      setError(
        problems ? new Error(problems.map((p) => `${p.node_id ?? ""} ${p.message}`).join("; ")) : (reason as Error),
      );
    } finally {
      setRunning(false);
    }
  };
  const runBacktest = async () => {
    setError(null);
    try {
      await beforeRun();
      setBacktest((await flowsApi.backTest(flowId, { days })) as unknown as BackTest);
    } catch (reason) {
      setError(reason as Error);
    }
  };

  return (
    <div className="test-panel stack">
      <p className="muted small">{t("test.noSideEffects")}</p>
      <div className="toolbar" role="radiogroup" aria-label={t("test.title")}>
        <label className="check">
          <input type="radio" checked={source === "sample"} onChange={() => setSource("sample")} /> {t("test.sample")}
        </label>
        <label className="check">
          <input type="radio" checked={source === "recent"} onChange={() => setSource("recent")} /> {t("test.recent")}
        </label>
      </div>
      {source === "sample" && (
        <button
          type="button"
          onClick={() => setText(JSON.stringify(eventFromContext(trigger, sampleContext(trigger, catalog)), null, 2))}
        >
          {t("test.sample")} ↺
        </button>
      )}
      {source === "recent" && (
        <label>
          {t("test.pickOrder")}
          <select onChange={(e) => void pickOrder(e.target.value)} defaultValue="">
            <option value="">—</option>
            {(orders.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.number} · {o.channel} · {o.status} · ¥{o.total_amount}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t("test.event")}
        <textarea
          className="code"
          rows={10}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="test-event"
        />
      </label>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          onClick={() => void run()}
          disabled={running || !canRun}
          data-testid="test-run"
        >
          {running ? t("test.running") : t("test.run")}
        </button>
        {result && (
          <button
            type="button"
            onClick={() => {
              setResult(null);
              onResult(null);
            }}
          >
            {t("test.clear")}
          </button>
        )}
      </div>
      <ErrorNote error={error} />
      {result && (
        <div data-testid="test-result">
          <h3>{t("test.result")}</h3>
          <p className={result.fired ? "ok-note" : "muted"}>{result.fired ? t("test.fired") : t("test.notFired")}</p>
          <StepList steps={result.steps} />
        </div>
      )}
      <h3>{t("test.backtest")}</h3>
      <div className="toolbar">
        <label className="check">
          {t("test.days")}
          <input
            type="number"
            min={1}
            max={90}
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
            style={{ width: 70 }}
          />
        </label>
        <button type="button" onClick={() => void runBacktest()} disabled={!canRun}>
          {t("test.backtestRun")}
        </button>
      </div>
      {backtest !== null && <BacktestSummary answer={backtest} />}
    </div>
  );
}

/** runtime.dryrun.flow_back_test (the parts shown; the rest is under "details"). */
interface BackTest {
  events: number;
  fired: number;
  fire_rate: number;
  capped: boolean;
  [key: string]: unknown;
}

function BacktestSummary({ answer }: { answer: BackTest }) {
  const { t } = useI18n();
  return (
    <div data-testid="backtest-result">
      <p>{t("test.firedCount", { n: answer.fired, total: answer.events })}</p>
      <details>
        <summary>{t("executions.output")}</summary>
        <JsonView value={answer} />
      </details>
    </div>
  );
}
