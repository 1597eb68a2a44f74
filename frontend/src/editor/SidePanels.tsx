import { useState } from "react";
import { api, rowsOf, type Page } from "../api/client";
import { DEAD, executionsApi, flowsApi, problemsOf } from "../api/flows";
import type {
  Catalog,
  DocumentDiff,
  Execution,
  Flow,
  JsonValue,
  Problem,
  Step,
  Trigger,
  VersionSummary,
} from "../api/types";
import { useApi } from "../app/useApi";
import { ErrorNote, JsonView, StatusBadge } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import { decisionOf } from "./context";
import { sampleContext } from "./NodePanel";

export function ProblemsPanel({ problems, onSelect }: { problems: Problem[]; onSelect: (nodeId: string) => void }) {
  const { t } = useI18n();
  if (problems.length === 0) return <p className="ok-note">{t("editor.noProblems")}</p>;
  return (
    <ul className="problems" data-testid="problems-list">
      {problems.map((problem, i) => (
        <li key={i}>
          <button
            type="button"
            className="problem"
            onClick={() => problem.node_id && onSelect(problem.node_id)}
            disabled={!problem.node_id}
          >
            <span className="problem-node mono">{problem.node_id ?? "—"}</span>
            <span>{problem.message}</span>
            <span className="muted small mono">
              {problem.code} {problem.pointer}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function DiffView({ diff }: { diff: DocumentDiff }) {
  const { t } = useI18n();
  const { nodes, edges } = diff;
  const empty =
    !nodes.added.length &&
    !nodes.removed.length &&
    !nodes.changed.length &&
    !edges.added.length &&
    !edges.removed.length &&
    !diff.trigger.changed;
  if (empty) return <p className="muted">{t("history.noDiff")}</p>;
  const edge = (e: { from: string; to: string; branch?: string }) =>
    `${e.from} → ${e.to}${e.branch ? ` (${e.branch === "true" ? t("editor.yes") : t("editor.no")})` : ""}`;
  return (
    <div className="diff" data-testid="diff">
      {diff.trigger.changed && <p>{t("history.triggerChanged", { fields: diff.trigger.fields.join(", ") })}</p>}
      {nodes.added.length > 0 && (
        <p>
          <span className="badge diff-added-badge">{t("history.added")}</span> {nodes.added.join(", ")}
        </p>
      )}
      {nodes.removed.length > 0 && (
        <p>
          <span className="badge diff-removed-badge">{t("history.removed")}</span> {nodes.removed.join(", ")}
        </p>
      )}
      {nodes.changed.map((c) => (
        <p key={c.id}>
          <span className="badge diff-changed-badge">{t("history.changed")}</span> {c.id}:{" "}
          <span className="mono small">{c.fields.join(", ")}</span>
        </p>
      ))}
      {edges.added.length > 0 && (
        <p>
          {t("history.edgesAdded")}: {edges.added.map(edge).join("; ")}
        </p>
      )}
      {edges.removed.length > 0 && (
        <p>
          {t("history.edgesRemoved")}: {edges.removed.map(edge).join("; ")}
        </p>
      )}
    </div>
  );
}

export function HistoryPanel({
  flow,
  canEdit,
  onRolledBack,
  onShowDiff,
}: {
  flow: Flow;
  canEdit: boolean;
  onRolledBack: (message: string) => void;
  onShowDiff: (diff: DocumentDiff | null) => void;
}) {
  const { t, language } = useI18n();
  const versions = useApi(() => flowsApi.versions(flow.id), [flow.id, flow.current_version?.number]);
  const [selected, setSelected] = useState<number | null>(null);
  const [diff, setDiff] = useState<DocumentDiff | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const compare = async (version: VersionSummary) => {
    setSelected(version.number);
    setError(null);
    try {
      const answer = await flowsApi.diff(flow.id, version.number, "draft");
      setDiff(answer);
      onShowDiff(answer);
    } catch (reason) {
      setError(reason as Error);
    }
  };
  const rollback = async (version: VersionSummary) => {
    setError(null);
    try {
      const answer = (await flowsApi.rollback(flow.id, version.number)) as VersionSummary;
      onShowDiff(null);
      setDiff(null);
      onRolledBack(t("history.rollbackDone", { n: answer.number }));
    } catch (reason) {
      const problems = problemsOf(reason);
      setError(problems ? new Error(problems.map((p) => p.message).join("; ")) : (reason as Error));
    }
  };

  if (!versions.data) return <ErrorNote error={versions.error} onRetry={versions.reload} />;
  if (versions.data.length === 0) return <p className="muted">{t("history.empty")}</p>;
  return (
    <div className="history">
      <ErrorNote error={error} />
      <ol className="versions">
        {versions.data.map((version) => (
          <li key={version.number} className={selected === version.number ? "selected" : ""}>
            <div>
              <strong>v{version.number}</strong>
              {flow.current_version?.number === version.number && (
                <span className="badge flow-published">{t("history.current")}</span>
              )}
              <span className="muted small">
                {" "}
                {formatTime(version.published_at, language)} · {version.published_by?.username ?? "—"}
              </span>
            </div>
            {version.notes && <p className="version-note">{version.notes}</p>}
            <div className="toolbar">
              <button type="button" onClick={() => void compare(version)}>
                {t("history.compare")}
              </button>
              {canEdit && flow.current_version?.number !== version.number && (
                <button type="button" onClick={() => void rollback(version)}>
                  {t("history.rollback")}
                </button>
              )}
            </div>
            {selected === version.number && diff && <DiffView diff={diff} />}
          </li>
        ))}
      </ol>
    </div>
  );
}

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

export function StepList({ steps, onSelect }: { steps: Step[]; onSelect?: (nodeId: string) => void }) {
  const { t } = useI18n();
  return (
    <ol className="steps" data-testid="steps">
      {steps.map((step, i) => {
        const decision = decisionOf(step);

        return (
          <li key={step.id ?? i} className={`step step-${step.status}`}>
            <button type="button" className="link step-node" onClick={() => onSelect?.(step.node_id)}>
              <span className="mono">{step.node_id}</span>
            </button>{" "}
            <StatusBadge status={step.status} />
            {decision && (
              <span className={`badge decision-${decision}`}>
                {t("executions.decision")}: {decision === "true" ? t("editor.yes") : t("editor.no")}
              </span>
            )}
            {step.attempt !== undefined && (
              <span className="muted small">
                {" "}
                {t("executions.attempts")}: {step.attempt}
              </span>
            )}
            {step.duration_ms !== undefined && step.duration_ms !== null && (
              <span className="muted small"> · {step.duration_ms} ms</span>
            )}
            <details>
              <summary>
                {t("executions.input")} / {t("executions.output")}
                {step.error ? ` / ${t("executions.error")}` : ""}
              </summary>
              <h4>{step.kind === "action" ? t("executions.params") : t("executions.input")}</h4>
              <JsonView value={step.input} />
              <h4>{t("executions.output")}</h4>
              <JsonView value={step.output} />
              {step.error !== undefined && step.error !== null && (
                <>
                  <h4>{t("executions.error")}</h4>
                  <JsonView value={step.error} />
                </>
              )}
            </details>
          </li>
        );
      })}
    </ol>
  );
}

export function ExecutionPanel({
  execution,
  canReplay,
  onSelect,
  onReplayed,
}: {
  execution: Execution;
  canReplay: boolean;
  onSelect: (nodeId: string) => void;
  onReplayed: () => void;
}) {
  const { t, language } = useI18n();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const replay = async () => {
    setBusy(true);
    try {
      await executionsApi.replay(execution.id);
      onReplayed();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="execution-panel" data-testid="execution-panel">
      <h2>
        {t("executions.title")} #{execution.id} <StatusBadge status={execution.status} />
      </h2>
      <p className="muted small">
        {formatTime(execution.started_at ?? execution.created_at, language)}
        {execution.status_reason ? ` · ${execution.status_reason}` : ""}
      </p>
      {execution.status === DEAD && canReplay && (
        <button type="button" className="primary" onClick={() => void replay()} disabled={busy}>
          {t("executions.replay")}
        </button>
      )}
      <ErrorNote error={error} />
      <details>
        <summary>{t("executions.event")}</summary>
        <JsonView value={execution.context} />
      </details>
      <StepList steps={execution.steps} onSelect={onSelect} />
    </div>
  );
}
