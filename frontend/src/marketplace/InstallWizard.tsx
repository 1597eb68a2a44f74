/** Install a template in four short steps: connections → parameters (with pickers) → optional test run → publish. */
import { useEffect, useMemo, useState } from "react";
import { ApiError } from "../api/client";
import type { Localized } from "../api/types";
import { Link } from "../app/router";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import { changedAnswers, initialConnections, initialText } from "./answers";
import { marketApi, type InstallResult, type TemplateDetail, type TemplateParameter } from "./api";

const STEPS = ["connections", "params", "test", "publish"] as const;
type Step = (typeof STEPS)[number];

/** A text input whose suggestions are the picker's real values (`GET /api/v1/pickers/<kind>/`). */
function PickerInput({
  id,
  kind,
  value,
  onChange,
}: {
  id: string;
  kind: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { pick } = useI18n();
  const [options, setOptions] = useState<{ value: string | number; label: Localized; hint: string }[]>([]);
  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      marketApi
        .pickers(kind, value.length > 50 ? "" : value)
        .then((answer) => live && setOptions(answer.options))
        .catch(() => live && setOptions([]));
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [kind, value]);
  return (
    <>
      <input id={id} list={`${id}-options`} value={value} onChange={(e) => onChange(e.target.value)} />
      <datalist id={`${id}-options`}>
        {options.map((option) => (
          <option key={String(option.value)} value={String(option.value)}>
            {pick(option.label)}
          </option>
        ))}
      </datalist>
    </>
  );
}

