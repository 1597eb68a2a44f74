/** Goods received back against a request: what came back and where it went, and the form to record a parcel. */
import { useState, type FormEvent } from "react";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { refundsApi, type RefundDetail, type ReturnLine } from "./api";
import { refusalText, returnLinesProblem } from "./logic";

interface Draft {
  sku: string;
  quantity: string;
  condition: ReturnLine["condition"];
}

export function ReturnsSection({
  refund,
  skus,
  canRecord,
  onChanged,
}: {
  refund: RefundDetail;
  skus: string[];
  canRecord: boolean;
  onChanged: () => void;
}) {
  const { t, language } = useI18n();
  const first = skus[0] ?? "";
  const [drafts, setDrafts] = useState<Draft[]>([{ sku: first, quantity: "1", condition: "sellable" }]);
  const [tracking, setTracking] = useState(refund.return_tracking_no);
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const open = !["rejected", "cancelled"].includes(refund.status);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = returnLinesProblem(drafts);
    if (key) return setProblem(t(key));
    setBusy(true);
    setProblem("");
    try {
      await refundsApi.returnReceived(
        refund.id,
        drafts.map((d) => ({ sku: d.sku, quantity: Number(d.quantity), condition: d.condition })),
        tracking.trim(),
      );
      setDrafts([{ sku: first, quantity: "1", condition: "sellable" }]);
      onChanged();
    } catch (error) {
      setProblem(refusalText(error, t));
    } finally {
      setBusy(false);
    }
  };
  const change = (index: number, next: Partial<Draft>) =>
    setDrafts(drafts.map((d, i) => (i === index ? { ...d, ...next } : d)));

  return (
    <section className="refund-returns">
      <h3>{t("refunds.returns.title")}</h3>
      {refund.returns.length === 0 ? (
        <p className="muted">{t("refunds.returns.none")}</p>
      ) : (
        <ul>
          {refund.returns.map((r, index) => (
            <li key={index}>
              {t("refunds.returns.line", {
                sku: r.sku,
                quantity: r.quantity,
                condition: t(`refunds.returns.${r.condition}` as MessageKey),
                disposition:
                  r.disposition === "restocked"
                    ? t("refunds.returns.restocked", { warehouse: r.warehouse })
                    : t("refunds.returns.quarantine"),
              })}{" "}
              <span className="muted">{t("refunds.returns.by", { who: r.by, when: formatTime(r.at, language) })}</span>
            </li>
          ))}
        </ul>
      )}
      {canRecord && open && skus.length > 0 && (
        <details>
          <summary>{t("refunds.returns.record")}</summary>
          <form className="stack" onSubmit={(e) => void submit(e)}>
            {drafts.map((d, index) => (
              <div className="toolbar" key={index}>
                <select
                  value={d.sku}
                  aria-label={t("refunds.returns.sku")}
                  onChange={(e) => change(index, { sku: e.target.value })}
                >
                  {skus.map((sku) => (
                    <option key={sku} value={sku}>
                      {sku}
                    </option>
                  ))}
                </select>
                <input
                  type="number"
                  min={1}
                  value={d.quantity}
                  aria-label={t("refunds.returns.quantity")}
                  onChange={(e) => change(index, { quantity: e.target.value })}
                />
                <select
                  value={d.condition}
                  aria-label={t("refunds.returns.condition")}
                  onChange={(e) => change(index, { condition: e.target.value as Draft["condition"] })}
                >
                  <option value="sellable">{t("refunds.returns.sellable")}</option>
                  <option value="damaged">{t("refunds.returns.damaged")}</option>
                </select>
                {drafts.length > 1 && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => setDrafts(drafts.filter((_, i) => i !== index))}
                  >
                    {t("refunds.returns.removeLine")}
                  </button>
                )}
              </div>
            ))}
            <button
              type="button"
              className="link"
              onClick={() => setDrafts([...drafts, { sku: first, quantity: "1", condition: "damaged" }])}
            >
              {t("refunds.returns.addLine")}
            </button>
            <label className="field">
              <span>{t("refunds.returns.tracking")}</span>
              <input value={tracking} maxLength={64} onChange={(e) => setTracking(e.target.value)} />
            </label>
            <div className="toolbar">
              <button type="submit" disabled={busy}>
                {t("refunds.returns.submit")}
              </button>
            </div>
            {problem && (
              <p className="error-note" role="alert">
                {problem}
              </p>
            )}
          </form>
        </details>
      )}
    </section>
  );
}
