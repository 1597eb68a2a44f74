/** File a refund for an order: find it by id or number, the amount, the reason in words, lines, a note. */
import { useState, type FormEvent } from "react";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { refundsApi, type OrderBrief, type Refund } from "./api";
import { parseAmount, REASONS, refusalText } from "./logic";
import { FilingLinkButton } from "./EvidenceSection";

export function FileRefundForm({ onFiled }: { onFiled: (refund: Refund) => void }) {
  const { t } = useI18n();
  const [orderText, setOrderText] = useState("");
  const [order, setOrder] = useState<OrderBrief | null>(null);
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState<string>("quality");
  const [note, setNote] = useState("");
  const [returnNeeded, setReturnNeeded] = useState(false);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState("");
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);

  const find = async () => {
    setProblem("");
    setOrder(null);
    try {
      const found = await refundsApi.findOrder(orderText);
      if (!found) setProblem(t("refunds.error.order_not_found"));
      else {
        setOrder(found);
        setQuantities({});
      }
    } catch (error) {
      setProblem(refusalText(error, t));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem("");
    setDone("");
    if (!order) return setProblem(t("refunds.file.needOrder"));
    const money = parseAmount(amount);
    if (money === null) return setProblem(t("refunds.file.badAmount"));
    const lines = Object.entries(quantities)
      .map(([sku, q]) => ({ sku, quantity: Number(q) }))
      .filter((line) => Number.isInteger(line.quantity) && line.quantity > 0);
    setBusy(true);
    try {
      const refund = await refundsApi.file({
        order: order.id,
        amount: money,
        reason,
        note,
        lines,
        return_needed: returnNeeded,
      });
      setDone(t("refunds.file.filed", { id: refund.id, status: t(`refunds.status.${refund.status}` as MessageKey) }));
      onFiled(refund);
    } catch (error) {
      setProblem(refusalText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack refund-file-form" onSubmit={(e) => void submit(e)} aria-label={t("refunds.tab.file")}>
      <label className="field">
        <span>{t("refunds.file.order")}</span>
        <span className="toolbar">
          <input
            value={orderText}
            maxLength={32}
            onChange={(e) => setOrderText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                void find();
              }
            }}
          />
          <button type="button" onClick={() => void find()}>
            {t("refunds.file.find")}
          </button>
        </span>
      </label>
      {order && (
        <p className="ok-note" data-testid="refund-order-found">
          {t("refunds.file.found", { number: order.number, total: order.total_amount })}
        </p>
      )}
      {order && <FilingLinkButton orderId={order.id} />}
      <label className="field">
        <span>{t("refunds.file.amount")}</span>
        <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
      </label>
      <label className="field">
        <span>{t("refunds.file.reason")}</span>
        <select value={reason} onChange={(e) => setReason(e.target.value)}>
          {REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`refunds.reason.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      {order && order.lines.length > 0 && (
        <fieldset className="plain">
          <legend>{t("refunds.file.lines")}</legend>
          {order.lines.map((line) => (
            <label className="inline" key={line.sku}>
              <span>
                {line.sku}
                {line.title ? ` · ${line.title}` : ""} (≤ {line.quantity})
              </span>
              <input
                type="number"
                min={0}
                max={line.quantity}
                value={quantities[line.sku] ?? ""}
                aria-label={`${t("refunds.col.quantity")} ${line.sku}`}
                onChange={(e) => setQuantities({ ...quantities, [line.sku]: e.target.value })}
              />
            </label>
          ))}
        </fieldset>
      )}
      <label className="check">
        <input type="checkbox" checked={returnNeeded} onChange={(e) => setReturnNeeded(e.target.checked)} />{" "}
        {t("refunds.file.returnNeeded")}
      </label>
      <label className="field">
        <span>{t("refunds.file.note")}</span>
        <textarea value={note} maxLength={500} rows={3} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="toolbar">
        <button type="submit" disabled={busy}>
          {t("refunds.file.submit")}
        </button>
      </div>
      {problem && (
        <p className="error-note" role="alert">
          {problem}
        </p>
      )}
      {done && (
        <p className="ok-note" role="status">
          {done}
        </p>
      )}
    </form>
  );
}
