/** One refund request: its facts, lines and decisions, and the actions the user's role allows. */
import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Me } from "../api/types";
import { Link } from "../app/router";
import { useApi } from "../app/useApi";
import { ErrorNote } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { refundsApi, type RefundDetail } from "./api";
import { approvalsText, canApprove, FILERS, needsReference, ORDER_WORKERS, refusalText, RETRIERS } from "./logic";
import { EvidenceSection, FilingLinkButton } from "./EvidenceSection";
import { ReturnsSection } from "./ReturnsSection";

function Actions({ refund, me, onChanged }: { refund: RefundDetail; me: Me; onChanged: () => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState("");
  const [reference, setReference] = useState("");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const mayApprove = canApprove(refund, me);
  const mayCancel = ["requested", "approving"].includes(refund.status) && me.roles.some((r) => FILERS.includes(r));
  const mayRetry = refund.status === "failed" && me.roles.some((r) => RETRIERS.includes(r));
  const reference_needed = needsReference(refund);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem("");
    try {
      await action();
      setNote("");
      setReason("");
      setReference("");
      onChanged();
    } catch (error) {
      setProblem(refusalText(error, t));
    } finally {
      setBusy(false);
    }
  };
  const approve = (event: FormEvent) => {
    event.preventDefault();
    if (reference_needed && !reference.trim()) return setProblem(t("refunds.action.referenceNeeded"));
    void run(() => refundsApi.approve(refund.id, note, reference));
  };
  const reject = () => {
    if (!reason.trim()) return setProblem(t("refunds.action.rejectNeedsReason"));
    void run(() => refundsApi.reject(refund.id, reason));
  };

  if (!mayApprove && !mayCancel && !mayRetry) {
    if (refund.status === "approving" && refund.approvals_needed.length > 0)
      return (
        <p className="muted">
          {t("refunds.action.notYours", { role: t(`role.${refund.approvals_needed[0]}` as MessageKey) })}
        </p>
      );
    return null;
  }
  return (
    <section className="refund-actions" aria-label={t("refunds.action.approve")}>
      {mayApprove && (
        <form onSubmit={approve} className="stack">
          <label className="field">
            <span>{t("refunds.action.note")}</span>
            <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
          </label>
          {reference_needed && (
            <label className="field">
              <span>{t("refunds.action.reference")}</span>
              <input value={reference} maxLength={128} onChange={(e) => setReference(e.target.value)} />
              <small className="field-hint">{t("refunds.action.referenceHint")}</small>
            </label>
          )}
          <div className="toolbar">
            <button type="submit" disabled={busy}>
              {t("refunds.action.approve")}
            </button>
          </div>
          <label className="field">
            <span>{t("refunds.action.rejectReason")}</span>
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="toolbar">
            <button type="button" className="danger" disabled={busy} onClick={reject}>
              {t("refunds.action.reject")}
            </button>
          </div>
        </form>
      )}
      <div className="toolbar">
        {mayCancel && (
          <button type="button" disabled={busy} onClick={() => void run(() => refundsApi.cancel(refund.id, ""))}>
            {t("refunds.action.cancel")}
          </button>
        )}
        {mayRetry && (
          <button type="button" disabled={busy} onClick={() => void run(() => refundsApi.retry(refund.id))}>
            {t("refunds.action.retry")}
          </button>
        )}
      </div>
      {problem && (
        <p className="error-note" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}

export function RefundDetailPanel({
  id,
  me,
  version,
  onClose,
  onChanged,
}: {
  id: number;
  me: Me;
  version: number;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t, language } = useI18n();
  const loaded = useApi((signal) => refundsApi.get(id, signal), [id, version]);
  const refund = loaded.data;
  // A request without lines may take back any SKU of its order: the order's lines feed the return form.
  const orderId = refund && refund.lines.length === 0 ? refund.order_id : null;
  const order = useApi(
    (signal) =>
      orderId === null ? Promise.resolve(null) : api<{ lines: { sku: string }[] }>(`orders/${orderId}/`, { signal }),
    [orderId],
  );
  const orderSkus = order.data ? [...new Set(order.data.lines.map((l) => l.sku))] : null;
  return (
    <aside className="detail-pane refund-detail" aria-label={t("refunds.detail.title", { id })}>
      <div className="section-head">
        <h2>{t("refunds.detail.title", { id })}</h2>
        <button type="button" className="link" onClick={onClose}>
          {t("refunds.detail.close")}
        </button>
      </div>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {refund && (
        <>
          <dl className="facts">
            <dt>{t("refunds.detail.order")}</dt>
            <dd>
              <Link to={`/orders/${refund.order_id}`}>{refund.order_number}</Link>
            </dd>
            {refund.ticket_number && (
              <>
                <dt>{t("refunds.detail.ticket")}</dt>
                <dd data-testid="refund-ticket-number">{refund.ticket_number}</dd>
              </>
            )}
            <dt>{t("refunds.col.amount")}</dt>
            <dd>¥{refund.amount}</dd>
            <dt>{t("refunds.col.status")}</dt>
            <dd>
              <span className={`badge refund-status-${refund.status}`}>
                {t(`refunds.status.${refund.status}` as MessageKey)}
              </span>
            </dd>
            <dt>{t("refunds.col.reason")}</dt>
            <dd>{t(`refunds.reason.${refund.reason}` as MessageKey)}</dd>
            <dt>{t("refunds.col.approvals")}</dt>
            <dd>{approvalsText(refund.approvals_needed, t)}</dd>
            <dt>{t("refunds.detail.method")}</dt>
            <dd>{t(`refunds.method.${refund.method}` as MessageKey)}</dd>
            <dt>{t("refunds.detail.queue")}</dt>
            <dd>{queueName(refund.queue, t)}</dd>
            <dt>{t("refunds.detail.requestedBy")}</dt>
            <dd>{refund.requested_by}</dd>
            <dt>{t("refunds.detail.created")}</dt>
            <dd>{formatTime(refund.created_at, language)}</dd>
            {refund.paid_at && (
              <>
                <dt>{t("refunds.detail.paid")}</dt>
                <dd>{formatTime(refund.paid_at, language)}</dd>
              </>
            )}
            {refund.note && (
              <>
                <dt>{t("refunds.detail.note")}</dt>
                <dd>{refund.note}</dd>
              </>
            )}
            {refund.failure && (
              <>
                <dt>{t("refunds.detail.failure")}</dt>
                <dd className="error-note">{refund.failure}</dd>
              </>
            )}
            <dt>{t("refunds.detail.trackingUrl")}</dt>
            <dd>
              <TrackingLink url={refund.tracking_url} />
            </dd>
            {me.roles.some((r) => FILERS.includes(r)) && (
              <>
                <dt>{t("refunds.link.send")}</dt>
                <dd>
                  <FilingLinkButton orderId={refund.order_id} />
                </dd>
              </>
            )}
            {refund.return_tracking_no && (
              <>
                <dt>{t("refunds.detail.returnTracking")}</dt>
                <dd>{refund.return_tracking_no}</dd>
              </>
            )}
          </dl>
          <h3>{t("refunds.detail.lines")}</h3>
          {refund.lines.length === 0 ? (
            <p className="muted">{t("refunds.detail.noLines")}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>{t("refunds.col.sku")}</th>
                  <th className="num">{t("refunds.col.quantity")}</th>
                </tr>
              </thead>
              <tbody>
                {refund.lines.map((line) => (
                  <tr key={line.sku}>
                    <td>{line.sku}</td>
                    <td className="num">{line.quantity}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <EvidenceSection
            refund={refund}
            canUpload={me.roles.some((r) => FILERS.includes(r))}
            onChanged={() => {
              loaded.reload();
              onChanged();
            }}
          />
          <ReturnsSection
            refund={refund}
            skus={refund.lines.length > 0 ? refund.lines.map((l) => l.sku) : (orderSkus ?? [])}
            canRecord={me.roles.some((r) => ORDER_WORKERS.includes(r))}
            onChanged={() => {
              loaded.reload();
              onChanged();
            }}
          />
          <h3>{t("refunds.detail.decisions")}</h3>
          <DecisionList decisions={refund.decisions} />
          <Actions
            refund={refund}
            me={me}
            onChanged={() => {
              loaded.reload();
              onChanged();
            }}
          />
        </>
      )}
    </aside>
  );
}

function TrackingLink({ url }: { url: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <span className="toolbar">
      <a href={url} target="_blank" rel="noreferrer" data-testid="refund-tracking-url">
        {t("refunds.detail.trackingOpen")}
      </a>
      <button
        type="button"
        className="link"
        onClick={() =>
          void navigator.clipboard
            ?.writeText(url)
            .then(() => setCopied(true))
            .catch(() => setCopied(false))
        }
      >
        {copied ? t("refunds.detail.trackingCopied") : t("refunds.detail.trackingCopy")}
      </button>
      <small className="muted">{t("refunds.detail.trackingHint")}</small>
    </span>
  );
}

export function queueName(queue: string, t: (key: MessageKey) => string): string {
  const key = `refunds.queue.${queue}` as MessageKey;
  const text = t(key);
  return text === key ? queue : text;
}

export function DecisionList({ decisions }: { decisions: RefundDetail["decisions"] }) {
  const { t, language } = useI18n();
  if (decisions.length === 0) return <p className="muted">{t("refunds.detail.noDecisions")}</p>;
  return (
    <ol className="refund-decisions">
      {decisions.map((d, index) => (
        <li key={index}>
          <strong>{t(`refunds.decision.${d.kind}` as MessageKey)}</strong>{" "}
          <span className="muted">
            {t("refunds.decision.line", {
              who: d.by,
              role: d.role ? t(`role.${d.role}` as MessageKey) : "—",
              when: formatTime(d.at, language),
              version: d.policy_version,
            })}
          </span>
          {d.note && <p>{d.note}</p>}
        </li>
      ))}
    </ol>
  );
}
