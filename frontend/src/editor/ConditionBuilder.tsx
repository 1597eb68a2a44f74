import { useMemo, useState } from "react";
import type { JsonValue } from "../api/types";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import {
  ageMinutes,
  ageParts,
  coerceValue,
  emptyGroup,
  fromJsonLogic,
  initialValue,
  numberValue,
  operatorsFor,
  toJsonLogic,
  unary,
  valueText,
  type AgeUnit,
  type Group,
  type Operator,
  type Rule,
} from "./condition";
import { FieldPicker } from "./fields/FieldPicker";
import { fieldsFromVariables, type FieldInfo } from "./fields/fields";
import { Picker } from "./fields/Picker";
import { jsonLogic } from "./jsonlogicOps";
import type { Variable } from "./variables";

type Item = Rule | Group;

function replaceAt(group: Group, path: number[], next: Item | null): Group {
  const [head, ...rest] = path;
  const children = [...group.children];
  if (rest.length === 0) {
    if (next === null) children.splice(head, 1);
    else children[head] = next;
  } else {
    children[head] = replaceAt(children[head] as Group, rest, next);
  }
  return { ...group, children };
}

/** A text field that names something (a channel, a status) offers what an enum does: "is one of" first. */
function kindForOperators(field: FieldInfo | undefined): string | undefined {
  if (field && field.kind === "text" && field.picker) return "enum";
  return field?.kind;
}

/** "Older than N minutes/hours": a number and its unit; the rule stores minutes (hours × 60). */
function AgeInput({ minutes, onValue }: { minutes: JsonValue; onValue: (value: JsonValue) => void }) {
  const { t } = useI18n();
  const start = ageParts(minutes);
  const [text, setText] = useState(start.amount === null ? "" : String(start.amount));
  const [unit, setUnit] = useState<AgeUnit>(start.unit);
  return (
    <span className="rule-value-box age">
      <input
        className="rule-value"
        value={text}
        inputMode="decimal"
        placeholder="N"
        aria-label={t("cond.value")}
        aria-invalid={text.trim() !== "" && ageMinutes(text, unit) === null}
        data-testid="rule-age"
        onChange={(e) => {
          setText(e.target.value);
          onValue(ageMinutes(e.target.value, unit));
        }}
      />
      <select
        value={unit}
        aria-label={t("cond.ageUnit")}
        data-testid="rule-age-unit"
        onChange={(e) => {
          const next = e.target.value as AgeUnit;
          setUnit(next);
          onValue(ageMinutes(text, next));
        }}
      >
        <option value="minutes">{t("cond.minutesAgo")}</option>
        <option value="hours">{t("cond.hoursAgo")}</option>
      </select>
    </span>
  );
}

/** An operator's words; for a time, "is set / is empty" read as "has a time / has none". */
function operatorLabel(op: Operator, kind: string | undefined): MessageKey {
  if (kind === "time" && (op === "truthy" || op === "falsy")) return `op.time.${op}`;
  return `op.${op}` as MessageKey;
}

