/** Bulk actions on the selected orders, and what happened to each: done, unchanged, or why not. */
import { useState, type FormEvent } from "react";
import { useI18n } from "../../i18n/i18n";
import type { BulkAnswer, BulkRequest, OrderStatus } from "./api";
import {
  BULK_ACTIONS,
  bulkErrorKey,
  bulkRequest,
  bulkSummary,
  EMPTY_BULK_FORM,
  type BulkForm,
  type BulkSummary,
} from "./bulk";
import { STATUSES } from "./filters";

export function BulkResults({ summary, onClose }: { summary: BulkSummary; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <div
      className={summary.failed ? "error-note board-bulk-result" : "ok-note board-bulk-result"}
      role="status"
      data-testid="bulk-result"
    >
      <p>
        {t("orders.board.bulk.summary", {
          applied: summary.applied,
          unchanged: summary.unchanged,
          failed: summary.failed,
        })}
      </p>
      {summary.failures.length > 0 && (
        <ul>
          {summary.failures.map((failure) => {
            const key = bulkErrorKey(failure.code);
            return (
              <li key={failure.id}>
                <strong>{failure.number}</strong>: {key ? t(key) : failure.message || failure.code}
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" className="link" onClick={onClose}>
        {t("common.close")}
      </button>
    </div>
  );
}

export function BulkBar({
  selected,
  numbers,
  apply,
  onDone,
  onClear,
}: {
  selected: number[];
  numbers: Map<number, string>;
  apply: (body: BulkRequest) => Promise<BulkAnswer>;
  onDone: () => void;
  onClear: () => void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<BulkForm>(EMPTY_BULK_FORM);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<BulkSummary | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const request = bulkRequest(selected, form);
    if ("error" in request) {
      setError(t(request.error, { max: 500 }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setSummary(bulkSummary(await apply(request.body), numbers));
      onDone();
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {selected.length > 0 && (
        <form className="board-bulk" onSubmit={submit} aria-label={t("orders.board.bulk")}>
          <strong>{t("orders.board.bulk.selected", { count: selected.length })}</strong>
          <label>
            {t("orders.board.bulk.action")}
            <select
              aria-label={t("orders.board.bulk.action")}
              value={form.action}
              onChange={(e) => setForm({ ...form, action: e.target.value as BulkForm["action"] })}
            >
              {BULK_ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {t(`orders.board.bulk.${action}`)}
                </option>
              ))}
            </select>
          </label>
          {(form.action === "tag" || form.action === "untag") && (
            <label>
              {t("orders.board.bulk.tag")}
              <input
                list="board-tags"
                value={form.tag}
                maxLength={32}
                onChange={(e) => setForm({ ...form, tag: e.target.value })}
              />
            </label>
          )}
          {form.action === "transition" && (
            <label>
              {t("orders.board.bulk.to")}
              <select
                aria-label={t("orders.board.bulk.to")}
                value={form.to}
                onChange={(e) => setForm({ ...form, to: e.target.value as OrderStatus | "" })}
              >
                <option value="">—</option>
                {STATUSES.map((status) => (
                  <option key={status} value={status}>
                    {t(`orderStatus.${status}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {(form.action === "hold" || form.action === "transition") && (
            <label>
              {t("orders.board.bulk.reason")}
              <input
                value={form.reason}
                maxLength={200}
                onChange={(e) => setForm({ ...form, reason: e.target.value })}
              />
            </label>
          )}
          {form.action === "release" && (
            <label>
              {t("orders.board.bulk.note")}
              <input value={form.note} maxLength={200} onChange={(e) => setForm({ ...form, note: e.target.value })} />
            </label>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t("orders.board.bulk.applying") : t("orders.board.bulk.apply")}
          </button>
          <button type="button" className="link" onClick={onClear}>
            {t("orders.board.bulk.clear")}
          </button>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
      {summary && <BulkResults summary={summary} onClose={() => setSummary(null)} />}
    </>
  );
}
