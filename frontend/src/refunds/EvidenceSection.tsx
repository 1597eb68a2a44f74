/** A request's evidence images on the detail panel: thumbnails (served by the API to staff), upload, delete while pending. */
import { useState, type ChangeEvent } from "react";
import { formatTime, useI18n } from "../i18n/i18n";
import { refundsApi, type RefundDetail } from "./api";
import { evidenceProblem, refusalText } from "./logic";

const ENDED = ["refunded", "rejected", "cancelled"];
const PENDING = ["requested", "approving"];

export function EvidenceSection({
  refund,
  canUpload,
  onChanged,
}: {
  refund: RefundDetail;
  canUpload: boolean;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  const mayUpload = canUpload && !ENDED.includes(refund.status);
  const mayDelete = canUpload && PENDING.includes(refund.status);

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    if (files.length === 0) return;
    const refused = files.map((f) => evidenceProblem(f)).find((key) => key !== null);
    if (refused) return setProblem(t(refused));
    setBusy(true);
    setProblem("");
    try {
      for (const file of files) await refundsApi.uploadEvidence(refund.id, file);
    } catch (error) {
      setProblem(refusalText(error, t));
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  const remove = async (evidenceId: number) => {
    setBusy(true);
    setProblem("");
    try {
      await refundsApi.deleteEvidence(refund.id, evidenceId);
    } catch (error) {
      setProblem(refusalText(error, t));
    } finally {
      setBusy(false);
      onChanged();
    }
  };

  return (
    <section className="refund-evidence" aria-label={t("refunds.evidence.title")}>
      <h3>{t("refunds.evidence.title")}</h3>
      {refund.evidence.length === 0 ? (
        <p className="muted">{t("refunds.evidence.none")}</p>
      ) : (
        <ul className="refund-evidence-list">
          {refund.evidence.map((image, index) => (
            <li key={image.id}>
              <a href={image.download_url} target="_blank" rel="noreferrer">
                <img
                  src={image.download_url}
                  alt={t("refunds.evidence.image", { n: index + 1 })}
                  width={96}
                  height={96}
                  data-testid="refund-evidence-image"
                />
              </a>
              <small className="muted" title={image.name}>
                {image.name || image.content_type}
              </small>
              {mayDelete && (
                <button type="button" className="link danger" disabled={busy} onClick={() => void remove(image.id)}>
                  {t("refunds.evidence.delete")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayUpload && (
        <label className="field">
          <span>{busy ? t("refunds.evidence.uploading") : t("refunds.evidence.add")}</span>
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp"
            multiple
            disabled={busy}
            onChange={(e) => void upload(e)}
            data-testid="refund-evidence-input"
          />
          <small className="field-hint">{t("refunds.evidence.hint")}</small>
        </label>
      )}
      {problem && (
        <p className="error-note" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}

/** "发送退款链接": makes the customer's filing link for an order, to copy into a message. */
export function FilingLinkButton({ orderId }: { orderId: number }) {
  const { t, language } = useI18n();
  const [link, setLink] = useState<{ url: string; expires_at: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [problem, setProblem] = useState("");
  const make = async () => {
    setProblem("");
    try {
      setLink(await refundsApi.filingLink(orderId));
      setCopied(false);
    } catch (error) {
      setProblem(refusalText(error, t));
    }
  };
  return (
    <span className="stack">
      <span className="toolbar">
        <button type="button" onClick={() => void make()} data-testid="refund-filing-link-make">
          {t("refunds.link.send")}
        </button>
        {link && (
          <>
            <input readOnly value={link.url} aria-label={t("refunds.link.send")} data-testid="refund-filing-link" />
            <button
              type="button"
              className="link"
              onClick={() =>
                void navigator.clipboard
                  ?.writeText(link.url)
                  .then(() => setCopied(true))
                  .catch(() => setCopied(false))
              }
            >
              {copied ? t("refunds.link.copied") : t("refunds.link.copy")}
            </button>
          </>
        )}
      </span>
      <small className="muted">
        {link ? t("refunds.link.expires", { when: formatTime(link.expires_at, language) }) : t("refunds.link.hint")}
      </small>
      {problem && (
        <span className="error-note" role="alert">
          {problem}
        </span>
      )}
    </span>
  );
}
