/** The admins' threshold form: PATCH /api/v1/kpis/thresholds/ with the thresholds that change. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useApi } from "../app/useApi";
import { ErrorNote } from "../components/common";
import type { MessageKey } from "../i18n/messages";
import { kpisApi } from "./api";
import type { Fmt } from "./format";
import { thresholdInput, thresholdPatch } from "./thresholds";
import type { Comparison, Kpi, KpiUnit, Threshold } from "./types";

const SIGNS: Record<Comparison, string> = { lt: "<", lte: "≤", gt: ">", gte: "≥" };

/** What the API said about one field (`details: {"<key>": ["…"]}`), if anything. */
function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || typeof error.details !== "object" || error.details === null) return {};
  const found: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.details as Record<string, unknown>))
    found[key] = Array.isArray(value) ? value.join(" ") : String(value);
  return found;
}

function ThresholdForm({
  rows,
  kpis,
  fmt,
  onSaved,
}: {
  rows: Threshold[];
  kpis: Kpi[];
  fmt: Fmt;
  onSaved: (rows: Threshold[]) => void;
}) {
  const units: Record<string, KpiUnit> = Object.fromEntries(kpis.map((kpi) => [kpi.key, kpi.unit]));
  const titles = Object.fromEntries(kpis.map((kpi) => [kpi.key, fmt.pick(kpi.title, kpi.key)]));
  const editable = rows.filter((row) => row.comparison !== null);
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    Object.fromEntries(editable.map((row) => [row.key, thresholdInput(units[row.key] ?? "count", row.threshold)])),
  );
  const [problems, setProblems] = useState<Record<string, MessageKey>>({});
  const [serverProblems, setServerProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error | null>(null);
  const [note, setNote] = useState<MessageKey | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { patch, errors } = thresholdPatch(editable, units, inputs);
    setProblems(errors);
    setServerProblems({});
    setError(null);
    if (Object.keys(errors).length) return setNote("dash.thresholds.fix");
    if (!Object.keys(patch).length) return setNote("dash.thresholds.unchanged");
    setSaving(true);
    setNote(null);
    try {
      const answer = await kpisApi.saveThresholds(patch);
      setNote("dash.thresholds.saved");
      onSaved(answer);
    } catch (reason) {
      setServerProblems(fieldErrors(reason));
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="dash-thresholds" onSubmit={(event) => void submit(event)} noValidate>
      <p className="field-hint">{fmt.t("dash.thresholds.hint")}</p>
      <div className="threshold-grid">
        {editable.map((row) => {
          const unit = units[row.key] ?? "count";
          const id = `threshold-${row.key}`;
          const problem = problems[row.key] ? fmt.t(problems[row.key]) : serverProblems[row.key];
          return (
            <div key={row.key} className={`field${problem ? " invalid" : ""}`}>
              <label htmlFor={id}>
                {titles[row.key] ?? row.key} ({SIGNS[row.comparison as Comparison]})
              </label>
              <span className="threshold-input">
                <input
                  id={id}
                  inputMode="decimal"
                  value={inputs[row.key] ?? ""}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${id}-error` : undefined}
                  onChange={(event) => setInputs({ ...inputs, [row.key]: event.target.value })}
                />
                {unit === "ratio" ? "%" : unit === "minutes" ? fmt.t("dash.unit.minutesShort") : ""}
              </span>
              {problem && (
                <p id={`${id}-error`} className="field-error">
                  {problem}
                </p>
              )}
            </div>
          );
        })}
      </div>
      {note && <p className={note === "dash.thresholds.saved" ? "ok-note" : "field-hint"}>{fmt.t(note)}</p>}
      <ErrorNote error={error} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={saving}>
          {fmt.t("common.save")}
        </button>
      </div>
    </form>
  );
}

export function ThresholdEditor({ kpis, fmt, onSaved }: { kpis: Kpi[]; fmt: Fmt; onSaved: () => void }) {
  const thresholds = useApi((signal) => kpisApi.thresholds(signal), []);
  return (
    <section className="dash-card" aria-labelledby="dash-thresholds-title">
      <h2 id="dash-thresholds-title">{fmt.t("dash.thresholds.title")}</h2>
      <ErrorNote error={thresholds.error} onRetry={thresholds.reload} />
      {thresholds.loading && !thresholds.data && <p className="loading">{fmt.t("common.loading")}</p>}
      {thresholds.data && (
        <ThresholdForm
          rows={thresholds.data}
          kpis={kpis}
          fmt={fmt}
          onSaved={(rows) => {
            thresholds.setData(rows);
            onSaved();
          }}
        />
      )}
    </section>
  );
}
