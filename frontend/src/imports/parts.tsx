/** The import's progress and outcome in words, its refused rows, and the column-mapping form. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { ColumnMapping, ColumnMappingRequest, ImportCounts, OrderImport } from "../api/imports";
import { isRunning } from "../api/imports";
import { translateOr } from "../components/common";
import { useI18n, type Language } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** One refused row (or the file's or header's problem): its row number (the header is row 1), field, reason. */
export interface RowError {
  row: number | null;
  field: string | null;
  /** "file", "header", "more_errors" or "" for a row. */
  scope: string;
  message: string;
}

/** The import's `errors` (or an upload's 400 details) as a list: rows in order, then the rest. */
export function rowErrors(errors: unknown): RowError[] {
  if (!errors || typeof errors !== "object" || Array.isArray(errors)) return [];
  const list: RowError[] = [];
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    const message = typeof value === "string" ? value : JSON.stringify(value);
    const found = /^rows\[(\d+)\](?:\.(\w+))?$/.exec(key);
    if (found) list.push({ row: Number(found[1]), field: found[2] ?? null, scope: "", message });
    else list.push({ row: null, field: null, scope: key, message });
  }
  return list.sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER));
}

/** An order field's name in the user's language (connectors/imports/mapping.py FIELDS). */
export function fieldName(t: T, field: string): string {
  return translateOr(t, `importField.${field}`, field);
}

