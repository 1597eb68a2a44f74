/**
 * The refund board (售后退款): requests in lanes by SLA colour, filters by status, queue and order,
 * the day's summary, a detail panel with the actions the user's role allows, bulk approval within
 * one's role, a form to file a refund, and the approval policy. Refreshes on `refund.*` live events.
 */
import { useEffect, useMemo, useState } from "react";
import { useAuth } from "../app/auth";
import { Link } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { refundsApi, type Refund, type RefundFilters } from "./api";
import { FileRefundForm } from "./FileRefundForm";
import {
  approvalsText,
  bulkApprovable,
  bulkOutcomeText,
  concernsRefunds,
  lanes,
  refusalText,
  STATUSES,
  waitingText,
  type Lane,
} from "./logic";
import { PolicyEditor } from "./PolicyEditor";
import { queueName, RefundDetailPanel } from "./RefundDetailPanel";
import "./refunds.css";

export const LIVE_EVENT = "orderflow:live";
const LIVE_WAIT_MS = 1000;

type Tab = "board" | "file" | "policy";

/** Today in Asia/Shanghai as YYYY-MM-DD (the summary's day). */
export function shanghaiToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Calls `run` on live events whose type `matches`, at most once per `waitMs` (the last one never lost). */
export function listenLive(target: EventTarget, matches: (type: string) => boolean, run: () => void, waitMs: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const listener = (event: Event) => {
    const detail = (event as CustomEvent<{ type?: unknown }>).detail;
    if (!detail || typeof detail.type !== "string" || !matches(detail.type)) return;
    if (timer === null)
      timer = setTimeout(() => {
        timer = null;
        run();
      }, waitMs);
  };
  target.addEventListener(LIVE_EVENT, listener);
  return () => {
    target.removeEventListener(LIVE_EVENT, listener);
    if (timer !== null) clearTimeout(timer);
  };
}

