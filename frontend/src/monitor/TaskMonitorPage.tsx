import { Fragment, useEffect, useState } from "react";
import { api, ApiError } from "../api/client";
import { useAuth } from "../app/auth";
import { useLiveEvent, useLiveUp } from "../app/live";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, translateOr } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import {
  byAttention,
  errorHeadline,
  formatDuration,
  healthCounts,
  jobTitleKey,
  MONITOR_READERS,
  POLL_MS,
  runTone,
  type Health,
  type JobHealth,
  type JobRun,
  type MonitorTasks,
} from "./health";
import "./monitor.css";

const HEALTHS: Health[] = ["failing", "warning", "never_run", "ok"];

function HealthBadge({ health }: { health: Health }) {
  const { t } = useI18n();
  return <span className={`badge monitor-health monitor-health-${health}`}>{t(`monitor.health.${health}`)}</span>;
}

function RunStrip({ runs }: { runs: JobRun[] }) {
  const { t, language } = useI18n();
  // oldest on the left, as a timeline reads
  return (
    <ol className="monitor-strip" aria-label={t("monitor.col.recent")}>
      {[...runs].reverse().map((run) => {
        const label = t("monitor.run.summary", {
          time: formatTime(run.started_at, language),
          outcome: t(run.success ? "monitor.run.ok" : "monitor.run.failed"),
          duration: formatDuration(run.duration_ms),
          volume: run.volume ?? "—",
        });
        return (
          <li key={run.id} className={`monitor-tick monitor-tick-${runTone(run)}`} title={label} aria-label={label} />
        );
      })}
    </ol>
  );
}

