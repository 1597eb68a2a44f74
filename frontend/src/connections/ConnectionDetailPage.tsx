import { Fragment, useEffect, useMemo, useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import {
  connectionsApi,
  connectorsApi,
  type CheckResult,
  type Connection,
  type Connector,
  type Delivery,
  type DeliveryResult,
  type NotificationLog,
  type PollRun,
} from "../api/connections";
import type { components } from "../api/schema";
import { CONNECTION_ADMINS, useAuth } from "../app/auth";
import { Link, navigate } from "../app/router";
import { useApi } from "../app/useApi";
import { Empty, ErrorNote, StatusBadge, translateOr } from "../components/common";
import { formatTime, useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import {
  ConnectorLogo,
  ConnectorName,
  deliveryErrorAdvice,
  HealthSummary,
  OutcomeBadge,
  orderStatusName,
  pollNowRefusal,
  pollRunText,
} from "./parts";
import { GroupError, SchemaFields } from "./SchemaFields";
import {
  closedSchema,
  fieldErrorText,
  fieldsOf,
  fieldTitle,
  hasErrors,
  serverErrors,
  settingsPayload,
  validateField,
  validateFields,
  valuesFrom,
  type FieldError,
  type FieldErrors,
  type FieldSpec,
  type FieldValues,
} from "./schemaForm";

type Order = components["schemas"]["Order"];

/** The webhook address as the provider must call it: absolute, on this server. */
export function absoluteUrl(path: string): string {
  return typeof window === "undefined" ? path : new URL(path, window.location.origin).href;
}

function WebhookUrl({ path }: { path: string }) {
  const { t } = useI18n();
  const url = absoluteUrl(path);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div className="webhook-url">
      <input readOnly value={url} aria-label={t("detail.webhook")} onFocus={(e) => e.target.select()} />
      <button type="button" onClick={() => void copy()}>
        {t("detail.copy")}
      </button>
      {copied && (
        <span className={copied === "yes" ? "ok-text small" : "danger small"} role="status">
          {copied === "yes" ? t("detail.copied") : t("detail.copyFailed")}
        </span>
      )}
      <p className="field-hint">{t("detail.webhookHint")}</p>
    </div>
  );
}

/** One credential: set or not (its value is never answered) and, for an admin, a way to replace it. */
function CredentialRow({
  connectionId,
  field,
  isSet,
  canManage,
  onSaved,
}: {
  connectionId: number;
  field: FieldSpec;
  isSet: boolean;
  canManage: boolean;
  onSaved: (connection: Connection) => void;
}) {
  const { t, language } = useI18n();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState("");
  const [error, setError] = useState<FieldError | null>(null);
  const [other, setOther] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  const id = `credential-${field.name}`;
  const title = fieldTitle(field, language);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setOther(null);
    // A replacement must say something: an empty value would not change anything.
    const problem = validateField({ ...field, required: true }, value);
    setError(problem);
    if (problem) return;
    try {
      onSaved(await connectionsApi.update(connectionId, { credentials: { [field.name]: value } }));
      setEditing(false);
      setValue("");
      setSaved(true);
    } catch (reason) {
      const found = serverErrors(reason, [field]);
      const mine = found.credentials[field.name];
      if (mine) setError(mine);
      else setOther(found.other.length ? new Error(found.other.join(" ")) : (reason as Error));
    }
  };

  return (
    <li className="credential" data-testid={`credential-${field.name}`}>
      <span className="credential-title">{title}</span>
      <span className={`badge ${isSet ? "health-ok" : ""}`}>{isSet ? t("detail.set") : t("detail.notSet")}</span>
      {saved && !editing && <span className="ok-text small"> {t("detail.saved")}</span>}
      {canManage && !editing && (
        <button
          type="button"
          className="link"
          onClick={() => {
            setEditing(true);
            setSaved(false);
          }}
          aria-label={`${isSet ? t("detail.change") : t("detail.setValue")} ${title}`}
        >
          {isSet ? t("detail.change") : t("detail.setValue")}
        </button>
      )}
      {editing && (
        <form className="inline-form" onSubmit={(e) => void save(e)} noValidate>
          <label htmlFor={id} className="visually-hidden">
            {t("detail.newValue", { field: title })}
          </label>
          <input
            id={id}
            type={field.secret ? "password" : "text"}
            autoComplete={field.secret ? "new-password" : "off"}
            value={value}
            placeholder={field.secret ? "" : (field.example ?? "")}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => {
              setValue(e.target.value);
              setError(null);
            }}
          />
          <button type="submit" className="primary">
            {t("common.save")}
          </button>
          <button
            type="button"
            onClick={() => {
              setEditing(false);
              setValue("");
              setError(null);
            }}
          >
            {t("common.cancel")}
          </button>
          {error && (
            <p className="field-error" id={`${id}-error`} role="alert">
              {fieldErrorText(error, t)}
            </p>
          )}
          <ErrorNote error={other} />
        </form>
      )}
    </li>
  );
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A setting's value as the page shows it: 是/否 for a boolean, 不设置 for null, the number or text. */
export function settingText(value: unknown, t: (key: MessageKey) => string): string {
  if (typeof value === "boolean") return value ? t("common.yes") : t("common.no");
  if (value === null) return t("detail.settingNone");
  if (typeof value === "number") return String(value);
  return text(value);
}

