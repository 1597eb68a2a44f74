import { useEffect, useRef, useState } from "react";
import { rowsOf } from "../api/client";
import { executionsApi, flowsApi } from "../api/flows";
import type { Flow, FlowDocument, FlowRunStats } from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { Link, navigate } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, StatusBadge } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import type { Installation } from "../marketplace/api";
import { UpdateBadge, useTemplateUpdates } from "../marketplace/UpdateNotice";
import { readJsonFile } from "./files";
import { FirstScreen, guidedFlow, markGuided, NewFlowForm } from "./FlowsFirstScreen";

type StatusFilter = "all" | "draft" | "published" | "disabled";

export function flowStatus(flow: Flow): Exclude<StatusFilter, "all"> {
  if (flow.state === "running") return "published";
  if (flow.state === "disabled" || flow.state === "archived") return "disabled";
  if (!flow.current_version) return "draft";
  return flow.enabled ? "published" : "disabled";
}

/** The stats call takes at most this many flow ids (the flow list shows at most as many). */
const STATS_LIMIT = 200;

function FlowRow({
  flow,
  runs,
  update,
  canEdit,
  onToggle,
  onDuplicate,
  onDelete,
}: {
  flow: Flow;
  runs: FlowRunStats | undefined;
  update: Installation | undefined;
  canEdit: boolean;
  onToggle: (flow: Flow) => void;
  onDuplicate: (flow: Flow) => void;
  onDelete: (flow: Flow) => void;
}) {
  const { t, language } = useI18n();
  const status = flowStatus(flow);
  const n = flow.live_version ?? flow.current_version?.number ?? 0;
  return (
    <tr data-testid={`flow-row-${flow.id}`}>
      <td>
        <Link to={`/flows/${flow.id}`} className="flow-name">
          {flow.name || t("flows.untitled")}
        </Link>
        {flow.description && <div className="muted small">{flow.description}</div>}
      </td>
      <td>
        <span className={`badge flow-${status}`}>
          {status === "draft"
            ? t("flows.status.draft")
            : t(status === "published" ? "flows.status.running" : "flows.status.disabled", { n })}
        </span>
        {status !== "draft" && flow.has_unpublished_changes && (
          <span className="muted small"> · {t("flows.status.changes")}</span>
        )}
        <UpdateBadge installation={update} />
      </td>
      <td>
        {runs?.last_run_at ? (
          <Link to={`/executions?flow=${flow.id}`}>
            {formatTime(runs.last_run_at, language)} {runs.last_status && <StatusBadge status={runs.last_status} />}
          </Link>
        ) : (
          <span className="muted">{runs ? t("flows.never") : "—"}</span>
        )}
      </td>
      <td className="num" data-testid={`flow-runs-${flow.id}`}>
        {runs ? runs.runs : "—"}
      </td>
      <td className={runs && runs.failures > 0 ? "danger num" : "num"} data-testid={`flow-failures-${flow.id}`}>
        {runs ? runs.failures : "—"}
      </td>
      <td>
        {status === "draft" ? (
          <span className="muted">—</span>
        ) : canEdit ? (
          <button type="button" className={flow.enabled ? "" : "primary"} onClick={() => onToggle(flow)}>
            {flow.enabled ? t("flows.disable") : t("flows.enable")}
          </button>
        ) : (
          <span>{flow.enabled ? t("common.yes") : t("common.no")}</span>
        )}
      </td>
      {canEdit && (
        <td className="actions">
          <button type="button" onClick={() => onDuplicate(flow)} data-testid={`flow-duplicate-${flow.id}`}>
            {t("flows.duplicate")}
          </button>
          <button
            type="button"
            className="danger-button"
            onClick={() => onDelete(flow)}
            data-testid={`flow-delete-${flow.id}`}
          >
            {t("flows.delete")}
          </button>
        </td>
      )}
    </tr>
  );
}

