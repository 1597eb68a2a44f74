import type { ReactNode } from "react";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";

export function ErrorNote({ error, onRetry }: { error: Error | null; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div className="error-note" role="alert">
      {t("common.error")}
      {error.message}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  return <span className={`badge status-${status}`}>{translateOr(t, key, status)}</span>;
}

export function translateOr(t: (key: MessageKey) => string, key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <p className="empty">{children ?? t("common.empty")}</p>;
}

export function JsonView({ value }: { value: unknown }) {
  if (value === undefined) return <span className="muted">—</span>;
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
