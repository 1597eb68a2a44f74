/** Small pieces the Connections pages share: kinds, features, health and outcomes in words. */
import { ApiError } from "../api/client";
import type { Connection, Connector, PollRun } from "../api/connections";
import { translateOr } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";

/** The catalog's groups, in the order the page shows them (connectors/base.py KINDS). */
export const KINDS = ["platform", "payment", "warehouse", "courier", "notify"] as const;

export const FEATURES = ["webhook", "polling", "refund_polling", "stock_sync"] as const;

/** The connector of a connection, by key. */
export function connectorOf(connectors: Connector[] | undefined, key: string): Connector | undefined {
  return connectors?.find((connector) => connector.key === key);
}

export function ConnectorLogo({ connector, size = 32 }: { connector: Connector; size?: number }) {
  return connector.logo.startsWith("data:") ? (
    <img className="connector-logo" src={connector.logo} alt="" width={size} height={size} />
  ) : (
    <span className="connector-logo letter" aria-hidden="true" style={{ width: size, height: size }}>
      {connector.logo.slice(0, 2)}
    </span>
  );
}

/** The connector's name in the user's language, with the other language's when they differ. */
export function ConnectorName({ connector }: { connector: Connector }) {
  const { language, pick } = useI18n();
  const main = pick(connector.name, connector.key);
  const other = (language === "zh" ? connector.name.en : connector.name.zh) ?? "";
  return (
    <>
      {main}
      {other && other !== main && <span className="muted small"> · {other}</span>}
    </>
  );
}

export function HealthBadge({ health }: { health: Connection["health"] }) {
  const { t } = useI18n();
  return (
    <span className={`badge health-${health.status}`} data-testid="health-badge">
      {t(`health.${health.status}` as MessageKey)}
    </span>
  );
}

/** The health badge with what explains it: the last error and its time, the last success. */
export function HealthSummary({ health, compact = false }: { health: Connection["health"]; compact?: boolean }) {
  const { t, language } = useI18n();
  return (
    <span className="health">
      <HealthBadge health={health} />
      {health.status === "unknown" && !compact && <span className="muted small"> {t("health.unknownHint")}</span>}
      {health.consecutive_failures > 1 && (
        <span className="muted small"> {t("health.failures", { n: health.consecutive_failures })}</span>
      )}
      {health.last_error && (health.status === "failing" || !compact) && (
        <span className="health-error small">
          {" "}
          {t("health.lastError", { time: formatTime(health.last_error_at, language), error: health.last_error })}
        </span>
      )}
      {health.last_success_at && !compact && (
        <span className="muted small">
          {" "}
          {t("health.lastSuccess", { time: formatTime(health.last_success_at, language) })}
        </span>
      )}
    </span>
  );
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const { t } = useI18n();
  return <span className={`badge outcome-${outcome}`}>{translateOr(t, `outcome.${outcome}`, outcome)}</span>;
}

/** An Orderflow order status by its name (已支付, not `paid`). */
export function orderStatusName(t: (key: MessageKey) => string, status: string): string {
  return translateOr(t, `orderStatus.${status}`, status);
}

/** The error codes a delivery's error may carry (connectors and the order centre), each with advice. */
const DELIVERY_ERRORS = [
  "bad_signature",
  "missing_headers",
  "wrong_shop",
  "payload_too_large",
  "malformed_json",
  "malformed_payload",
  "secret_unreadable",
  "insufficient_stock",
  "unknown_sku",
  "unknown_channel",
] as const;

/**
 * What to do about a delivery's error, in the user's language: one piece of advice per known code
 * it names (`bad_signature: …`, `1001: insufficient_stock: …` per failed order), in order.
 */
export function deliveryErrorAdvice(error: string): MessageKey[] {
  const named = new Set(error.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []);
  return DELIVERY_ERRORS.filter((code) => named.has(code)).map((code) => `deliveryError.${code}` as MessageKey);
}

/** What a poll run answered by "Poll now" did, in words: its counts, or why it failed. */
export function pollRunText(
  run: Pick<PollRun, "status" | "fetched" | "created" | "updated" | "ignored" | "errors" | "error">,
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
): string {
  if (run.status === "failed") return t("poll.nowFailed", { error: run.error || "—" });
  if (run.status === "running") return t("poll.nowRunning");
  const counts = {
    fetched: run.fetched ?? 0,
    created: run.created ?? 0,
    updated: run.updated ?? 0,
    ignored: run.ignored ?? 0,
  };
  const done = counts.fetched === 0 ? t("poll.nowNothing") : t("poll.nowDone", counts);
  return run.errors ? `${done}${t("poll.nowErrors", { n: run.errors })}` : done;
}

/** Why "Poll now" did not poll, in words, when the answer says a poll already holds the connection (409). */
export function pollNowRefusal(
  reason: unknown,
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
): string | null {
  return reason instanceof ApiError && reason.code === "poll_running" ? t("poll.nowRunningElsewhere") : null;
}
