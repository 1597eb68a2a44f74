import { useState } from "react";
import { rowsOf } from "../api/client";
import { DEAD, executionsApi, flowsApi } from "../api/flows";
import type { Execution } from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { Link, navigate } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, StatusBadge } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";

/** runtime.statuses.STATUSES */
const STATUSES = ["pending", "running", "waiting", "retrying", "succeeded", "dead", "suppressed"];

export function ExecutionsPage({ flowId }: { flowId: string | null }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [status, setStatus] = useState("");
  const [orderText, setOrderText] = useState("");
  const [orderNumber, setOrderNumber] = useState("");
  const [error, setError] = useState<Error | null>(null);
  const [replayed, setReplayed] = useState<Set<number>>(new Set());
  const flows = useApi((signal) => flowsApi.list({}, signal).then(rowsOf), []);
  const executions = useApi(
    (signal) =>
      // An order number: the runs that concern that order, in one call (runtime's `?order=<number>`).
      executionsApi
        .list(
          { flow: flowId ?? undefined, status: status || undefined, order: orderNumber || undefined, page_size: 100 },
          signal,
        )
        .then(rowsOf),
    [flowId, status, orderNumber],
  );

  const names = new Map((flows.data ?? []).map((f) => [f.id, f.name]));

  const replay = async (execution: Execution) => {
    try {
      await executionsApi.replay(execution.id);
      setReplayed(new Set([...replayed, execution.id]));
      executions.reload();
    } catch (reason) {
      setError(reason as Error);
    }
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>{t("executions.title")}</h1>
        <div className="toolbar">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              // Numbers are "OF" and digits; "of2612…" typed in lower case finds the same order.
              setOrderNumber(orderText.trim().toUpperCase());
            }}
          >
            <input
              type="search"
              value={orderText}
              onChange={(e) => {
                setOrderText(e.target.value);
                if (!e.target.value.trim()) setOrderNumber("");
              }}
              placeholder={t("executions.searchOrder")}
              aria-label={t("executions.searchOrder")}
              data-testid="executions-order-search"
            />
          </form>
          <select
            value={flowId ?? ""}
            onChange={(e) => navigate(e.target.value ? `/executions?flow=${e.target.value}` : "/executions")}
            aria-label={t("executions.flow")}
          >
            <option value="">
              {t("executions.flow")}: {t("common.all")}
            </option>
            {(flows.data ?? []).map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name}
              </option>
            ))}
          </select>
          <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label={t("executions.status")}>
            <option value="">
              {t("executions.status")}: {t("common.all")}
            </option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as "status.failed")}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={error ?? executions.error} onRetry={executions.reload} />
      {executions.data && executions.data.length === 0 && <Empty />}
      {executions.data && executions.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t("executions.flow")}</th>
              <th>{t("executions.version")}</th>
              <th>{t("orderDetail.order")}</th>
              <th>{t("executions.status")}</th>
              <th>{t("executions.started")}</th>
              <th>{t("executions.steps")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {executions.data.map((execution) => {
              const flow = execution.flow;
              return (
                <tr key={execution.id} data-testid={`execution-row-${execution.id}`}>
                  <td>{execution.id}</td>
                  <td>{names.get(flow) ?? execution.flow_name ?? `#${flow}`}</td>
                  <td>v{execution.flow_version}</td>
                  <td>
                    {execution.order ? (
                      <Link to={`/orders/${execution.order.id}`} data-testid={`execution-order-${execution.id}`}>
                        {execution.order.number ?? `#${execution.order.id}`}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    <StatusBadge status={execution.status} />
                  </td>
                  <td>{formatTime(execution.started_at ?? execution.created_at, language)}</td>
                  <td className="num">{execution.steps.length}</td>
                  <td className="actions">
                    <Link to={`/flows/${flow}?execution=${execution.id}`}>{t("executions.view")}</Link>
                    {execution.status === DEAD && can(FLOW_EDITORS) && (
                      <button
                        type="button"
                        onClick={() => void replay(execution)}
                        disabled={replayed.has(execution.id)}
                      >
                        {replayed.has(execution.id) ? t("executions.replayed") : t("executions.replay")}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
