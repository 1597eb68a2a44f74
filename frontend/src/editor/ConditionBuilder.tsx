import jsonLogic from "json-logic-js";
import { useId, useMemo, useState } from "react";
import type { JsonValue } from "../api/types";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import {
  coerceValue,
  emptyGroup,
  fromJsonLogic,
  OPERATORS,
  toJsonLogic,
  unary,
  valueText,
  type Group,
  type Operator,
  type Rule,
} from "./condition";
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

function RuleRow({
  rule,
  path,
  variables,
  listId,
  onChange,
}: {
  rule: Rule;
  path: number[];
  variables: Variable[];
  listId: string;
  onChange: (path: number[], next: Item | null) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(valueText(rule.value));
  const fieldType = variables.find((v) => v.path === rule.field)?.type;
  const label = path.join("-");
  return (
    <div className="rule-row" data-testid={`rule-${label}`}>
      <input
        className="rule-field"
        list={listId}
        value={rule.field}
        placeholder={t("cond.field")}
        aria-label={t("cond.field")}
        onChange={(e) =>
          onChange(path, {
            ...rule,
            field: e.target.value.trim(),
            value: coerceValue(text, rule.operator, variables.find((v) => v.path === e.target.value.trim())?.type),
          })
        }
      />
      <select
        className="rule-operator"
        value={rule.operator}
        aria-label={t("cond.operator")}
        onChange={(e) => {
          const operator = e.target.value as Operator;
          onChange(path, { ...rule, operator, value: unary(operator) ? null : coerceValue(text, operator, fieldType) });
        }}
      >
        {OPERATORS.map((op) => (
          <option key={op} value={op}>
            {t(`op.${op}` as MessageKey)}
          </option>
        ))}
      </select>
      {!unary(rule.operator) && (
        <input
          className="rule-value"
          value={text}
          placeholder={rule.operator === "in" ? "a, b, c" : t("cond.value")}
          aria-label={t("cond.value")}
          onChange={(e) => {
            setText(e.target.value);
            onChange(path, { ...rule, value: coerceValue(e.target.value, rule.operator, fieldType) });
          }}
        />
      )}
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
  variables,
  listId,
  onChange,
}: {
  group: Group;
  path: number[];
  variables: Variable[];
  listId: string;
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
          <GroupBox
            key={i}
            group={child}
            path={[...path, i]}
            variables={variables}
            listId={listId}
            onChange={onChange}
          />
        ) : (
          <RuleRow key={i} rule={child} path={[...path, i]} variables={variables} listId={listId} onChange={onChange} />
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
  variables,
  sample,
  readOnly,
}: {
  rule: JsonValue;
  onChange: (rule: JsonValue) => void;
  variables: Variable[];
  sample: unknown;
  readOnly: boolean;
}) {
  const { t } = useI18n();
  const listId = useId();
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
      <datalist id={listId}>
        {variables.map((v) => (
          <option key={v.path} value={v.path}>
            {v.type}
          </option>
        ))}
      </datalist>
      {model ? (
        <fieldset disabled={readOnly} className="plain">
          <GroupBox group={model} path={[]} variables={variables} listId={listId} onChange={change} />
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
