/**
 * The anomaly alerts, open or resolved: severity, channel by name, time in the user's zone, the
 * drill-down to the SKUs, couriers or regions driving each, and resolving with a note.
 */
import { useId, useState, type FormEvent } from "react";
import { ApiError, type Page } from "../api/client";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote } from "../components/common";
import { alertsApi } from "./api";
import { drilldownTable } from "./charts";
import { formatInstant, type Fmt } from "./format";
import { TextTableView } from "./tables";
import type { Alert, AlertStatus } from "./types";

/** The first page of a status, reloaded when `version` moves, and the pages "load more" added to it. */
function useAlertPages(status: AlertStatus, version: number) {
  const first = useApi((signal) => alertsApi.list(status, null, signal), [status, version]);
  const [more, setMore] = useState<{ after: Page<Alert>; rows: Alert[]; next: string | null } | null>(null);
  const [moreError, setMoreError] = useState<Error | null>(null);
  // Pages added to an older first page are dropped: the list starts again from the newest alerts.
  const added = more && more.after === first.data ? more : null;
  // An alert raised while paging shifts the pages: keep each alert once.
  const byId = new Map<number, Alert>();
  for (const alert of [...(first.data?.results ?? []), ...(added?.rows ?? [])])
    if (!byId.has(alert.id)) byId.set(alert.id, alert);
  const rows = [...byId.values()];
  const next = added ? added.next : (first.data?.next ?? null);
  const loadMore = async () => {
    if (!next || !first.data) return;
    try {
      const page = await alertsApi.list(status, next);
      setMore({ after: first.data, rows: [...(added?.rows ?? []), ...page.results], next: page.next });
      setMoreError(null);
    } catch (reason) {
      setMoreError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  };
  return { first, rows, next, loadMore, moreError };
}

function ResolveForm({
  alert,
  fmt,
  onDone,
  onCancel,
}: {
  alert: Alert;
  fmt: Fmt;
  onDone: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) return setNoteError(fmt.t("dash.alerts.noteRequired"));
    setBusy(true);
    setNoteError(null);
    setError(null);
    try {
      await alertsApi.resolve(alert.id, note.trim());
      onDone();
    } catch (reason) {
      const details = reason instanceof ApiError ? (reason.details as Record<string, unknown> | null) : null;
      if (reason instanceof ApiError && reason.status === 403) setError(new Error(fmt.t("dash.alerts.forbidden")));
      else if (details && details.note) setNoteError(String(details.note));
      else setError(reason instanceof Error ? reason : new Error(String(reason)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="alert-resolve" onSubmit={(event) => void submit(event)} noValidate>
      <div className={`field${noteError ? " invalid" : ""}`}>
        <label htmlFor={`${id}-note`}>{fmt.t("dash.alerts.note")}</label>
        <textarea
          id={`${id}-note`}
          rows={2}
          value={note}
          placeholder={fmt.t("dash.alerts.noteHint")}
          aria-invalid={noteError ? true : undefined}
          aria-describedby={noteError ? `${id}-error` : undefined}
          onChange={(event) => setNote(event.target.value)}
        />
        {noteError && (
          <p id={`${id}-error`} className="field-error">
            {noteError}
          </p>
        )}
      </div>
      <ErrorNote error={error} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy}>
          {fmt.t("dash.alerts.confirm")}
        </button>
        <button type="button" onClick={onCancel}>
          {fmt.t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

export function AlertItem({
  alert,
  fmt,
  channelName,
  canResolve,
  onResolved,
}: {
  alert: Alert;
  fmt: Fmt;
  channelName: (code: string) => string;
  canResolve: boolean;
  onResolved: () => void;
}) {
  const drillId = useId();
  const [drill, setDrill] = useState(false);
  const [resolving, setResolving] = useState(false);
  return (
    <li className={`alert-item severity-${alert.severity}`} data-alert={alert.id}>
      <div className="alert-head">
        <span className={`badge severity-${alert.severity}`}>{fmt.t(`dash.alerts.severity.${alert.severity}`)}</span>
        <strong>{fmt.pick(alert.title, alert.rule)}</strong>
        <span className="badge">{alert.channel ? channelName(alert.channel) : fmt.t("dash.alerts.allChannels")}</span>
        <time className="muted small" dateTime={alert.raised_at}>
          {fmt.t("dash.alerts.raisedAt", { time: formatInstant(alert.raised_at, fmt.language) })}
        </time>
      </div>
      <p className="alert-message">{fmt.pick(alert.message)}</p>
      {alert.resolved_at && (
        <p className="muted small">
          {fmt.t("dash.alerts.resolvedBy", {
            who: alert.resolved_by ?? "—",
            time: formatInstant(alert.resolved_at, fmt.language),
          })}
        </p>
      )}
      <div className="toolbar">
        {alert.drilldown.length > 0 && (
          <button type="button" aria-expanded={drill} aria-controls={drillId} onClick={() => setDrill(!drill)}>
            {fmt.t("dash.alerts.drilldown")}
          </button>
        )}
        {canResolve && !alert.resolved_at && !resolving && (
          <button type="button" onClick={() => setResolving(true)}>
            {fmt.t("dash.alerts.resolve")}
          </button>
        )}
      </div>
      {drill && (
        <div id={drillId} className="alert-drilldown">
          {alert.drilldown.map((part) => (
            <TextTableView key={part.dimension} table={drilldownTable(part, fmt)} />
          ))}
        </div>
      )}
      {resolving && (
        <ResolveForm
          alert={alert}
          fmt={fmt}
          onCancel={() => setResolving(false)}
          onDone={() => {
            setResolving(false);
            onResolved();
          }}
        />
      )}
    </li>
  );
}

/** One status's alerts; mounted again when the status changes, so the other status's rows never show. */
function AlertList({
  status,
  fmt,
  channelName,
  canResolve,
  version,
}: {
  status: AlertStatus;
  fmt: Fmt;
  channelName: (code: string) => string;
  canResolve: boolean;
  version: number;
}) {
  const [resolvedCount, setResolvedCount] = useState(0);
  const { first, rows, next, loadMore, moreError } = useAlertPages(status, version + resolvedCount);
  return (
    <>
      <ErrorNote error={first.error} onRetry={first.reload} />
      {first.loading && !first.data ? (
        <p className="loading">{fmt.t("common.loading")}</p>
      ) : !rows.length && !first.error ? (
        <Empty>{fmt.t(`dash.alerts.none.${status}`)}</Empty>
      ) : (
        <ul className="alert-list">
          {rows.map((alert) => (
            <AlertItem
              key={alert.id}
              alert={alert}
              fmt={fmt}
              channelName={channelName}
              canResolve={canResolve}
              onResolved={() => setResolvedCount((n) => n + 1)}
            />
          ))}
        </ul>
      )}
      <ErrorNote error={moreError} />
      {next && (
        <button type="button" className="link" onClick={() => void loadMore()}>
          {fmt.t("common.more")}
        </button>
      )}
    </>
  );
}

export function AlertsPanel({
  fmt,
  channelName,
  canResolve,
  version,
}: {
  fmt: Fmt;
  channelName: (code: string) => string;
  canResolve: boolean;
  /** Moves when a live event says alerts changed: the list reloads. */
  version: number;
}) {
  const headingId = useId();
  const [status, setStatus] = useState<AlertStatus>("open");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section className="dash-card dash-alerts" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>{fmt.t("dash.alerts.title")}</h2>
        <div className="segmented" role="group" aria-label={fmt.t("dash.alerts.status")}>
          {(["open", "resolved"] as const).map((value) => (
            <button key={value} type="button" aria-pressed={status === value} onClick={() => setStatus(value)}>
              {fmt.t(`dash.alerts.${value}`)}
            </button>
          ))}
        </div>
      </div>
      <p className="muted small">{fmt.t("dash.alerts.zone", { zone })}</p>
      <AlertList
        key={status}
        status={status}
        fmt={fmt}
        channelName={channelName}
        canResolve={canResolve}
        version={version}
      />
    </section>
  );
}