/** The value box a rule's field and operator call for: a picker for enums and named things, a number for money. */
function ValueInput({
  rule,
  field,
  onValue,
}: {
  rule: Rule;
  field: FieldInfo | undefined;
  onValue: (value: JsonValue) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(valueText(rule.value));
  const kind = field?.kind;
  if (unary(rule.operator)) return null;
  if (rule.operator === "older") return <AgeInput minutes={rule.value} onValue={onValue} />;
  const named = field && (field.options.length > 0 || field.picker);
  if (
    named &&
    (rule.operator === "in" ||
      rule.operator === "==" ||
      rule.operator === "!=" ||
      rule.operator === "contains" ||
      rule.operator === "!contains")
  ) {
    const multiple = rule.operator === "in";
    const current = multiple
      ? (Array.isArray(rule.value) ? rule.value : rule.value === null || rule.value === "" ? [] : [rule.value]).map(
          String,
        )
      : rule.value === null
        ? ""
        : String(rule.value);
    return (
      <Picker
        kind={field.picker}
        fallback={field.options}
        value={current}
        multiple={multiple}
        allowNew={field.kind === "list" || field.kind === "text"}
        label={t("cond.value")}
        onChange={(value) => onValue(value)}
        testId="rule-value"
      />
    );
  }
  const numeric = kind === "money" || kind === "number" || kind === "integer";
  return (
    <span className={`rule-value-box${kind === "money" ? " money" : ""}`}>
      {kind === "money" && <span aria-hidden="true">¥</span>}
      <input
        className="rule-value"
        value={text}
        inputMode={numeric ? "decimal" : undefined}
        placeholder={rule.operator === "in" ? t("cond.listHint") : t("cond.value")}
        aria-label={t("cond.value")}
        aria-invalid={numeric && text.trim() !== "" && numberValue(text) === null}
        onChange={(e) => {
          setText(e.target.value);
          onValue(
            numeric
              ? numberValue(e.target.value)
              : coerceValue(e.target.value, rule.operator, kind ? undefined : undefined),
          );
        }}
      />
    </span>
  );
}

function RuleRow({
  rule,
  path,
  fields,
  ages,
  onChange,
}: {
  rule: Rule;
  path: number[];
  fields: FieldInfo[];
  ages: boolean;
  onChange: (path: number[], next: Item | null) => void;
}) {
  const { t } = useI18n();
  const field = fields.find((f) => f.path === rule.field);
  const offered = operatorsFor(kindForOperators(field), { ages });
  const operators = offered.includes(rule.operator) ? offered : [rule.operator, ...offered];
  const label = path.join("-");
  return (
    <div className="rule-row" data-testid={`rule-${label}`}>
      <FieldPicker
        fields={fields}
        value={rule.field}
        onChange={(picked) => {
          const operator = operatorsFor(kindForOperators(picked), { ages })[0];
          const keep =
            kindForOperators(picked) === kindForOperators(field) &&
            operatorsFor(kindForOperators(picked), { ages }).includes(rule.operator);
          onChange(path, {
            ...rule,
            field: picked.path,
            operator: keep ? rule.operator : operator,
            value: keep ? rule.value : initialValue(operator, picked.kind),
          });
        }}
      />
      <select
        className="rule-operator"
        value={rule.operator}
        aria-label={t("cond.operator")}
        onChange={(e) => {
          const operator = e.target.value as Operator;
          const value =
            operator === "older"
              ? typeof rule.value === "number"
                ? rule.value
                : null
              : operator === "in"
                ? Array.isArray(rule.value)
                  ? rule.value
                  : rule.value === null || rule.value === ""
                    ? []
                    : [rule.value]
                : unary(operator)
                  ? null
                  : Array.isArray(rule.value)
                    ? (rule.value[0] ?? initialValue(operator, field?.kind))
                    : (rule.value ?? initialValue(operator, field?.kind));
          onChange(path, { ...rule, operator, value });
        }}
      >
        {operators.map((op) => (
          <option key={op} value={op}>
            {t(operatorLabel(op, field?.kind))}
          </option>
        ))}
      </select>
      <ValueInput
        key={`${rule.field}:${rule.operator}`}
        rule={rule}
        field={field}
        onValue={(value) => onChange(path, { ...rule, value })}
      />
      <button
        type="button"
        className="icon"
        onClick={() => onChange(path, null)}
        aria-label={t("cond.remove")}
        title={t("cond.remove")}
      >
        ✕
      </button>
    </div>
  );
}

function GroupBox({
  group,
  path,
  fields,
  ages,
  onChange,
}: {
  group: Group;
  path: number[];
  fields: FieldInfo[];
  ages: boolean;
  onChange: (path: number[], next: Item | null) => void;
}) {
  const { t } = useI18n();
  const set = (next: Group) => onChange(path, next);
  return (
    <fieldset className={`cond-group cond-${group.combinator}`} data-testid={`group-${path.join("-") || "root"}`}>
      <legend>
        <select
          value={group.combinator}
          aria-label={t("cond.title")}
          onChange={(e) => set({ ...group, combinator: e.target.value as "and" | "or" })}
        >
          <option value="and">{t("cond.all")}</option>
          <option value="or">{t("cond.any")}</option>
        </select>
        {path.length > 0 && (
          <button type="button" className="icon" onClick={() => onChange(path, null)} aria-label={t("cond.remove")}>
            ✕
          </button>
        )}
      </legend>
      {group.children.map((child, i) =>
        child.kind === "group" ? (
          <GroupBox key={i} group={child} path={[...path, i]} fields={fields} ages={ages} onChange={onChange} />
        ) : (
          <RuleRow key={i} rule={child} path={[...path, i]} fields={fields} ages={ages} onChange={onChange} />
        ),
      )}
      <div className="toolbar">
        <button
          type="button"
          onClick={() =>
            set({ ...group, children: [...group.children, { kind: "rule", field: "", operator: "==", value: "" }] })
          }
        >
          + {t("cond.addRule")}
        </button>
        <button
          type="button"
          onClick={() =>
            set({ ...group, children: [...group.children, emptyGroup(group.combinator === "and" ? "or" : "and")] })
          }
        >
          + {t("cond.addGroup")}
        </button>
      </div>
    </fieldset>
  );
}

function Preview({ rule, sample }: { rule: JsonValue; sample: unknown }) {
  const { t } = useI18n();
  let result: unknown;
  let error = "";
  try {
    result = jsonLogic.apply(rule as never, sample as never);
  } catch (reason) {
    error = reason instanceof Error ? reason.message : String(reason);
  }
  return (
    <div
      className={`cond-preview ${error ? "error" : jsonLogic.truthy(result) ? "yes" : "no"}`}
      role="status"
      data-testid="condition-preview"
    >
      <strong>{t("cond.preview")}: </strong>
      {error
        ? t("cond.previewError", { message: error })
        : jsonLogic.truthy(result)
          ? t("cond.previewTrue")
          : t("cond.previewFalse")}
    </div>
  );
}

export function ConditionBuilder({
  rule,
  onChange,
  fields: givenFields,
  variables,
  sample,
  readOnly,
  ages = false,
}: {
  rule: JsonValue;
  onChange: (rule: JsonValue) => void;
  /** The fields a rule may read; or `variables` (paths and JSON types) for callers without a context schema. */
  fields?: FieldInfo[];
  variables?: Variable[];
  sample: unknown;
  readOnly: boolean;
  /** Times may be "older than N minutes/hours": the engine behind has `minutes_since` (flows' does). */
  ages?: boolean;
}) {
  const { t } = useI18n();
  const fields = useMemo(() => givenFields ?? fieldsFromVariables(variables ?? []), [givenFields, variables]);
  const model = useMemo(() => fromJsonLogic(rule), [rule]);
  const [draft, setDraft] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState(false);
  const ruleText = JSON.stringify(rule, null, 2);

  const change = (path: number[], next: Item | null) => {
    if (!model) return;
    const updated = path.length === 0 ? (next as Group) : replaceAt(model, path, next);
    onChange(toJsonLogic(updated));
  };

  return (
    <div className="condition-builder">
      {model ? (
        <fieldset disabled={readOnly} className="plain">
          <GroupBox group={model} path={[]} fields={fields} ages={ages} onChange={change} />
        </fieldset>
      ) : (
        <p className="muted">{t("cond.notVisual")}</p>
      )}
      <Preview rule={rule} sample={sample} />
      <details open={!model}>
        <summary>{t("cond.advanced")}</summary>
        <textarea
          className="code"
          rows={8}
          value={draft ?? ruleText}
          readOnly={readOnly}
          aria-label={t("cond.advanced")}
          onChange={(e) => {
            setDraft(e.target.value);
            setJsonError(false);
          }}
        />
        {jsonError && <p className="error-note">{t("cond.invalidJson")}</p>}
        {!readOnly && draft !== null && (
          <button
            type="button"
            onClick={() => {
              try {
                onChange(JSON.parse(draft) as JsonValue);
                setDraft(null);
              } catch {
                setJsonError(true);
              }
            }}
          >
            {t("cond.apply")}
          </button>
        )}
      </details>
    </div>
  );
}
