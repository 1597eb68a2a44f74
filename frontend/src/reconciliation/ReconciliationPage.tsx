/**
 * `/app/reconciliation`: one day's reconciliation — its totals, each bill source and whether it is
 * complete (or retried hourly until the cut-off, or given up), the uploaded bank / cash-on-delivery
 * statements, differences by category and the list of them, each resolvable with a reason; exports
 * as CSV and Excel. Finance and admins run, upload statements and resolve; managers read (the API
 * checks the same roles).
 */
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useAuth } from "../app/auth";
import { navigate, useLocation } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, translateOr } from "../components/common";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { reconciliationApi, type DayReport, type Difference } from "./api";

type Kind = "bank" | "cod";
import "./reconciliation.css";

export const RECONCILIATION_READERS = ["finance", "admin", "manager"];
export const RECONCILIATION_WORKERS = ["finance", "admin"];

/** Yesterday in Asia/Shanghai as YYYY-MM-DD: the day the 02:00 run reconciles. */
export function yesterdayInShanghai(now: Date = new Date()): string {
  const day = new Date(now.getTime() - 24 * 3600 * 1000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(day);
}

function ResolveForm({ difference, onDone }: { difference: Difference; onDone: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} data-testid={`resolve-${difference.id}`}>
        {t("reconciliation.resolve")}
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await reconciliationApi.resolve(difference.id, reason);
      setOpen(false);
      onDone();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const fieldId = `reason-${difference.id}`;
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor={fieldId}>{t("reconciliation.reason")}</label>
      <input
        id={fieldId}
        value={reason}
        maxLength={500}
        required
        onChange={(event) => setReason(event.target.value)}
        placeholder={t("reconciliation.reasonHint")}
      />
      <button type="submit" disabled={busy || !reason.trim()}>
        {t("reconciliation.confirm")}
      </button>
      <button type="button" className="link" onClick={() => setOpen(false)}>
        {t("reconciliation.cancel")}
      </button>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

export function Report({ report, canWork, onChange }: { report: DayReport; canWork: boolean; onChange: () => void }) {
  const { t, language } = useI18n();
  const gateway = (key: string) => (key ? translateOr(t, `reconciliation.gateway.${key}`, key) : "—");
  const totals = report.totals as Record<string, string | number>;
  return (
    <>
      <section className="recon-cards" aria-label={t("reconciliation.title")}>
        <div className="recon-card">
          <div className="muted">{t("reconciliation.checked")}</div>
          <strong data-testid="recon-checked">{report.checked}</strong>
        </div>
        <div className="recon-card">
          <div className="muted">{t("reconciliation.differing")}</div>
          <strong data-testid="recon-differing">{report.differing}</strong>
        </div>
        <div className="recon-card">
          <div className="muted">{t("reconciliation.open")}</div>
          <strong data-testid="recon-open">{report.open}</strong>
        </div>
        <div className="recon-card">
          <div className="muted">{t("reconciliation.rate")}</div>
          <strong>{report.difference_rate == null ? "—" : `${(report.difference_rate * 100).toFixed(2)}%`}</strong>
        </div>
        <div className="recon-card">
          <div className="muted">{t("reconciliation.billPayments")}</div>
          <strong>
            {String(totals.bill_payments ?? 0)} · ¥{String(totals.bill_payments_amount ?? "0.00")}
          </strong>
        </div>
        <div className="recon-card">
          <div className="muted">{t("reconciliation.billRefunds")}</div>
          <strong>
            {String(totals.bill_refunds ?? 0)} · ¥{String(totals.bill_refunds_amount ?? "0.00")}
          </strong>
        </div>
      </section>
      <p>
        {t(`reconciliation.status.${report.status}` as MessageKey)} · {t("reconciliation.tolerance")} {report.tolerance}
      </p>
      <h2>{t("reconciliation.sources")}</h2>
      <ul data-testid="recon-sources">
        {report.sources.map((source, index) => {
          const state = source.state ?? (source.error ? report.status : "complete");
          return (
            <li key={index} data-testid={`recon-source-${source.gateway}`} data-state={state}>
              {source.error
                ? t("reconciliation.source.failed", { gateway: gateway(source.gateway), error: source.error })
                : t("reconciliation.source.fetched", { gateway: gateway(source.gateway), lines: source.lines })}{" "}
              <span className={`badge recon-state-${state}`}>
                {t(`reconciliation.source.state.${state}` as MessageKey)}
              </span>
              {source.error && report.fetch_attempts > 0 && (
                <span className="muted"> · {t("reconciliation.source.retries", { n: report.fetch_attempts })}</span>
              )}
            </li>
          );
        })}
      </ul>
      <h2>{t("reconciliation.offline")}</h2>
      <ul data-testid="recon-statements">
        {report.statements.length === 0 ? (
          <li className="muted">{t("reconciliation.offline.none")}</li>
        ) : (
          report.statements.map((statement) => (
            <li key={statement.id}>
              {t("reconciliation.offline.statement", {
                kind: t(`reconciliation.kind.${statement.kind}` as MessageKey),
                account: statement.account,
                lines: statement.lines,
                total: statement.credit_total,
                file: statement.file_name,
                who: statement.uploaded_by,
              })}
            </li>
          ))
        )}
      </ul>
      <h2>{t("reconciliation.byCategory")}</h2>
      <ul className="category-counts" data-testid="recon-categories">
        {report.by_category.map((row) => (
          <li key={row.category}>
            {row.label[language]}: {row.count}
          </li>
        ))}
      </ul>
      <h2>{t("reconciliation.differences")}</h2>
      {report.differences.length === 0 ? (
        <Empty>{t("reconciliation.none")}</Empty>
      ) : (
        <table className="table" data-testid="recon-differences">
          <thead>
            <tr>
              <th>{t("reconciliation.col.category")}</th>
              <th>{t("reconciliation.col.order")}</th>
              <th>{t("reconciliation.col.gateway")}</th>
              <th>{t("reconciliation.col.trade")}</th>
              <th>{t("reconciliation.col.expected")}</th>
              <th>{t("reconciliation.col.actual")}</th>
              <th>{t("reconciliation.col.status")}</th>
              <th>{t("reconciliation.col.action")}</th>
            </tr>
          </thead>
          <tbody>
            {report.differences.map((difference) => (
              <tr key={difference.id} data-testid={`difference-${difference.id}`}>
                <td>{difference.category_label[language]}</td>
                <td>{difference.order_number || "—"}</td>
                <td>{gateway(difference.gateway)}</td>
                <td>{difference.out_trade_no || "—"}</td>
                <td>{difference.expected_amount ?? "—"}</td>
                <td>{difference.actual_amount ?? "—"}</td>
                <td>{t(`reconciliation.diff.${difference.status}` as MessageKey)}</td>
                <td>
                  {difference.status === "open" && canWork ? (
                    <ResolveForm difference={difference} onDone={onChange} />
                  ) : difference.resolution ? (
                    t("reconciliation.resolvedBy", { who: difference.resolved_by, reason: difference.resolution })
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The problems of a refused statement, one line each: "Row 3, amount: …". */
export function statementProblems(error: unknown, t: ReturnType<typeof useI18n>["t"]): string[] {
  if (!(error instanceof ApiError)) return [error instanceof Error ? error.message : String(error)];
  const details = (error.details ?? {}) as { errors?: { row: number; column: string; message: string }[] };
  const rows = (details.errors ?? []).map((e) =>
    t("reconciliation.upload.rowError", { row: e.row, column: e.column, message: e.message }),
  );
  const fields = Object.entries(details as Record<string, unknown>)
    .filter(([key]) => key !== "errors")
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(" ") : String(value)}`);
  return [error.message, ...rows, ...fields];
}

export function StatementUpload({ day, onDone }: { day: string; onDone: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<Kind>("bank");
  const [account, setAccount] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setNote(null);
    setProblems([]);
    try {
      const uploaded = await reconciliationApi.uploadStatement(day, kind, account.trim(), file);
      setNote(t(`reconciliation.upload.${uploaded.outcome}` as MessageKey, { lines: uploaded.statement.lines }));
      onDone();
    } catch (error) {
      setProblems(statementProblems(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="recon-upload" onSubmit={(event) => void submit(event)} data-testid="recon-upload">
      <h2>{t("reconciliation.upload.title")}</h2>
      <p className="muted">{t("reconciliation.upload.hint")}</p>
      <label>
        {t("reconciliation.upload.kind")}{" "}
        <select value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
          <option value="bank">{t("reconciliation.kind.bank")}</option>
          <option value="cod">{t("reconciliation.kind.cod")}</option>
        </select>
      </label>{" "}
      <label>
        {t("reconciliation.upload.account")}{" "}
        <input
          value={account}
          maxLength={64}
          required
          data-testid="recon-upload-account"
          onChange={(event) => setAccount(event.target.value)}
        />
      </label>{" "}
      <label>
        {t("reconciliation.upload.file")}{" "}
        <input
          type="file"
          accept=".csv,text/csv"
          required
          data-testid="recon-upload-file"
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
      </label>{" "}
      <button type="submit" disabled={busy || !file || !account.trim()}>
        {busy ? t("reconciliation.upload.busy") : t("reconciliation.upload.submit")}
      </button>
      {note && (
        <p role="status" data-testid="recon-upload-note">
          {note}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="field-error" role="alert" data-testid="recon-upload-errors">
          {problems.map((problem, index) => (
            <li key={index}>{problem}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

export function ReconciliationPage() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const { query } = useLocation();
  const day = query.get("day") || yesterdayInShanghai();
  const [tolerance, setTolerance] = useState("0.50");
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<Error | null>(null);
  const canRead = can(RECONCILIATION_READERS);
  const canWork = can(RECONCILIATION_WORKERS);
  const report = useApi<DayReport | null>(
    (signal) =>
      canRead
        ? reconciliationApi.report(day, signal).catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 404) return null;
            throw error;
          })
        : Promise.resolve(null),
    [day, canRead],
  );
  if (!canRead) return <p className="empty">{t("reconciliation.noAccess")}</p>;

  const run = async () => {
    setRunning(true);
    setRunError(null);
    try {
      await reconciliationApi.run(day, tolerance);
      report.reload();
    } catch (error) {
      setRunError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setRunning(false);
    }
  };
  return (
    <div className="page reconciliation">
      <div className="page-head">
        <div>
          <h1>{t("reconciliation.title")}</h1>
          <p className="muted">{t("reconciliation.intro")}</p>
        </div>
      </div>
      <div className="toolbar">
        <label>
          {t("reconciliation.day")}{" "}
          <input
            type="date"
            value={day}
            data-testid="recon-day"
            onChange={(event) => event.target.value && navigate(`/reconciliation?day=${event.target.value}`)}
          />
        </label>
        {canWork && (
          <>
            <label>
              {t("reconciliation.tolerance")}{" "}
              <input
                type="number"
                min="0"
                step="0.01"
                value={tolerance}
                onChange={(event) => setTolerance(event.target.value)}
              />
            </label>
            <button type="button" onClick={() => void run()} disabled={running} data-testid="recon-run">
              {running ? t("reconciliation.running") : t("reconciliation.run")}
            </button>
          </>
        )}
        {report.data && (
          <>
            <a className="button" href={reconciliationApi.exportUrl(day, "csv", language)} download>
              {t("reconciliation.exportCsv")}
            </a>
            <a className="button" href={reconciliationApi.exportUrl(day, "xlsx", language)} download>
              {t("reconciliation.exportXlsx")}
            </a>
          </>
        )}
      </div>
      <ErrorNote error={runError ?? report.error} onRetry={report.reload} />
      {report.loading && !report.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : report.data ? (
        <Report report={report.data} canWork={canWork} onChange={report.reload} />
      ) : (
        !report.error && <Empty>{t("reconciliation.notRun")}</Empty>
      )}
      {canWork && <StatementUpload day={day} onDone={report.reload} />}
    </div>
  );
}