// The server's row messages (connectors/imports/mapping.py), each as "<column>: <what is wrong>".
const REASONS: [RegExp, MessageKey][] = [
  [/^required$/, "importReason.required"],
  [/^required: the header of the column holding it$/, "importReason.mappingRequired"],
  [/^longer than (?<n>\d+) characters$/, "importReason.tooLong"],
  [/^holds control characters$/, "importReason.control"],
  [/^unknown status (?<value>.+?); add it to the channel's column mapping.*$/, "importReason.unknownStatus"],
  [/^not a phone number: (?<value>.+)$/, "importReason.phone"],
  [/^not a whole number from 1 to (?<n>\d+): (?<value>.+)$/, "importReason.quantity"],
  [/^not an amount such as 368\.00: (?<value>.+)$/, "importReason.amount"],
  [/^(?<value>.+) differs from row (?<n>\d+) of the same order (?<order>.+)$/, "importReason.differs"],
  [/^order (?<order>.+) has more than (?<n>\d+) lines$/, "importReason.tooManyLines"],
  [/^order (?<order>.+) was not imported: (?<code>\w+): (?<value>.+)$/, "importReason.refused"],
  [/^(?<n>\d+) more error\(s\) not listed$/, "importReason.more"],
];

/** What is wrong with a row, in the user's language; the server's words when they are not known here. */
export function reasonText(t: T, message: string): string {
  const parts = message.split(/; (?!add it)/);
  const texts = parts.map((part) => {
    const colon = part.indexOf(": ");
    for (const candidate of colon >= 0 ? [part, part.slice(colon + 2)] : [part]) {
      for (const [pattern, key] of REASONS) {
        const found = pattern.exec(candidate);
        if (found) {
          const vars: Record<string, string> = { ...(found.groups ?? {}) };
          if (vars.code) vars.code = translateOr(t, `importRefusal.${vars.code}`, vars.code);
          const column = candidate === part ? "" : part.slice(0, colon);
          const text = t(key, vars);
          return column ? `${t("import.column", { column })}${text}` : text;
        }
      }
    }
    return part;
  });
  return texts.join(t("import.reasonJoin"));
}

export function counts(job: Pick<OrderImport, "counts">): ImportCounts {
  const raw = (job.counts ?? {}) as Partial<Record<keyof ImportCounts, number>>;
  return { created: raw.created ?? 0, updated: raw.updated ?? 0, ignored: raw.ignored ?? 0, failed: raw.failed ?? 0 };
}

/** The counts in words: "新建 2 单，更新 0 单 …". */
export function countsText(t: T, job: Pick<OrderImport, "counts">): string {
  return t("import.counts", { ...counts(job) });
}

/** 0 to 100, whole. */
export function percent(job: Pick<OrderImport, "progress" | "status">): number {
  if (job.status === "succeeded") return 100;
  return Math.max(0, Math.min(100, Math.round((job.progress ?? 0) * 100)));
}

export function ImportStatusBadge({ status }: { status: string | undefined }) {
  const { t } = useI18n();
  const value = status ?? "queued";
  return (
    <span className={`badge import-${value}`} data-testid="import-status">
      {translateOr(t, `importStatus.${value}`, value)}
    </span>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      data-testid="import-progress"
    >
      <div className="progress-fill" style={{ width: `${value}%` }} />
      <span className="progress-text">{value} %</span>
    </div>
  );
}

/** The refused rows: row number, field and reason. */
export function RowErrorList({ errors }: { errors: RowError[] }) {
  const { t } = useI18n();
  if (errors.length === 0) return null;
  return (
    <table className="table import-errors" data-testid="import-errors">
      <caption>{t("import.errorsTitle", { n: errors.filter((e) => e.row !== null).length })}</caption>
      <thead>
        <tr>
          <th scope="col">{t("import.row")}</th>
          <th scope="col">{t("import.field")}</th>
          <th scope="col">{t("import.reason")}</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((error, index) => (
          <tr key={index} data-testid={error.row !== null ? `import-error-row-${error.row}` : undefined}>
            <td>
              {error.row !== null
                ? t("import.rowN", { n: error.row })
                : translateOr(t, `importScope.${error.scope}`, error.scope)}
            </td>
            <td>{error.field ? fieldName(t, error.field) : "—"}</td>
            <td>{reasonText(t, error.message)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Why an import failed, in the user's language (its error_code), else the server's message. */
export function failureText(t: T, job: Pick<OrderImport, "error_code" | "message">): string {
  if (!job.error_code) return job.message;
  return translateOr(t, `importFailure.${job.error_code}`, job.message || job.error_code);
}

/** An import as it goes: status, the progress bar, the counts in words, why it failed and every refused row. */
export function ImportOutcome({ job }: { job: OrderImport }) {
  const { t } = useI18n();
  const running = isRunning(job);
  const value = percent(job);
  return (
    <section className="import-outcome" aria-live="polite" data-testid="import-outcome">
      <p>
        <strong>{job.filename}</strong> · {job.channel_name || job.channel} <ImportStatusBadge status={job.status} />
      </p>
      <ProgressBar value={value} label={t("import.progress")} />
      <p className="muted small">
        {running
          ? t(job.phase === "applying" ? "import.applying" : "import.reading", {
              done: job.processed_rows ?? 0,
              total: job.total_rows ?? 0,
            })
          : t("import.rows", { total: job.total_rows ?? 0, orders: job.total_orders ?? 0 })}
      </p>
      {!running && (
        <p className={job.status === "succeeded" ? "ok-note" : undefined} data-testid="import-counts">
          {job.status === "succeeded" ? t("import.succeeded") : ""}
          {countsText(t, job)}
        </p>
      )}
      {job.status === "failed" && (
        <div className="error-note" role="alert">
          {failureText(t, job)}
        </div>
      )}
      <RowErrorList errors={rowErrors(job.errors)} />
    </section>
  );
}

/** A 400's details as dotted keys (`{columns: {sku: [..]}}` → `columns.sku`), each with its text. */
function flatten(value: unknown, prefix: string, into: Record<string, string>): void {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>))
      flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (Array.isArray(value)) {
    into[prefix] = value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join(" ");
  } else {
    into[prefix] = typeof value === "string" ? value : JSON.stringify(value);
  }
}

/** Server problems by order field, from a 400's details (`columns.<field>`, flat or nested); the rest apart. */
export function mappingProblems(reason: unknown): { fields: Record<string, string>; other: string[] } {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  if (reason instanceof ApiError && reason.details && typeof reason.details === "object") {
    const flat: Record<string, string> = {};
    flatten(reason.details, "", flat);
    for (const [key, text] of Object.entries(flat)) {
      const found = /^columns\.(\w+)$/.exec(key);
      if (found) fields[found[1]] = text;
      else other.push(`${key}: ${text}`);
    }
  }
  return { fields, other };
}

function pickName(language: Language, field: { name_zh: string; name_en: string }): string {
  return language === "zh" ? field.name_zh : field.name_en;
}

/** Each order field → the header of the column holding it; saves the channel's mapping, problems on the fields. */
export function MappingForm({
  mapping,
  canEdit,
  onSave,
}: {
  mapping: ColumnMapping;
  canEdit: boolean;
  onSave: (body: ColumnMappingRequest) => Promise<unknown>;
}) {
  const { t, language } = useI18n();
  const [columns, setColumns] = useState<Record<string, string>>(() => ({ ...mapping.columns }));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    try {
      const body: Record<string, string> = {};
      for (const [key, header] of Object.entries(columns)) if (header.trim()) body[key] = header.trim();
      await onSave({ columns: body, statuses: mapping.statuses, time_zone: mapping.time_zone });
      setProblems({});
      setOther([]);
      setSaved(true);
    } catch (reason) {
      const found = mappingProblems(reason);
      setProblems(found.fields);
      setOther(
        found.other.length || Object.keys(found.fields).length
          ? found.other
          : [reason instanceof Error ? reason.message : String(reason)],
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="mapping-form" onSubmit={(event) => void submit(event)} aria-label={t("mapping.title")}>
      <p className="muted small">
        {mapping.saved ? t("mapping.savedBy", { by: mapping.updated_by ?? "—" }) : t("mapping.builtIn")}
      </p>
      <div className="mapping-grid">
        {mapping.order_fields.map((field) => {
          const id = `mapping-${field.key}`;
          const problem = problems[field.key];
          return (
            <div className={`field${problem ? " invalid" : ""}`} key={field.key}>
              <label htmlFor={id}>
                {pickName(language, field)}
                {field.required && <span className="required-mark"> *</span>}
              </label>
              <input
                id={id}
                name={field.key}
                value={columns[field.key] ?? ""}
                placeholder={t("mapping.placeholder")}
                required={field.required}
                readOnly={!canEdit}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${id}-error` : undefined}
                onChange={(event) => setColumns({ ...columns, [field.key]: event.target.value })}
              />
              {problem && (
                <p className="field-error" id={`${id}-error`} role="alert">
                  {reasonText(t, problem)}
                </p>
              )}
            </div>
          );
        })}
      </div>
      {Object.keys(mapping.statuses).length > 0 && (
        <details className="mapping-statuses">
          <summary>{t("mapping.statuses")}</summary>
          <ul>
            {Object.entries(mapping.statuses).map(([word, status]) => (
              <li key={word}>
                {word} → {translateOr(t, `orderStatus.${status}`, status)}
              </li>
            ))}
          </ul>
        </details>
      )}
      {other.length > 0 && (
        <div className="error-note" role="alert">
          {other.join(" ")}
        </div>
      )}
      {saved && <p className="ok-note">{t("mapping.saved")}</p>}
      {canEdit && (
        <button type="submit" className="button primary" disabled={saving}>
          {t("mapping.save")}
        </button>
      )}
    </form>
  );
}