function ParameterField({
  parameter,
  value,
  error,
  onChange,
}: {
  parameter: TemplateParameter;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { t, pick } = useI18n();
  const id = `param-${parameter.key}`;
  let input;
  if (parameter.type === "bool") {
    input = (
      <input
        id={id}
        type="checkbox"
        checked={value === "true"}
        onChange={(e) => onChange(e.target.checked ? "true" : "false")}
      />
    );
  } else if (parameter.type === "enum") {
    input = (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {(parameter.enum ?? []).map((option) => (
          <option key={option} value={option}>
            {pick(parameter["x-enum-labels"]?.[option], option)}
          </option>
        ))}
      </select>
    );
  } else if (parameter["x-picker"]) {
    input = <PickerInput id={id} kind={parameter["x-picker"]} value={value} onChange={onChange} />;
  } else if (parameter.type === "text" || parameter.type === "time") {
    input = <input id={id} value={value} maxLength={parameter.maxLength} onChange={(e) => onChange(e.target.value)} />;
  } else {
    input = (
      <input
        id={id}
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{pick(parameter.title)}</label>
      {input}
      {error && (
        <span className="field-error" role="alert">
          {t(`market.error.${error}` as never)}
        </span>
      )}
    </div>
  );
}

export function InstallWizard({ template, onDone }: { template: TemplateDetail; onDone: () => void }) {
  const { t, pick } = useI18n();
  const [step, setStep] = useState<Step>(template.needs.length ? "connections" : "params");
  const [connections, setConnections] = useState(() => initialConnections(template.needs));
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(template.parameters.map((p) => [p.key, initialText(p)])),
  );
  const [test, setTest] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [result, setResult] = useState<InstallResult | null>(null);
  const answers = useMemo(() => changedAnswers(template.parameters, texts), [template.parameters, texts]);
  const missing = template.needs.filter((need) => !need.present);

  const install = async (enable: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setResult(
        await marketApi.install(template.key, {
          params: answers.params,
          connections,
          enable,
          ...(test ? { test_event: "latest" } : {}),
        }),
      );
    } catch (caught) {
      setError(caught instanceof ApiError || caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };

  if (result) {
    const run = result.test_run;
    return (
      <section className="market-wizard" data-testid="install-result">
        <h3>{t("market.installed", { name: result.name })}</h3>
        <p role="status">{result.enabled ? t("market.running") : t("market.draftSaved")}</p>
        {result.missing_connections.map((need) => (
          <p key={need.key} className="notice">
            {pick(need.explanation ?? undefined)} <a href={need.connect_url}>{t("market.connectFirst")}</a>
          </p>
        ))}
        {run && (
          <div>
            <h4>{t("market.testRun")}</h4>
            {run.ran ? (
              <>
                <p>{run.fired ? t("market.fired") : t("market.notFired")}</p>
                <ul>
                  {run.trace?.map((entry) => (
                    <li key={entry.node_id}>
                      {entry.node_id}: {entry.status}
                      {entry.decision === null ? "" : ` (${String(entry.decision)})`}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p>{t("market.testNone")}</p>
            )}
          </div>
        )}
        <Link to={`/flows/${result.id}`}>{t("market.openFlow")}</Link>{" "}
        <button type="button" className="link" onClick={onDone}>
          {t("market.back")}
        </button>
      </section>
    );
  }

  const index = STEPS.indexOf(step);
  const next = () => setStep(STEPS[Math.min(index + 1, STEPS.length - 1)]);
  const previous = () => setStep(STEPS[Math.max(index - 1, 0)]);
  return (
    <section className="market-wizard" aria-label={t("market.install")}>
      <ol className="wizard-steps">
        {STEPS.map((name) => (
          <li
            key={name}
            className={name === step ? "active" : undefined}
            aria-current={name === step ? "step" : undefined}
          >
            {t(`market.step.${name}`)}
          </li>
        ))}
      </ol>
      {step === "connections" && (
        <div>
          {template.needs.length === 0 && <p>{t("market.noConnections")}</p>}
          {template.needs.map((need) => (
            <div className="field" key={need.key}>
              <label htmlFor={`connection-${need.key}`}>
                {pick(need.title)}（{pick(need.connector_title)}）
              </label>
              {need.present ? (
                <select
                  id={`connection-${need.key}`}
                  value={connections[need.key] ?? ""}
                  onChange={(e) => setConnections({ ...connections, [need.key]: Number(e.target.value) })}
                >
                  {need.options.map((option) => (
                    <option key={option.id} value={option.id}>
                      {option.name}
                    </option>
                  ))}
                </select>
              ) : (
                <p className="notice" data-testid="missing-connection">
                  {pick(need.explanation ?? undefined)} <a href={need.connect_url}>{t("market.connectFirst")}</a>
                </p>
              )}
            </div>
          ))}
        </div>
      )}
      {step === "params" && (
        <div>
          {template.parameters.length === 0 && <p>{t("market.noParams")}</p>}
          {template.parameters.map((parameter) => (
            <ParameterField
              key={parameter.key}
              parameter={parameter}
              value={texts[parameter.key] ?? ""}
              error={answers.errors[parameter.key]}
              onChange={(value) => setTexts({ ...texts, [parameter.key]: value })}
            />
          ))}
        </div>
      )}
      {step === "test" && (
        <label className="checkbox">
          <input type="checkbox" checked={test} onChange={(e) => setTest(e.target.checked)} />
          {t("market.testLatest")}
        </label>
      )}
      {step === "publish" && (
        <div className="wizard-publish">
          <button
            type="button"
            className="primary"
            disabled={busy || missing.length > 0 || Object.keys(answers.errors).length > 0}
            onClick={() => void install(true)}
          >
            {t("market.publishOn")}
          </button>
          <button
            type="button"
            disabled={busy || Object.keys(answers.errors).length > 0}
            onClick={() => void install(false)}
          >
            {t("market.saveDraft")}
          </button>
        </div>
      )}
      <ErrorNote error={error} />
      <div className="wizard-nav">
        {index > 0 && (
          <button type="button" onClick={previous}>
            {t("market.previous")}
          </button>
        )}
        {step !== "publish" && (
          <button
            type="button"
            className="primary"
            onClick={next}
            disabled={step === "params" && Object.keys(answers.errors).length > 0}
          >
            {t("market.next")}
          </button>
        )}
      </div>
    </section>
  );
}