function Summary({ version }: { version: number }) {
  const { t } = useI18n();
  const [date, setDate] = useState(shanghaiToday);
  const loaded = useApi((signal) => refundsApi.summary(date, signal), [date, version]);
  const s = loaded.data;
  return (
    <section className="refund-summary" aria-label={t("refunds.summary.title")}>
      <div className="section-head">
        <h2>{t("refunds.summary.title")}</h2>
        <label>
          {t("refunds.summary.date")}{" "}
          <input type="date" value={date} onChange={(e) => e.target.value && setDate(e.target.value)} />
        </label>
      </div>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {s && (
        <dl className="refund-summary-figures" data-testid="refund-summary">
          <div>
            <dt>{t("refunds.summary.requested")}</dt>
            <dd>{t("refunds.summary.count", { n: s.requested, amount: s.requested_amount })}</dd>
          </div>
          <div>
            <dt>{t("refunds.summary.refunded")}</dt>
            <dd>{t("refunds.summary.count", { n: s.refunded, amount: s.refunded_amount })}</dd>
          </div>
          <div>
            <dt>{t("refunds.summary.rejected")}</dt>
            <dd>{s.rejected}</dd>
          </div>
          <div>
            <dt>{t("refunds.summary.pending")}</dt>
            <dd>{s.pending}</dd>
          </div>
          <div>
            <dt>{t("refunds.summary.average")}</dt>
            <dd>
              {s.average_hours_to_refund === null ? "—" : t("refunds.summary.hours", { h: s.average_hours_to_refund })}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function Filters({ value, onChange }: { value: RefundFilters; onChange: (next: RefundFilters) => void }) {
  const { t } = useI18n();
  const [order, setOrder] = useState(value.order ?? "");
  return (
    <form
      className="toolbar refund-filters"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ ...value, order: /^\d+$/.test(order.trim()) ? order.trim() : undefined });
      }}
    >
      <label>
        {t("refunds.filter.status")}{" "}
        <select
          value={value.status ?? ""}
          onChange={(e) => onChange({ ...value, status: e.target.value || undefined })}
        >
          <option value="">{t("common.all")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`refunds.status.${s}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("refunds.filter.queue")}{" "}
        <select value={value.queue ?? ""} onChange={(e) => onChange({ ...value, queue: e.target.value || undefined })}>
          <option value="">{t("common.all")}</option>
          {["service", "warehouse", "finance"].map((q) => (
            <option key={q} value={q}>
              {queueName(q, t)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("refunds.filter.order")}{" "}
        <input value={order} inputMode="numeric" size={8} onChange={(e) => setOrder(e.target.value)} />
      </label>
      <button type="submit">{t("refunds.filter.apply")}</button>
      <button
        type="button"
        className="link"
        onClick={() => {
          setOrder("");
          onChange({});
        }}
      >
        {t("refunds.filter.clear")}
      </button>
    </form>
  );
}

function LaneTable({
  lane,
  refunds,
  selected,
  onSelect,
  checked,
  onCheck,
  checkable,
}: {
  lane: Lane;
  refunds: Refund[];
  selected: number | null;
  onSelect: (id: number) => void;
  checked: Set<number>;
  onCheck: (id: number, on: boolean) => void;
  checkable: Set<number>;
}) {
  const { t } = useI18n();
  const now = Date.now();
  return (
    <section className={`refund-lane lane-${lane}`} aria-label={t(`refunds.lane.${lane}` as MessageKey)}>
      <h3>
        <span className={`sla-dot sla-${lane}`} aria-hidden="true" /> {t(`refunds.lane.${lane}` as MessageKey)} (
        {refunds.length})
      </h3>
      <table className="table">
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">{t("refunds.col.select")}</span>
            </th>
            <th>{t("refunds.col.id")}</th>
            <th>{t("refunds.col.order")}</th>
            <th>{t("refunds.col.ticket")}</th>
            <th className="num">{t("refunds.col.amount")}</th>
            <th>{t("refunds.col.reason")}</th>
            <th>{t("refunds.col.status")}</th>
            <th>{t("refunds.col.approvals")}</th>
            <th>{t("refunds.col.waiting")}</th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((r) => (
            <tr key={r.id} className={selected === r.id ? "selected" : undefined} data-testid={`refund-row-${r.id}`}>
              <td>
                {checkable.has(r.id) && (
                  <input
                    type="checkbox"
                    checked={checked.has(r.id)}
                    aria-label={`${t("refunds.col.select")} #${r.id}`}
                    onChange={(e) => onCheck(r.id, e.target.checked)}
                  />
                )}
              </td>
              <td>
                <button type="button" className="link" onClick={() => onSelect(r.id)}>
                  #{r.id}
                </button>
              </td>
              <td>
                <Link to={`/orders/${r.order_id}`}>{r.order_number}</Link>
              </td>
              <td className="muted">{r.ticket_number || "—"}</td>
              <td className="num">¥{r.amount}</td>
              <td>{t(`refunds.reason.${r.reason}` as MessageKey)}</td>
              <td>
                <span className={`badge refund-status-${r.status}`}>
                  {t(`refunds.status.${r.status}` as MessageKey)}
                </span>
              </td>
              <td>{approvalsText(r.approvals_needed, t)}</td>
              <td>
                {r.sla && (
                  <span className={`sla-dot sla-${r.sla}`} aria-label={t(`refunds.sla.${r.sla}` as MessageKey)} />
                )}{" "}
                {waitingText(r, now, t)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RefundsPage() {
  const { t } = useI18n();
  const { me, can } = useAuth();
  const [tab, setTab] = useState<Tab>("board");
  const [filters, setFilters] = useState<RefundFilters>({});
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [checked, setChecked] = useState<Set<number>>(new Set());
  const [bulkNote, setBulkNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [bulkOutcome, setBulkOutcome] = useState("");
  const loaded = useApi(() => refundsApi.list(filters), [filters, version]);
  const refunds = useMemo(() => loaded.data ?? [], [loaded.data]);
  const grouped = useMemo(() => lanes(refunds), [refunds]);
  const approvable = useMemo(() => new Set(me ? bulkApprovable(refunds, me).map((r) => r.id) : []), [refunds, me]);
  const chosen = [...checked].filter((id) => approvable.has(id));

  useEffect(() => listenLive(window, concernsRefunds, () => setVersion((v) => v + 1), LIVE_WAIT_MS), []);

  if (!me) return null;
  const bulkApprove = async () => {
    setBusy(true);
    try {
      const answer = await refundsApi.bulkApprove(chosen, bulkNote);
      setBulkOutcome(bulkOutcomeText(answer.results, t));
      setChecked(new Set());
      setBulkNote("");
    } catch (error) {
      setBulkOutcome(refusalText(error, t));
    } finally {
      setBusy(false);
      setVersion((v) => v + 1);
    }
  };

  return (
    <div className="page refunds-page">
      <div className="page-head">
        <div>
          <h1>{t("refunds.title")}</h1>
          <p className="muted">{t("refunds.intro")}</p>
        </div>
        <div className="toolbar" role="tablist">
          {(["board", "file", "policy"] as Tab[]).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={tab === name}
              className={tab === name ? "active" : undefined}
              onClick={() => setTab(name)}
            >
              {t(`refunds.tab.${name}` as MessageKey)}
            </button>
          ))}
        </div>
      </div>
      {tab === "file" && (
        <FileRefundForm
          onFiled={(refund) => {
            setVersion((v) => v + 1);
            setSelected(refund.id);
          }}
        />
      )}
      {tab === "policy" && <PolicyEditor canEdit={can(["admin"])} />}
      {tab === "board" && (
        <>
          <Summary version={version} />
          <Filters value={filters} onChange={setFilters} />
          {approvable.size > 0 && (
            <div className="toolbar refund-bulk">
              <input
                value={bulkNote}
                maxLength={500}
                placeholder={t("refunds.action.note")}
                aria-label={t("refunds.action.note")}
                onChange={(e) => setBulkNote(e.target.value)}
              />
              <button type="button" disabled={busy || chosen.length === 0} onClick={() => void bulkApprove()}>
                {t("refunds.bulk.approve", { n: chosen.length })}
              </button>
              <small className="muted">{t("refunds.bulk.hint")}</small>
            </div>
          )}
          {bulkOutcome && (
            <p className="warn-note" role="alert">
              {bulkOutcome}
            </p>
          )}
          <ErrorNote error={loaded.error} onRetry={loaded.reload} />
          <div className={selected ? "split" : undefined}>
            <div className="list-pane">
              {!loaded.loading && grouped.length === 0 && <Empty>{t("refunds.empty")}</Empty>}
              {grouped.map((group) => (
                <LaneTable
                  key={group.lane}
                  lane={group.lane}
                  refunds={group.refunds}
                  selected={selected}
                  onSelect={setSelected}
                  checked={checked}
                  checkable={approvable}
                  onCheck={(id, on) => {
                    const next = new Set(checked);
                    if (on) next.add(id);
                    else next.delete(id);
                    setChecked(next);
                  }}
                />
              ))}
            </div>
            {selected !== null && (
              <RefundDetailPanel
                key={selected}
                id={selected}
                me={me}
                version={version}
                onClose={() => setSelected(null)}
                onChanged={() => setVersion((v) => v + 1)}
              />
            )}
          </div>
        </>
      )}
    </div>
  );
}
