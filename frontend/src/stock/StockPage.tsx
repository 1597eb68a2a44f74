/**
 * Stock by SKU and warehouse: search and filters, low rows highlighted, adjustments with a reason
 * (stock keepers), the movement ledger of a row, and the CSV import with its progress and its
 * row-numbered errors.
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, ApiError, type Page } from "../api/client";
import type { components } from "../api/schema";
import { useAuth } from "../app/auth";
import { Link } from "../app/router";
import { useApi, usePagedApi } from "../app/useApi";
import { Empty, ErrorNote, translateOr } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import { ProgressBar } from "../imports/parts";
import {
  checkAdjust,
  checkSafety,
  importPercent,
  importRunning,
  isLow,
  stockImportErrors,
  stockReason,
  type AdjustKind,
  type StockImportResult,
  type StockImportStatus,
  type StockRow,
} from "./logic";
import "./stock.css";

type Movement = components["schemas"]["Movement"];
type Warehouse = components["schemas"]["Warehouse"];

/** The roles that may adjust and import stock (core.accounts.roles.STOCK_KEEPERS). */
const STOCK_KEEPERS = ["operator", "supervisor", "admin"];
const POLL_MS = 1000;

function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function AdjustPanel({
  row,
  onDone,
  onSafety,
  onClose,
}: {
  row: StockRow;
  onDone: (row: StockRow) => void;
  onSafety: (row: StockRow) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [kind, setKind] = useState<AdjustKind>("adjustment");
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const check = checkAdjust(row, kind, delta, reason, t);
  const show = (field: string) => (tried || (field === "delta" && delta !== "") ? check.problems[field] : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (Object.keys(check.problems).length) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await api<StockRow>("inventory/adjust/", {
        method: "POST",
        body: { sku: row.sku, warehouse: row.warehouse, delta: Number(delta.trim()), kind, reason: reason.trim() },
      });
      onDone(answer);
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel stock-panel" aria-labelledby="adjust-title" data-testid="adjust-panel">
      <div className="section-head">
        <h2 id="adjust-title">{t("stockPage.adjustTitle", { sku: row.sku, warehouse: row.warehouse_name })}</h2>
        <button type="button" className="link" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
      <form className="stack" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor="adjust-kind">{t("stockPage.kind")}</label>
          <select id="adjust-kind" value={kind} onChange={(e) => setKind(e.target.value as AdjustKind)}>
            <option value="adjustment">{t("stockPage.movement.adjustment")}</option>
            <option value="receipt">{t("stockPage.movement.receipt")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="adjust-delta">{t("stockPage.delta")}</label>
          <input
            id="adjust-delta"
            value={delta}
            inputMode="numeric"
            onChange={(e) => setDelta(e.target.value)}
            aria-invalid={show("delta") ? true : undefined}
          />
          {show("delta") && <p className="field-error">{show("delta")}</p>}
          {check.after && !check.problems.delta && (
            <p className="field-hint" data-testid="adjust-preview">
              {t("stockPage.preview", check.after)}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="adjust-reason">{t("stockPage.reason")}</label>
          <input
            id="adjust-reason"
            value={reason}
            maxLength={200}
            placeholder={t("stockPage.reasonHint")}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={show("reason") ? true : undefined}
          />
          {show("reason") && <p className="field-error">{show("reason")}</p>}
        </div>
        <ErrorNote error={error} />
        <button type="submit" className="button primary" disabled={busy}>
          {t("stockPage.apply")}
        </button>
      </form>
      <SafetyForm row={row} onDone={onSafety} />
    </section>
  );
}

/** Sets the row's safety stock (POST inventory/safety-stock/), with a reason. */
function SafetyForm({ row, onDone }: { row: StockRow; onDone: (row: StockRow) => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState(String(row.safety_stock ?? 0));
  const [reason, setReason] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const check = checkSafety(row, value, reason, t);
  const show = (field: string) => (tried ? check.problems[field] : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (Object.keys(check.problems).length || check.value === null) return;
    setBusy(true);
    setError(null);
    try {
      onDone(
        await api<StockRow>("inventory/safety-stock/", {
          method: "POST",
          body: { sku: row.sku, warehouse: row.warehouse, safety_stock: check.value, reason: reason.trim() },
        }),
      );
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack safety-form" onSubmit={(event) => void submit(event)} noValidate>
      <h3>{t("stockPage.safetyTitle")}</h3>
      <div className="field">
        <label htmlFor="safety-value">{t("stockPage.safetyNew")}</label>
        <input
          id="safety-value"
          value={value}
          inputMode="numeric"
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={show("safety_stock") ? true : undefined}
        />
        {show("safety_stock") && <p className="field-error">{show("safety_stock")}</p>}
        {check.low && <p className="field-hint">{t("stockPage.safetyWillBeLow")}</p>}
      </div>
      <div className="field">
        <label htmlFor="safety-reason">{t("stockPage.safetyReason")}</label>
        <input id="safety-reason" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
        {show("reason") && <p className="field-error">{show("reason")}</p>}
      </div>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        {t("stockPage.safetySave")}
      </button>
    </form>
  );
}

function LedgerPanel({ row, onClose }: { row: StockRow; onClose: () => void }) {
  const { t, language } = useI18n();
  const first = usePagedApi(
    (signal) => api<Page<Movement>>(`inventory/${row.id}/movements/`, { query: { page_size: 100 }, signal }),
    [row.id, row.updated_at],
  );
  const { rows, more } = first;

  return (
    <section className="panel stock-panel" aria-labelledby="ledger-title" data-testid="ledger-panel">
      <div className="section-head">
        <h2 id="ledger-title">{t("stockPage.ledgerTitle", { sku: row.sku, warehouse: row.warehouse_name })}</h2>
        <button type="button" className="link" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
      <ErrorNote error={first.error} onRetry={first.reload} />
      {first.data && rows.length === 0 && <Empty>{t("stockPage.noMovements")}</Empty>}
      {rows.length > 0 && (
        <table className="table" data-testid="ledger">
          <thead>
            <tr>
              <th>{t("stockPage.when")}</th>
              <th>{t("stockPage.kind")}</th>
              <th className="num">{t("stockPage.quantity")}</th>
              <th>{t("stockPage.reason")}</th>
              <th>{t("stockPage.order")}</th>
              <th>{t("stockPage.by")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((movement) => (
              <tr key={movement.id} data-testid="ledger-row">
                <td>{formatTime(movement.created_at, language)}</td>
                <td>{translateOr(t, `stockPage.movement.${movement.kind}`, movement.kind)}</td>
                <td className="num">{movement.quantity > 0 ? `+${movement.quantity}` : movement.quantity}</td>
                <td>{movement.reason || "—"}</td>
                <td>{movement.order_id ? <Link to={`/orders/${movement.order_id}`}>{movement.order}</Link> : "—"}</td>
                <td>{movement.actor_label || movement.actor_kind}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {first.hasMore && (
        <button type="button" onClick={() => void more()}>
          {t("stockPage.more")}
        </button>
      )}
    </section>
  );
}

function ImportErrors({ errors }: { errors: unknown }) {
  const { t } = useI18n();
  const list = stockImportErrors(errors);
  if (list.length === 0) return null;
  return (
    <table className="table import-errors" data-testid="stock-import-errors">
      <thead>
        <tr>
          <th>{t("stockPage.importRowHead")}</th>
          <th>{t("stockPage.importColumn")}</th>
          <th>{t("stockPage.importReason")}</th>
        </tr>
      </thead>
      <tbody>
        {list.map((error, index) => (
          <tr key={index} data-testid={error.row !== null ? `stock-import-error-row-${error.row}` : undefined}>
            <td>
              {error.row !== null
                ? t("stockPage.importRow", { n: error.row })
                : translateOr(t, `stockPage.importScope.${error.scope}`, error.scope)}
            </td>
            <td>{error.column ? translateOr(t, `stockPage.column.${error.column}`, error.column) : "—"}</td>
            <td>{stockReason(t, error.message)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StockImport({ onApplied }: { onApplied: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<StockImportResult | null>(null);
  const [job, setJob] = useState<StockImportStatus | null>(null);
  const [refused, setRefused] = useState<unknown>(null);
  const [error, setError] = useState<Error | null>(null);
  const timer = useRef(0);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const follow = (id: number) => {
    const tick = async () => {
      try {
        const answer = await api<StockImportStatus>(`inventory/imports/${id}/`);
        setJob(answer);
        if (importRunning(answer)) timer.current = window.setTimeout(() => void tick(), POLL_MS);
        else if (answer.status === "applied") onApplied();
      } catch (reason) {
        setError(reason as Error);
        timer.current = window.setTimeout(() => void tick(), POLL_MS * 3);
      }
    };
    void tick();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setResult(null);
    setJob(null);
    setRefused(null);
    setError(null);
    const body = new FormData();
    body.append("file", file);
    try {
      const answer = await api<StockImportResult | StockImportStatus>("inventory/import/", { method: "POST", body });
      if ("filename" in answer) {
        setJob(answer);
        follow(answer.id);
      } else {
        setResult(answer);
        onApplied();
      }
    } catch (reason) {
      if (reason instanceof ApiError && reason.code === "invalid_stock_import") setRefused(reason.details);
      else setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  const counts = result ?? (job?.counts as StockImportResult | null | undefined) ?? null;
  return (
    <section className="panel" aria-labelledby="stock-import-title" data-testid="stock-import">
      <h2 id="stock-import-title">{t("stockPage.import")}</h2>
      <p className="muted small">{t("stockPage.importHint")}</p>
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <input
          type="file"
          accept=".csv,text/csv"
          aria-label={t("stockPage.importFile")}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          data-testid="stock-import-file"
        />
        <button type="submit" className="button primary" disabled={!file || busy}>
          {busy ? t("stockPage.importing") : t("stockPage.importSubmit")}
        </button>
      </form>
      {job && (
        <div className="import-outcome">
          <span className={`badge import-${job.status}`}>
            {translateOr(t, `stockPage.importPhase.${job.status}`, job.status ?? "")}
          </span>
          <ProgressBar value={importPercent(job)} label={t("stockPage.importProgress")} />
          {job.status === "failed" && (
            <p className="error-note" role="alert">
              {t("stockPage.importFailed", { message: job.message })}
            </p>
          )}
          {job.status === "failed" && <ImportErrors errors={job.errors} />}
        </div>
      )}
      {counts && (
        <p className="ok-note" role="status" data-testid="stock-import-done">
          {t("stockPage.importDone", {
            rows: counts.rows,
            created: counts.created,
            changed: counts.changed,
            unchanged: counts.unchanged,
          })}
        </p>
      )}
      {refused !== null && (
        <div role="alert" data-testid="stock-import-refused">
          <p className="error-note">{t("stockPage.importRefused")}</p>
          <ImportErrors errors={refused} />
        </div>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

export function StockPage() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const canKeep = can(STOCK_KEEPERS);
  const [q, setQ] = useState("");
  const search = useDebounced(q);
  const [warehouse, setWarehouse] = useState("");
  const [lowOnly, setLowOnly] = useState(false);
  const [adjusting, setAdjusting] = useState<StockRow | null>(null);
  const [ledger, setLedger] = useState<StockRow | null>(null);
  const [notice, setNotice] = useState("");
  const warehouses = useApi((signal) => api<{ results: Warehouse[] }>("warehouses/", { signal }), []);
  const first = usePagedApi(
    (signal) =>
      api<Page<StockRow>>("inventory/", {
        query: { q: search.trim() || undefined, warehouse: warehouse || undefined, low_stock: lowOnly || undefined },
        signal,
      }),
    [search, warehouse, lowOnly],
  );
  const { rows, changeRows, more } = first;
  const adjusted = (row: StockRow) => {
    changeRows((shown) => shown.map((r) => (r.id === row.id ? row : r)));
    setAdjusting(null);
    setNotice(t("stockPage.adjusted", { sku: row.sku, on_hand: row.on_hand ?? 0, available: row.available }));
    if (ledger?.id === row.id) setLedger(row);
  };
  const safetySet = (row: StockRow) => {
    changeRows((shown) => shown.map((r) => (r.id === row.id ? row : r)));
    setAdjusting(row);
    setNotice(t("stockPage.safetySaved", { sku: row.sku, n: row.safety_stock ?? 0 }));
  };
  const lowCount = rows.filter(isLow).length;

  return (
    <section className="page stock-page" data-testid="stock-page">
      <div className="page-head">
        <div>
          <h1>{t("stockPage.title")}</h1>
          <p className="muted small">{t("stockPage.intro")}</p>
        </div>
        <div className="toolbar">
          <input
            type="search"
            value={q}
            maxLength={64}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t("stockPage.search")}
            aria-label={t("stockPage.search")}
            data-testid="stock-search"
          />
          <select
            value={warehouse}
            onChange={(e) => setWarehouse(e.target.value)}
            aria-label={t("stockPage.warehouse")}
          >
            <option value="">{t("stockPage.allWarehouses")}</option>
            {(warehouses.data?.results ?? []).map((w) => (
              <option key={w.code} value={w.code}>
                {w.name}
              </option>
            ))}
          </select>
          <label className="check">
            <input type="checkbox" checked={lowOnly} onChange={(e) => setLowOnly(e.target.checked)} />{" "}
            {t("stockPage.lowOnly")}
          </label>
        </div>
      </div>
      {!canKeep && <p className="muted small">{t("stockPage.readOnly")}</p>}
      {notice && (
        <p className="ok-note" role="status" data-testid="stock-notice">
          {notice}
        </p>
      )}
      <ErrorNote error={first.error} onRetry={first.reload} />
      <div className={adjusting || ledger ? "stock-layout with-panel" : "stock-layout"}>
        <div>
          {lowCount > 0 && <p className="small danger">{t("stockPage.lowCount", { n: lowCount })}</p>}
          {first.data && rows.length === 0 && <Empty />}
          {rows.length > 0 && (
            <table className="table stock-table" data-testid="stock-table">
              <thead>
                <tr>
                  <th>{t("stockPage.sku")}</th>
                  <th>{t("stockPage.product")}</th>
                  <th>{t("stockPage.warehouse")}</th>
                  <th className="num">{t("stockPage.onHand")}</th>
                  <th className="num">{t("stockPage.reserved")}</th>
                  <th className="num">{t("stockPage.available")}</th>
                  <th className="num">{t("stockPage.safety")}</th>
                  <th>{t("stockPage.updated")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => {
                  const low = isLow(row);
                  return (
                    <tr
                      key={row.id}
                      className={low ? "stock-low" : undefined}
                      data-testid={`stock-row-${row.sku}-${row.warehouse}`}
                      data-low={low ? "true" : "false"}
                    >
                      <td>{row.sku}</td>
                      <td>{row.title ?? <span className="muted">{t("stockPage.unknownProduct")}</span>}</td>
                      <td>{row.warehouse_name}</td>
                      <td className="num">{row.on_hand}</td>
                      <td className="num">{row.reserved}</td>
                      <td className="num" data-testid="stock-available">
                        {row.available}
                        {low && <span className="badge stock-low-badge">{t("stockPage.low")}</span>}
                      </td>
                      <td className="num">{row.safety_stock}</td>
                      <td className="small">{formatTime(row.updated_at, language)}</td>
                      <td className="actions">
                        {canKeep && (
                          <button
                            type="button"
                            onClick={() => {
                              setAdjusting(row);
                              setNotice("");
                            }}
                          >
                            {t("stockPage.adjust")}
                          </button>
                        )}
                        <button type="button" onClick={() => setLedger(row)}>
                          {t("stockPage.ledger")}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {first.hasMore && (
            <button type="button" onClick={() => void more()}>
              {t("stockPage.more")}
            </button>
          )}
        </div>
        <div className="stock-side">
          {adjusting && (
            <AdjustPanel
              key={adjusting.id}
              row={adjusting}
              onDone={adjusted}
              onSafety={safetySet}
              onClose={() => setAdjusting(null)}
            />
          )}
          {ledger && <LedgerPanel key={ledger.id} row={ledger} onClose={() => setLedger(null)} />}
        </div>
      </div>
      {canKeep && <StockImport onApplied={first.reload} />}
    </section>
  );
}
