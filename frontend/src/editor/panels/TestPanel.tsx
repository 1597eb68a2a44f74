/**
 * Testing the draft: on a real order found by its number or the customer's phone, or on a sample shown
 * as a form (its JSON under "advanced"); and the back-test over the last days' events.
 */
import { useState } from "react";
import { api, rowsOf, type Page } from "../../api/client";
import { flowsApi, problemsOf } from "../../api/flows";
import type { Catalog, JsonValue, Step, Trigger } from "../../api/types";
import { ErrorNote } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { valueLabel } from "../fields/fields";
import { sampleContext } from "../flowContext";
import { BacktestSummary, type BackTest } from "./Backtest";
import { SampleForm } from "./SampleForm";
import { StepList } from "./StepList";

interface OrderRow {
  id: number;
  number: string;
  channel: string;
  status: string;
  total_amount: string;
  customer?: { name?: string } | null;
}

/** What a test run sends as `event`: the trigger's event name and the objects it concerns. */
export function eventFromContext(trigger: Trigger, context: Record<string, unknown>): Record<string, unknown> {
  const { event: _meta, steps: _steps, ...objects } = context;
  return { type: trigger.type === "event" ? trigger.event : trigger.type, ...objects };
}

function OrderFinder({ onPick, disabled }: { onPick: (order: OrderRow) => void; disabled: boolean }) {
  const { t, language } = useI18n();
  const [q, setQ] = useState("");
  const [rows, setRows] = useState<OrderRow[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const find = async () => {
    setError(null);
    try {
      setRows(rowsOf(await api<Page<OrderRow>>("orders/", { query: { q: q.trim(), page_size: 10 } })));
    } catch (reason) {
      setError(reason as Error);
    }
  };
  return (
    <div className="stack" data-testid="order-finder">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t("test.findPlaceholder")}
          aria-label={t("test.findOrder")}
        />
        <button type="submit" disabled={!q.trim()}>
          {t("test.find")}
        </button>
      </form>
      <ErrorNote error={error} />
      {rows && rows.length === 0 && <p className="muted small">{t("test.noOrder")}</p>}
      {rows && rows.length > 0 && (
        <ul className="order-hits">
          {rows.map((o) => (
            <li key={o.id}>
              <span>
                <strong>{o.number}</strong> · {valueLabel(o.channel)[language]} · {valueLabel(o.status)[language]} · ¥
                {o.total_amount}
              </span>
              <button
                type="button"
                className="primary"
                disabled={disabled}
                onClick={() => onPick(o)}
                data-testid={`test-order-${o.number}`}
              >
                {t("test.onThisOrder")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
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
  const [source, setSource] = useState<"order" | "sample">(trigger.type === "event" ? "order" : "sample");
  const [sample, setSample] = useState(() => eventFromContext(trigger, sampleContext(trigger, catalog)));
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ fired: boolean; steps: Step[]; on: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [days, setDays] = useState(7);
  const [backtest, setBacktest] = useState<BackTest | null>(null);

  const run = async (body: { event: JsonValue } | { order: string }, on: string) => {
    setRunning(true);
    setError(null);
    try {
      await beforeRun();
      const answer = await flowsApi.testRun(flowId, body);
      setResult({ fired: answer.fired, steps: answer.trace, on });
      onResult(answer.trace);
    } catch (reason) {
      const problems = problemsOf(reason);
      setError(problems ? new Error(problems.map((p) => p.message).join("; ")) : (reason as Error));
    } finally {
      setRunning(false);
    }
  };
  // The server represents the order exactly as the order events carry it.
  const runOnOrder = (row: OrderRow) => run({ order: row.number }, row.number);
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
          <input type="radio" checked={source === "order"} onChange={() => setSource("order")} /> {t("test.realOrder")}
        </label>
        <label className="check">
          <input type="radio" checked={source === "sample"} onChange={() => setSource("sample")} /> {t("test.sample")}
        </label>
      </div>
      {source === "order" && <OrderFinder disabled={running || !canRun} onPick={(o) => void runOnOrder(o)} />}
      {source === "sample" && (
        <>
          <SampleForm value={sample} onChange={setSample} />
          <button
            type="button"
            className="primary"
            onClick={() => void run({ event: sample as JsonValue }, t("test.sample"))}
            disabled={running || !canRun}
            data-testid="test-run"
          >
            {running ? t("test.running") : t("test.run")}
          </button>
        </>
      )}
      <ErrorNote error={error} />
      {result && (
        <div data-testid="test-result">
          <h3>
            {t("test.result")} · {result.on}
          </h3>
          <p className={result.fired ? "ok-note" : "muted"}>{result.fired ? t("test.fired") : t("test.notFired")}</p>
          <StepList steps={result.steps} />
          <button
            type="button"
            onClick={() => {
              setResult(null);
              onResult(null);
            }}
          >
            {t("test.clear")}
          </button>
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
        <button type="button" onClick={() => void runBacktest()} disabled={!canRun} data-testid="backtest-run">
          {t("test.backtestRun")}
        </button>
      </div>
      {backtest !== null && <BacktestSummary answer={backtest} />}
    </div>
  );
}
