/**
 * The approval policy: amount tiers, special SKUs, a queue per reason, and the trusted customers'
 * direct-refund rule in the flows' visual condition builder. Admins save a new version; others read.
 */
import { useEffect, useState } from "react";
import type { JsonValue } from "../api/types";
import { useApi } from "../app/useApi";
import { ErrorNote } from "../components/common";
import { ConditionBuilder } from "../editor/ConditionBuilder";
import type { Variable } from "../editor/variables";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { refundsApi } from "./api";
import { formToPolicy, policyToForm, REASONS, refusalText, type PolicyForm } from "./logic";

/** What the direct-refund rule may read (commerce.refunds.policy: the customer's record and the refund). */
export const POLICY_VARIABLES: Variable[] = [
  { path: "customer.months", type: "number" },
  { path: "customer.orders", type: "number" },
  { path: "customer.return_rate", type: "number" },
  { path: "customer.disputes", type: "number" },
  { path: "refund.amount", type: "number" },
  { path: "refund.reason", type: "string" },
];
const SAMPLE = {
  customer: { months: 8, orders: 20, return_rate: 0.01, disputes: 0 },
  refund: { amount: 120, reason: "quality" },
};

export function PolicyEditor({ canEdit }: { canEdit: boolean }) {
  const { t, language } = useI18n();
  const loaded = useApi((signal) => refundsApi.policy(signal), []);
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [note, setNote] = useState("");
  const [problems, setProblems] = useState<Record<string, MessageKey>>({});
  const [answer, setAnswer] = useState("");
  const [failure, setFailure] = useState("");
  useEffect(() => {
    if (loaded.data) setForm(policyToForm(loaded.data.document as Record<string, unknown>));
  }, [loaded.data]);

  if (!form || !loaded.data) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  const policy = loaded.data;
  const save = async () => {
    setAnswer("");
    setFailure("");
    const outcome = formToPolicy(form);
    if (outcome.problems) return setProblems(outcome.problems);
    setProblems({});
    try {
      const saved = await refundsApi.savePolicy(outcome.document, note);
      setAnswer(t("refunds.policy.saved", { version: saved.version }));
      setNote("");
      loaded.setData(saved);
    } catch (error) {
      setFailure(refusalText(error, t));
    }
  };
  return (
    <section className="stack refund-policy" aria-label={t("refunds.tab.policy")}>
      <p className="muted">
        {t("refunds.policy.version", {
          version: policy.version,
          by: policy.created_by,
          when: formatTime(policy.created_at, language),
        })}
      </p>
      {!canEdit && <p className="warn-note">{t("refunds.policy.readOnly")}</p>}
      <fieldset className="plain stack" disabled={!canEdit}>
        <label className="field">
          <span>{t("refunds.policy.autoMax")}</span>
          <input value={form.autoMax} onChange={(e) => setForm({ ...form, autoMax: e.target.value })} />
          {problems.autoMax && <small className="field-error">{t(problems.autoMax)}</small>}
        </label>
        <label className="field">
          <span>{t("refunds.policy.supervisorMax")}</span>
          <input value={form.supervisorMax} onChange={(e) => setForm({ ...form, supervisorMax: e.target.value })} />
          {problems.supervisorMax && <small className="field-error">{t(problems.supervisorMax)}</small>}
        </label>
        <label className="field">
          <span>{t("refunds.policy.specialSkus")}</span>
          <textarea
            rows={3}
            value={form.specialSkus}
            onChange={(e) => setForm({ ...form, specialSkus: e.target.value })}
          />
        </label>
        <fieldset className="plain refund-routes">
          <legend>{t("refunds.policy.routes")}</legend>
          {REASONS.map((reason) => (
            <label className="refund-route" key={reason}>
              <span>{t(`refunds.reason.${reason}` as MessageKey)}</span>
              <select
                value={form.routes[reason] ?? "service"}
                onChange={(e) => setForm({ ...form, routes: { ...form.routes, [reason]: e.target.value } })}
              >
                {[...new Set(["service", "warehouse", "finance", form.routes[reason] ?? "service"])].map((queue) => (
                  <option key={queue} value={queue}>
                    {t(`refunds.queue.${queue}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
      </fieldset>
      <div className="field">
        <span>{t("refunds.policy.direct")}</span>
        <small className="field-hint">{t("refunds.policy.directHint")}</small>
        <ConditionBuilder
          rule={(form.directRefund ?? null) as JsonValue}
          onChange={(rule) => setForm({ ...form, directRefund: rule })}
          variables={POLICY_VARIABLES}
          sample={SAMPLE}
          readOnly={!canEdit}
        />
      </div>
      {canEdit && (
        <>
          <label className="field">
            <span>{t("refunds.policy.note")}</span>
            <input value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} />
          </label>
          <div className="toolbar">
            <button type="button" onClick={() => void save()}>
              {t("refunds.policy.save")}
            </button>
          </div>
        </>
      )}
      {failure && (
        <p className="error-note" role="alert">
          {failure}
        </p>
      )}
      {answer && (
        <p className="ok-note" role="status">
          {answer}
        </p>
      )}
    </section>
  );
}