function RunsTable({ runs }: { runs: JobRun[] }) {
  const { t, language } = useI18n();
  return (
    <table className="table compact monitor-runs">
      <thead>
        <tr>
          <th>{t("monitor.run.started")}</th>
          <th>{t("monitor.run.outcome")}</th>
          <th>{t("monitor.run.duration")}</th>
          <th>{t("monitor.run.volume")}</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} className={`monitor-run-${runTone(run)}`}>
            <td>{formatTime(run.started_at, language)}</td>
            <td>
              <span className={`badge ${run.success ? "status-succeeded" : "status-failed"}`}>
                {t(run.success ? "monitor.run.ok" : "monitor.run.failed")}
              </span>
              {run.alert_raised && <span className="badge status-failed">{t("monitor.run.alert")}</span>}
              {run.warning && <span className="badge status-pending">{t(`monitor.warning.${run.warning}`)}</span>}
              {!run.success && <div className="monitor-error">{errorHeadline(run.error)}</div>}
            </td>
            <td>{formatDuration(run.duration_ms)}</td>
            <td>{run.volume ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobRow({ job, open, onToggle }: { job: JobHealth; open: boolean; onToggle: () => void }) {
  const { t, language } = useI18n();
  const list = job.func.endsWith("refund_poll_task")
    ? "monitor.job.connectors.refund_poll"
    : "monitor.job.connectors.poll";
  const title = job.connection ? `${t(list)} · ${job.connection.name}` : translateOr(t, jobTitleKey(job.job), job.job);
  return (
    <Fragment>
      <tr className={`monitor-row monitor-row-${job.health}`} data-testid={`monitor-job-${job.job}`}>
        <td>
          <div className="row-title">{title}</div>
          <div className="row-meta muted">
            <code>{job.job}</code> ·{" "}
            {job.scheduled
              ? job.every_minutes
                ? t("monitor.every", { n: job.every_minutes })
                : "—"
              : t("monitor.unscheduled")}
          </div>
        </td>
        <td>
          <HealthBadge health={job.health} />
          {job.warnings.map((warning) => (
            <span key={warning} className="badge status-pending monitor-warning">
              {t(`monitor.warning.${warning}`)}
            </span>
          ))}
        </td>
        <td>{formatTime(job.last_success_at, language)}</td>
        <td className="num">{job.consecutive_successes}</td>
        <td className="num">{formatDuration(job.average_duration_ms)}</td>
        <td className="num">
          <span className={job.failures_24h ? "monitor-bad" : undefined}>{job.failures_24h}</span>
          <span className="muted"> / {t("monitor.runs", { n: job.runs_24h })}</span>
          {job.last_error && (
            <div className="monitor-error" title={job.last_error}>
              {t("monitor.lastError")}: {errorHeadline(job.last_error, 80)}
            </div>
          )}
        </td>
        <td className="num">
          {job.last_volume ?? "—"} / {job.average_volume ?? "—"}
        </td>
        <td>
          <RunStrip runs={job.recent_runs} />
          {job.recent_runs.length > 0 && (
            <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
              {t(open ? "monitor.hideRuns" : "monitor.showRuns")}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="monitor-detail">
          <td colSpan={8}>
            <RunsTable runs={job.recent_runs} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function TaskMonitorPage() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const allowed = can(MONITOR_READERS);
  const live = useLiveUp();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const tasks = useApi<MonitorTasks | null>(
    (signal) => (allowed ? api<MonitorTasks>("monitor/tasks/", { signal }) : Promise.resolve(null)),
    [allowed],
  );
  const { reload } = tasks;
  useEffect(() => {
    if (!allowed) return;
    const timer = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [allowed, reload]);
  // A failed job raises an alert: its live event refreshes the table at once.
  useLiveEvent(["insights.alert"], reload);

  const forbidden = !allowed || (tasks.error instanceof ApiError && tasks.error.status === 403);
  const jobs = byAttention(tasks.data?.jobs ?? []);
  const counts = healthCounts(jobs);
  const toggle = (job: string) => {
    const next = new Set(open);
    if (next.has(job)) next.delete(job);
    else next.add(job);
    setOpen(next);
  };

  return (
    <section className="page monitor-page">
      <div className="page-head">
        <h1>{t("monitor.title")}</h1>
        {!forbidden && (
          <div className="toolbar">
            <span className={`badge ${live ? "status-succeeded" : "status-pending"}`}>
              {live ? t("monitor.live") : t("monitor.polling")}
            </span>
            {tasks.data && (
              <span className="muted">
                {t("monitor.updated", { time: formatTime(tasks.data.generated_at, language) })}
              </span>
            )}
            <button type="button" onClick={reload}>
              {t("monitor.refresh")}
            </button>
          </div>
        )}
      </div>
      {forbidden ? (
        <p className="warn-note">{t("monitor.forbidden")}</p>
      ) : (
        <>
          <p className="muted">{t("monitor.intro")}</p>
          <ErrorNote error={tasks.error} onRetry={reload} />
          {tasks.data && jobs.length === 0 && <Empty>{t("monitor.empty")}</Empty>}
          {jobs.length > 0 && (
            <>
              <ul className="monitor-counts" aria-label={t("monitor.col.health")}>
                {HEALTHS.map((health) => (
                  <li key={health} className={`monitor-count monitor-health-${health}`}>
                    {t(`monitor.health.${health}` as MessageKey)} <strong>{counts[health]}</strong>
                  </li>
                ))}
              </ul>
              <table className="table monitor-table" data-testid="monitor-jobs">
                <thead>
                  <tr>
                    <th>{t("monitor.col.job")}</th>
                    <th>{t("monitor.col.health")}</th>
                    <th>{t("monitor.col.lastSuccess")}</th>
                    <th>{t("monitor.col.consecutive")}</th>
                    <th>{t("monitor.col.duration")}</th>
                    <th>{t("monitor.col.failures")}</th>
                    <th>{t("monitor.col.volume")}</th>
                    <th>{t("monitor.col.recent")}</th>
                  </tr>
                </thead>
                <tbody>
                  {jobs.map((job) => (
                    <JobRow key={job.job} job={job} open={open.has(job.job)} onToggle={() => toggle(job.job)} />
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  );
}