export function FlowsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const canEdit = can(FLOW_EDITORS);
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState("");
  const [naming, setNaming] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const flows = useApi((signal) => flowsApi.list({ q: query }, signal).then(rowsOf), [query]);
  const updates = useTemplateUpdates();
  // One call for every listed flow's runs, whatever the number of rows.
  const ids = (flows.data ?? []).slice(0, STATS_LIMIT).map((flow) => flow.id);
  const idsKey = ids.join(",");
  const stats = useApi(
    (signal) =>
      (ids.length ? executionsApi.stats(ids, signal) : Promise.resolve(null)).then(
        (answer) => new Map((answer?.flows ?? []).map((row) => [row.flow, row])),
      ),
    [idsKey],
  );

  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(q.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [q]);

  const firstScreen = canEdit && !query && flows.data !== undefined && flows.data.length === 0;
  const rows = (flows.data ?? []).filter((flow) => status === "all" || flowStatus(flow) === status);

  const toggle = async (flow: Flow) => {
    try {
      const updated = await flowsApi.setEnabled(flow.id, !flow.enabled);
      flows.setData((flows.data ?? []).map((f) => (f.id === flow.id ? { ...f, ...updated } : f)));
    } catch (reason) {
      setError(reason as Error);
    }
  };

  const create = async (definition?: FlowDocument, name?: string) => {
    try {
      // A named new flow starts on an event trigger whose event is chosen first (the editor opens on it).
      const flow = await flowsApi.create(
        definition
          ? { definition }
          : name
            ? { definition: { ...guidedFlow(name), trigger: { type: "event", event: "" } } }
            : { name: t("flows.untitled") },
      );
      navigate(`/flows/${flow.id}`);
    } catch (reason) {
      setError(reason as Error);
    }
  };

  const duplicate = async (flow: Flow) => {
    try {
      const copy = await flowsApi.duplicate(flow.id, t("flows.copyOf", { name: flow.name || t("flows.untitled") }));
      flows.setData([copy, ...(flows.data ?? [])]);
    } catch (reason) {
      setError(reason as Error);
    }
  };

  const remove = async (flow: Flow) => {
    if (!window.confirm(t("flows.confirmDelete", { name: flow.name || t("flows.untitled") }))) return;
    try {
      const answer = await flowsApi.remove(flow.id);
      flows.setData((flows.data ?? []).filter((f) => f.id !== flow.id));
      setNotice(answer?.state === "archived" ? t("flows.archived") : t("flows.deleted"));
    } catch (reason) {
      setError(reason as Error);
    }
  };

  /** The guided first flow: paid orders get a note; the editor shows the four steps. */
  const guided = async () => {
    try {
      const flow = await flowsApi.create({ definition: guidedFlow(t("flows.guidedName")) });
      markGuided(flow.id);
      navigate(`/flows/${flow.id}`);
    } catch (reason) {
      setError(reason as Error);
    }
  };

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      await create(await readJsonFile(file));
    } catch {
      setError(new Error(t("flows.importFailed")));
    }
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>{t("flows.title")}</h1>
        <div className="toolbar">
          <input
            type="search"
            placeholder={t("flows.search")}
            aria-label={t("flows.search")}
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value as StatusFilter)}
            aria-label={t("flows.filter.status")}
          >
            <option value="all">{t("common.all")}</option>
            <option value="draft">{t("flows.status.draft")}</option>
            <option value="published">{t("flows.status.published", { n: "N" })}</option>
            <option value="disabled">{t("flows.status.disabled", { n: "N" })}</option>
          </select>
          {canEdit && (
            <>
              <button type="button" onClick={() => fileInput.current?.click()}>
                {t("flows.import")}
              </button>
              <input
                ref={fileInput}
                type="file"
                accept="application/json,.json"
                hidden
                onChange={(e) => void importFile(e.target.files?.[0])}
              />
              <button type="button" className="primary" onClick={() => setNaming(!naming)} aria-expanded={naming}>
                {t("flows.new")}
              </button>
            </>
          )}
        </div>
      </div>
      {naming && !firstScreen && (
        <NewFlowForm onCreate={(name) => void create(undefined, name)} onCancel={() => setNaming(false)} />
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNote
        error={error ?? flows.error ?? stats.error}
        onRetry={stats.error && !flows.error ? stats.reload : flows.reload}
      />
      {flows.loading && !flows.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : firstScreen ? (
        <FirstScreen onCreate={(name) => void create(undefined, name)} onGuided={() => void guided()} />
      ) : rows.length === 0 ? (
        <Empty />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t("flows.col.name")}</th>
              <th>{t("flows.col.status")}</th>
              <th>{t("flows.col.lastRun")}</th>
              <th title={t("flows.col.window")}>{t("flows.col.runs")}</th>
              <th title={t("flows.col.window")}>{t("flows.col.failures")}</th>
              <th>{t("flows.col.enabled")}</th>
              {canEdit && <th>{t("flows.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((flow) => (
              <FlowRow
                key={flow.id}
                flow={flow}
                runs={stats.data?.get(flow.id)}
                update={updates.get(flow.id)}
                canEdit={canEdit}
                onToggle={(f) => void toggle(f)}
                onDuplicate={(f) => void duplicate(f)}
                onDelete={(f) => void remove(f)}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