/**
 * The connection's settings: each declared one with its stored value (its default, marked so,
 * when none is stored), and for an admin the same typed form as Add connection, saved by
 * PATCH {settings}. The whole object is replaced: the form sends every declared key with a value,
 * and keeps an undeclared stored key only when the schema takes keys it does not declare.
 */
function SettingsSection({
  connection,
  fields,
  closed,
  canManage,
  onSaved,
}: {
  connection: Connection;
  fields: FieldSpec[];
  /** The schema says `additionalProperties: false`: nothing undeclared may be sent. */
  closed: boolean;
  canManage: boolean;
  onSaved: (connection: Connection) => void;
}) {
  const { t, language } = useI18n();
  const settings = (connection.settings ?? {}) as Record<string, unknown>;
  const [values, setValues] = useState<FieldValues | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [groupError, setGroupError] = useState<FieldError | undefined>(undefined);
  const [other, setOther] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const known = new Set(fields.map((field) => field.name));
  const extra = Object.keys(settings).filter((key) => !known.has(key));

  const edit = () => {
    setValues(valuesFrom(fields, settings));
    setErrors({});
    setGroupError(undefined);
    setOther(null);
    setSaved(false);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!values) return;
    setOther(null);
    setGroupError(undefined);
    const problems = validateFields(fields, values);
    setErrors(problems);
    if (hasErrors(problems)) return;
    setSaving(true);
    try {
      // Keys the schema does not describe (set through the API) are kept where the schema allows them.
      const kept = closed ? {} : Object.fromEntries(extra.map((key) => [key, settings[key]]));
      onSaved(
        await connectionsApi.update(connection.id, { settings: { ...kept, ...settingsPayload(fields, values) } }),
      );
      setValues(null);
      setSaved(true);
    } catch (reason) {
      const found = serverErrors(reason, [], fields);
      setErrors(found.settings);
      setGroupError(found.groups.settings);
      if (!hasErrors(found.settings) && !found.groups.settings)
        setOther(found.other.length ? new Error(found.other.join(" ")) : (reason as Error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby="settings-title" data-testid="settings">
      <h2 id="settings-title">{t("detail.settings")}</h2>
      {fields.length === 0 && extra.length === 0 ? (
        <p className="muted small">{t("detail.noSettings")}</p>
      ) : values ? (
        <form
          className="connection-form"
          onSubmit={(e) => void save(e)}
          noValidate
          aria-label={t("detail.editSettings")}
        >
          <GroupError id="settings-error" error={groupError} />
          <SchemaFields
            idPrefix="settings"
            fields={fields}
            values={values}
            errors={errors}
            onChange={(name, value) => {
              setValues({ ...values, [name]: value });
              setErrors(({ [name]: _dropped, ...rest }) => rest);
            }}
          />
          <ErrorNote error={other} />
          <div className="toolbar">
            <button type="submit" className="primary" disabled={saving}>
              {saving ? t("add.saving") : t("common.save")}
            </button>
            <button type="button" onClick={() => setValues(null)}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      ) : (
        <>
          {saved && (
            <p className="ok-note" role="status">
              {t("detail.settingsSaved")}
            </p>
          )}
          <dl className="facts">
            {fields.map((field) => (
              <Fragment key={field.name}>
                <dt>{fieldTitle(field, language)}</dt>
                <dd data-setting={field.name}>
                  {field.name in settings ? (
                    settingText(settings[field.name], t)
                  ) : field.default !== undefined ? (
                    <span className="muted">
                      {settingText(field.default, t)}
                      {t("detail.settingDefault")}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </dd>
              </Fragment>
            ))}
            {extra.map((key) => (
              <Fragment key={key}>
                <dt>{key}</dt>
                <dd data-setting={key}>{settingText(settings[key], t)}</dd>
              </Fragment>
            ))}
          </dl>
          {canManage && fields.length > 0 && (
            <button type="button" onClick={edit}>
              {t("detail.editSettings")}
            </button>
          )}
        </>
      )}
    </section>
  );
}

/** `financial_status=paid` reads as the provider's field and value. */
function providerStatus(key: string): string {
  const [field, value] = key.split("=", 2);
  return value === undefined ? key : `${field} = ${value}`;
}

function StatusMapTable({ statusMap }: { statusMap: Record<string, string> }) {
  const { t } = useI18n();
  const rows = Object.entries(statusMap);
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="status-map-title">
      <h2 id="status-map-title">{t("statusMap.title")}</h2>
      <table className="table compact" data-testid="status-map">
        <thead>
          <tr>
            <th>{t("statusMap.provider")}</th>
            <th>{t("statusMap.orderflow")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([provider, status]) => (
            <tr key={provider}>
              <td>
                <code>{providerStatus(provider)}</code>
              </td>
              <td>{orderStatusName(t, status)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** An order a delivery created or updated, by its number (fetched when the delivery is opened). */
function OrderRef({ id, outcome }: { id: number; outcome: string }) {
  const { t } = useI18n();
  const order = useApi((signal) => api<Order>(`orders/${id}/`, { signal }), [id]);
  const number = order.data?.number ?? `#${id}`;
  return (
    <li data-testid={`delivery-order-${id}`}>
      {t("deliveries.order", { number, outcome: translateOr(t, `orderOutcome.${outcome}`, outcome) })}
      {order.data && <span className="muted small"> · {orderStatusName(t, order.data.status)}</span>}
    </li>
  );
}

function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** One delivery: what arrived, what became of it, its body on demand, and replay for an admin. */
export function DeliveryRow({
  delivery,
  canManage,
  onReplayed,
}: {
  delivery: Delivery;
  canManage: boolean;
  onReplayed: (replay: Delivery) => void;
}) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const result = (delivery.result ?? {}) as DeliveryResult;
  const replay = async () => {
    setBusy(true);
    setError(null);
    try {
      onReplayed(await connectionsApi.replay(delivery.id));
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <tr data-testid={`delivery-${delivery.id}`}>
        <td>{formatTime(delivery.received_at, language)}</td>
        <td>
          {delivery.topic || "—"}
          {delivery.source === "poll" && <div className="muted small">{t("deliveries.polled")}</div>}
          {delivery.replay_of && (
            <div className="muted small">{t("deliveries.replayOf", { id: delivery.replay_of })}</div>
          )}
        </td>
        <td>
          <OutcomeBadge outcome={delivery.outcome} />
        </td>
        <td>{delivery.verified ? t("deliveries.verifiedYes") : t("deliveries.verifiedNo")}</td>
        <td className="delivery-error">
          {delivery.error ? (
            <>
              {deliveryErrorAdvice(delivery.error).map((key) => (
                <div key={key}>{t(key)}</div>
              ))}
              <div className="muted small">{delivery.error}</div>
            </>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td className="actions">
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? t("deliveries.hide") : t("deliveries.view")}
          </button>
          {canManage && delivery.verified && (
            <button type="button" onClick={() => void replay()} disabled={busy}>
              {t("deliveries.replay")}
            </button>
          )}
        </td>
      </tr>
      {(open || error) && (
        <tr className="delivery-detail">
          <td colSpan={6}>
            <ErrorNote error={error} />
            {open && (
              <>
                {(result.orders ?? []).length > 0 && (
                  <>
                    <h4>{t("deliveries.orders")}</h4>
                    <ul className="plain">
                      {(result.orders ?? []).map((entry) =>
                        entry.order ? (
                          <OrderRef key={entry.external_id} id={entry.order} outcome={entry.outcome} />
                        ) : (
                          <li key={entry.external_id}>
                            {entry.external_id}: {translateOr(t, `orderOutcome.${entry.outcome}`, entry.outcome)}
                            {entry.error && <span className="danger small"> {entry.error}</span>}
                          </li>
                        ),
                      )}
                    </ul>
                  </>
                )}
                <h4>{t("deliveries.body")}</h4>
                <pre className="json body-viewer" data-testid="delivery-body">
                  {prettyBody(delivery.body)}
                </pre>
                <details>
                  <summary>{t("deliveries.headers")}</summary>
                  <pre className="json">{JSON.stringify(delivery.headers ?? {}, null, 2)}</pre>
                </details>
              </>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

/** How long the list keeps asking while a delivery is still being processed. */
const REFRESH_MS = 2000;
const REFRESH_TIMES = 15;

function DeliveriesSection({
  connectionId,
  canManage,
  tick,
}: {
  connectionId: number;
  canManage: boolean;
  tick: number;
}) {
  const { t } = useI18n();
  const deliveries = useApi((signal) => connectionsApi.deliveries(connectionId, signal), [connectionId, tick]);
  const [note, setNote] = useState<string | null>(null);
  const [refreshes, setRefreshes] = useState(0);
  const rows = deliveries.data?.results ?? [];
  const pending = rows.some((row) => row.outcome === "accepted");
  const { reload } = deliveries;
  useEffect(() => {
    if (!pending || refreshes >= REFRESH_TIMES) return;
    const timer = window.setTimeout(() => {
      setRefreshes((n) => n + 1);
      reload();
    }, REFRESH_MS);
    return () => window.clearTimeout(timer);
  }, [pending, refreshes, reload]);

  return (
    <section aria-labelledby="deliveries-title">
      <div className="section-head">
        <h2 id="deliveries-title">{t("deliveries.title")}</h2>
        <button type="button" onClick={deliveries.reload}>
          {t("deliveries.refresh")}
        </button>
      </div>
      {note && (
        <p className="ok-note" role="status">
          {note}
        </p>
      )}
      <ErrorNote error={deliveries.error} onRetry={deliveries.reload} />
      {deliveries.loading && !deliveries.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : rows.length === 0 ? (
        !deliveries.error && <Empty>{t("deliveries.empty")}</Empty>
      ) : (
        <table className="table" data-testid="deliveries">
          <thead>
            <tr>
              <th>{t("deliveries.received")}</th>
              <th>{t("deliveries.topic")}</th>
              <th>{t("deliveries.outcome")}</th>
              <th>{t("deliveries.verified")}</th>
              <th>{t("deliveries.error")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => (
              <DeliveryRow
                key={delivery.id}
                delivery={delivery}
                canManage={canManage}
                onReplayed={(replay) => {
                  setNote(
                    t("deliveries.replayed", { outcome: translateOr(t, `outcome.${replay.outcome}`, replay.outcome) }),
                  );
                  setRefreshes(0);
                  deliveries.reload();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** "Poll now": one poll of the connection at once, its result in words (or why it did not run). */
function PollNow({ connectionId, onPolled }: { connectionId: number; onPolled: () => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PollRun | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const poll = async () => {
    setBusy(true);
    setResult(null);
    setRefused(null);
    setError(null);
    try {
      setResult(await connectionsApi.poll(connectionId));
    } catch (reason) {
      const refusal = pollNowRefusal(reason, t);
      if (refusal) setRefused(refusal);
      else setError(reason as Error);
    } finally {
      setBusy(false);
      onPolled();
    }
  };
  return (
    <div className="poll-now">
      <button type="button" className="primary" onClick={() => void poll()} disabled={busy}>
        {busy ? t("poll.nowBusy") : t("poll.now")}
      </button>
      <p className="field-hint">{t("poll.nowHint")}</p>
      {result && (
        <p
          className={result.status === "failed" ? "error-note" : result.errors ? "warn-note" : "ok-note"}
          role="status"
          data-testid="poll-result"
        >
          {pollRunText(result, t)}
        </p>
      )}
      {refused && (
        <p className="warn-note" role="status" data-testid="poll-result">
          {refused}
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

function PollRunsSection({
  connectionId,
  canManage,
  onPolled,
}: {
  connectionId: number;
  canManage: boolean;
  onPolled: () => void;
}) {
  const { t, language } = useI18n();
  const runs = useApi((signal) => connectionsApi.pollRuns(connectionId, signal), [connectionId]);
  const rows = runs.data?.results ?? [];
  const { reload } = runs;
  return (
    <section aria-labelledby="poll-title">
      <h2 id="poll-title">{t("poll.title")}</h2>
      {canManage && (
        <PollNow
          connectionId={connectionId}
          onPolled={() => {
            reload();
            onPolled();
          }}
        />
      )}
      <ErrorNote error={runs.error} onRetry={runs.reload} />
      {runs.loading && !runs.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : rows.length === 0 ? (
        !runs.error && <Empty>{t("poll.empty")}</Empty>
      ) : (
        <table className="table" data-testid="poll-runs">
          <thead>
            <tr>
              <th>{t("poll.started")}</th>
              <th>{t("poll.stream")}</th>
              <th>{t("poll.finished")}</th>
              <th>{t("poll.status")}</th>
              <th className="num">{t("poll.pages")}</th>
              <th className="num">{t("poll.fetched")}</th>
              <th className="num">{t("poll.created")}</th>
              <th className="num">{t("poll.updated")}</th>
              <th className="num">{t("poll.ignored")}</th>
              <th className="num">{t("poll.errors")}</th>
              <th>{t("poll.error")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((run) => (
              <tr key={run.id} data-testid={`poll-run-${run.id}`}>
                <td>{formatTime(run.started_at, language)}</td>
                <td>{t(run.stream === "refunds" ? "poll.streamRefunds" : "poll.streamOrders")}</td>
                <td>{formatTime(run.finished_at, language)}</td>
                <td>
                  <StatusBadge status={run.status ?? "running"} />
                </td>
                <td className="num">{run.pages ?? 0}</td>
                <td className="num">{run.fetched ?? 0}</td>
                <td className="num">{run.created ?? 0}</td>
                <td className="num">{run.updated ?? 0}</td>
                <td className="num">{run.ignored ?? 0}</td>
                <td className={run.errors ? "num danger" : "num"}>{run.errors ?? 0}</td>
                <td>{run.error || <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The notification log's rows: recipients masked by the server, a given-up message marked. */
export function NotificationsTable({ rows }: { rows: NotificationLog[] }) {
  const { t, language } = useI18n();
  return (
    <table className="table" data-testid="notifications">
      <thead>
        <tr>
          <th>{t("notifications.created")}</th>
          <th>{t("notifications.recipient")}</th>
          <th>{t("notifications.template")}</th>
          <th>{t("notifications.status")}</th>
          <th className="num">{t("notifications.attempts")}</th>
          <th>{t("notifications.nextAttempt")}</th>
          <th>{t("notifications.order")}</th>
          <th>{t("notifications.error")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((log) => {
          const status = log.status ?? "queued";
          return (
            <tr key={log.id} data-testid={`notification-${log.id}`}>
              <td>{formatTime(log.created_at, language)}</td>
              <td>{log.recipient_masked || <span className="muted">—</span>}</td>
              <td>{log.template || <span className="muted">—</span>}</td>
              <td>{translateOr(t, `notificationStatus.${status}`, status)}</td>
              <td className="num">{log.attempts ?? 0}</td>
              <td>{log.next_attempt_at ? formatTime(log.next_attempt_at, language) : "—"}</td>
              <td>{log.order ? <Link to={`/orders/${log.order}`}>#{log.order}</Link> : "—"}</td>
              <td className={status === "dead" ? "danger" : undefined}>
                {log.last_error || <span className="muted">—</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function NotificationsSection({ connectionId }: { connectionId: number }) {
  const { t } = useI18n();
  const logs = useApi((signal) => connectionsApi.notifications(connectionId, signal), [connectionId]);
  const rows = logs.data?.results ?? [];
  return (
    <section aria-labelledby="notifications-title">
      <div className="section-head">
        <h2 id="notifications-title">{t("notifications.title")}</h2>
        <button type="button" onClick={logs.reload}>
          {t("deliveries.refresh")}
        </button>
      </div>
      <ErrorNote error={logs.error} onRetry={logs.reload} />
      {logs.loading && !logs.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : rows.length === 0 ? (
        !logs.error && <Empty>{t("notifications.empty")}</Empty>
      ) : (
        <NotificationsTable rows={rows} />
      )}
    </section>
  );
}

function StockSection({ connectionId }: { connectionId: number }) {
  const { t, language } = useI18n();
  const stock = useApi((signal) => connectionsApi.stock(connectionId, signal), [connectionId]);
  const rows = stock.data?.results ?? [];
  return (
    <section aria-labelledby="stock-title">
      <h2 id="stock-title">{t("stock.title")}</h2>
      <ErrorNote error={stock.error} onRetry={stock.reload} />
      {stock.loading && !stock.data ? (
        <p className="loading">{t("common.loading")}</p>
      ) : rows.length === 0 ? (
        !stock.error && <Empty>{t("stock.empty")}</Empty>
      ) : (
        <table className="table" data-testid="stock-pushes">
          <thead>
            <tr>
              <th>{t("stock.sku")}</th>
              <th className="num">{t("stock.wanted")}</th>
              <th className="num">{t("stock.pushed")}</th>
              <th>{t("stock.pushedAt")}</th>
              <th className="num">{t("stock.pushes")}</th>
              <th className="num">{t("stock.attempts")}</th>
              <th>{t("stock.lastError")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.sku}>
                <td>{row.sku}</td>
                <td className="num">{row.wanted}</td>
                <td className="num">
                  {row.pushed ?? <span className="muted">{t("stock.waiting")}</span>}
                  {row.pushed !== null && row.pushed !== undefined && row.pushed !== row.wanted && (
                    <span className="badge status-pending">{t("stock.waiting")}</span>
                  )}
                </td>
                <td>{formatTime(row.pushed_at, language)}</td>
                <td className="num">{row.pushes ?? 0}</td>
                <td className={row.attempts ? "num danger" : "num"}>{row.attempts ?? 0}</td>
                <td>{row.last_error || <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const MAX_SANDBOX_ORDERS = 20;

/** Why the sandbox sent no orders, in the user's words where the answer's code says. */
function sandboxOrdersError(reason: unknown, t: (key: MessageKey) => string): Error {
  if (!(reason instanceof ApiError)) return reason as Error;
  // No such endpoint on this server (Django's 404 names the path; a missing connection names itself).
  const path = (reason.details as { path?: unknown } | null)?.path;
  if (reason.status === 405 || (reason.status === 404 && path !== undefined))
    return new Error(t("detail.sandboxUnsupported"));
  if (reason.code === "not_a_sandbox") return new Error(t("detail.notASandbox"));
  if (reason.code === "no_simulated_orders") return new Error(t("detail.noSimulatedOrders"));
  return reason;
}

function SandboxOrders({ connectionId, onSent }: { connectionId: number; onSent: () => void }) {
  const { t } = useI18n();
  const [count, setCount] = useState("1");
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const n = Number(count);
  const valid = Number.isInteger(n) && n >= 1 && n <= MAX_SANDBOX_ORDERS;
  const send = async () => {
    if (!valid) return;
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      const answer = await connectionsApi.sandboxOrders(connectionId, n);
      setSent(t("detail.sandboxSent", { n: answer.external_ids.length, ids: answer.external_ids.join("、") }));
      onSent();
    } catch (reason) {
      setError(sandboxOrdersError(reason, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="sandbox-orders">
      <label className="inline">
        {t("detail.sandboxCount")}
        <input
          type="number"
          min={1}
          max={MAX_SANDBOX_ORDERS}
          value={count}
          aria-invalid={valid ? undefined : true}
          onChange={(e) => setCount(e.target.value)}
        />
      </label>
      <button type="button" className="primary" onClick={() => void send()} disabled={busy || !valid}>
        {busy ? t("detail.sandboxSending") : t("detail.sandboxOrders")}
      </button>
      {!valid && <span className="field-error">{t("detail.sandboxCountRange", { max: MAX_SANDBOX_ORDERS })}</span>}
      <p className="field-hint">{t("detail.sandboxHint")}</p>
      {sent && (
        <p className="ok-note" role="status">
          {sent}
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

function TestResult({ result }: { result: CheckResult }) {
  const { t } = useI18n();
  const plain = result.message && result.message !== "ok";
  return (
    <p className={result.ok ? "ok-note" : "error-note"} role="status" data-testid="test-result">
      {result.ok
        ? plain
          ? t("detail.testOkMessage", { message: result.message })
          : t("detail.testOk")
        : t("detail.testFailed", { message: result.message || result.code })}
    </p>
  );
}

/**
 * One connection: what it is, its health, its webhook address, its credentials (set or not, never
 * their values), settings, status table and what it received, fetched and pushed. Only an admin
 * (`canManage`) sees the buttons that change it.
 */
export function ConnectionDetail({
  connection,
  connector,
  canManage,
  onChanged,
  onDeleted,
}: {
  connection: Connection;
  connector: Connector | undefined;
  canManage: boolean;
  onChanged: (connection: Connection) => void;
  onDeleted: () => void;
}) {
  const { t, language } = useI18n();
  const credentialFields = useMemo(
    () => fieldsOf(connector?.credentials_schema, connector?.secret_fields ?? []),
    [connector],
  );
  const settingFields = useMemo(() => fieldsOf(connector?.settings_schema), [connector]);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deliveriesTick, setDeliveriesTick] = useState(0);
  const features = connector?.features ?? [];
  const credentialNames = new Set(connection.credentials_set);
  const unknown = connection.credentials_set.filter((name) => !credentialFields.some((f) => f.name === name));

  const run = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (reason) {
      setError(reason as Error);
    }
  };
  const test = () =>
    run(async () => {
      setTesting(true);
      setResult(null);
      try {
        const answer = await connectionsApi.test(connection.id);
        setResult(answer);
        onChanged(answer.connection);
      } finally {
        setTesting(false);
      }
    });
  /** A poll changes the connection's health: read it again (a failure here changes nothing shown). */
  const refresh = async () => {
    try {
      onChanged(await connectionsApi.get(connection.id));
    } catch {
      /* the page keeps what it shows */
    }
  };
  const toggle = () =>
    run(async () => onChanged(await connectionsApi.update(connection.id, { enabled: !connection.enabled })));
  const remove = () =>
    run(async () => {
      await connectionsApi.remove(connection.id);
      onDeleted();
    });

  return (
    <article className="connection-detail" aria-labelledby="connection-title">
      <p>
        <Link to="/connections">← {t("detail.back")}</Link>
      </p>
      <div className="page-head">
        <h1 id="connection-title" className="connector-title">
          {connector && <ConnectorLogo connector={connector} />}
          {connection.name}
          {connection.sandbox && <span className="badge">{t("conn.sandbox")}</span>}
          {!connection.enabled && <span className="badge">{t("conn.disabled")}</span>}
        </h1>
        {canManage ? (
          <div className="toolbar">
            <button type="button" className="primary" onClick={() => void test()} disabled={testing}>
              {testing ? t("detail.testing") : t("detail.test")}
            </button>
            <button type="button" onClick={() => void toggle()}>
              {connection.enabled ? t("detail.disable") : t("detail.enable")}
            </button>
          </div>
        ) : (
          <p className="muted small">{t("common.readonly")}</p>
        )}
      </div>
      {result && <TestResult result={result} />}
      <ErrorNote error={error} />
      <dl className="facts wide">
        <dt>{t("detail.connector")}</dt>
        <dd>
          {connector ? (
            <ConnectorName connector={connector} />
          ) : (
            t("conn.unknownConnector", { key: connection.connector })
          )}
        </dd>
        <dt>{t("detail.mode")}</dt>
        <dd>{connection.sandbox ? t("detail.modeSandbox") : t("detail.modeLive")}</dd>
        <dt>{t("detail.state")}</dt>
        <dd>{connection.enabled ? t("detail.isEnabled") : t("detail.isDisabled")}</dd>
        <dt>{t("detail.health")}</dt>
        <dd data-testid="connection-health">
          <HealthSummary health={connection.health} />
        </dd>
        <dt>{t("detail.created")}</dt>
        <dd>{formatTime(connection.created_at, language)}</dd>
        {features.includes("webhook") && (
          <>
            <dt>{t("detail.webhook")}</dt>
            <dd>
              <WebhookUrl path={connection.webhook_url} />
            </dd>
          </>
        )}
      </dl>

      {canManage && connection.sandbox && (
        <section aria-labelledby="sandbox-title">
          <h2 id="sandbox-title">{t("detail.sandboxOrders")}</h2>
          <SandboxOrders connectionId={connection.id} onSent={() => setDeliveriesTick((n) => n + 1)} />
        </section>
      )}

      <section aria-labelledby="credentials-title">
        <h2 id="credentials-title">{t("detail.credentials")}</h2>
        <p className="muted small">{t("detail.credentialsHint")}</p>
        <ul className="credentials">
          {credentialFields.map((field) => (
            <CredentialRow
              key={field.name}
              connectionId={connection.id}
              field={field}
              isSet={credentialNames.has(field.name)}
              canManage={canManage}
              onSaved={onChanged}
            />
          ))}
          {unknown.map((name) => (
            <li key={name} className="credential">
              <span className="credential-title">{name}</span>
              <span className="badge health-ok">{t("detail.set")}</span>
            </li>
          ))}
        </ul>
      </section>

      <SettingsSection
        connection={connection}
        fields={settingFields}
        closed={closedSchema(connector?.settings_schema)}
        canManage={canManage}
        onSaved={onChanged}
      />

      {connector && <StatusMapTable statusMap={connector.status_map} />}

      {(features.includes("webhook") || features.includes("refund_polling")) && (
        <DeliveriesSection connectionId={connection.id} canManage={canManage} tick={deliveriesTick} />
      )}
      {features.includes("polling") && (
        <PollRunsSection connectionId={connection.id} canManage={canManage} onPolled={() => void refresh()} />
      )}
      {features.includes("stock_sync") && <StockSection connectionId={connection.id} />}
      {connector?.kind === "notify" && <NotificationsSection connectionId={connection.id} />}

      {canManage && (
        <section className="danger-zone" aria-labelledby="delete-title">
          <h2 id="delete-title">{t("detail.delete")}</h2>
          {confirming ? (
            <div role="alertdialog" aria-labelledby="delete-confirm" className="confirm">
              <p id="delete-confirm">{t("detail.deleteConfirm", { name: connection.name })}</p>
              <div className="toolbar">
                <button type="button" className="danger-button" onClick={() => void remove()}>
                  {t("detail.deleteYes")}
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  {t("common.cancel")}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" className="danger-button" onClick={() => setConfirming(true)}>
              {t("detail.delete")}
            </button>
          )}
        </section>
      )}
    </article>
  );
}

export function ConnectionDetailPage({ id }: { id: number }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const connection = useApi((signal) => connectionsApi.get(id, signal), [id]);
  const connectors = useApi((signal) => connectorsApi.list(signal), []);
  return (
    <section className="page narrow">
      <ErrorNote
        error={connection.error ?? connectors.error}
        onRetry={connection.error ? connection.reload : connectors.reload}
      />
      {connection.data ? (
        <ConnectionDetail
          connection={connection.data}
          connector={connectors.data?.find((item) => item.key === connection.data?.connector)}
          canManage={can(CONNECTION_ADMINS)}
          onChanged={connection.setData}
          onDeleted={() => navigate("/connections")}
        />
      ) : (
        !connection.error && <p className="loading">{t("common.loading")}</p>
      )}
    </section>
  );
}
