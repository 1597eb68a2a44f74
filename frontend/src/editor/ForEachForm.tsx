import type { ReactNode } from "react";
import type { Problem, Trigger } from "../api/types";
import { useI18n } from "../i18n/i18n";
import { useEditor } from "./context";
import { TRIGGER_ID } from "./document";
import {
  filterStatuses,
  forEachOf,
  minutesOf,
  setCooldown,
  setFilter,
  setForEachOn,
  setStatuses,
  statusesOf,
} from "./forEach";
import { ENUM_LABELS } from "./labels";

/** The server's problems under one pointer of the trigger, shown beside the field they concern. */
function FieldProblems({ problems, pointer }: { problems: Problem[]; pointer: string }) {
  const mine = problems.filter((p) => p.pointer === pointer || p.pointer.startsWith(`${pointer}/`));
  if (!mine.length) return null;
  return (
    <span className="field-problem" role="alert">
      {mine.map((p) => p.message).join("; ")}
    </span>
  );
}

/** A whole number of minutes; clearing it removes the key. */
function MinutesField({
  label,
  value,
  onChange,
  testId,
  children,
}: {
  label: string;
  value: unknown;
  onChange: (minutes: number | undefined) => void;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={1}
        step={1}
        value={typeof value === "number" ? String(value) : ""}
        onChange={(e) => onChange(minutesOf(e.target.value))}
        data-testid={testId}
      />
      {children}
    </label>
  );
}

/** "For each order" on a schedule trigger: which orders (the orders API's filters) and how often per order. */
export function ForEachForm({ trigger, onChange }: { trigger: Trigger; onChange: (trigger: Trigger) => void }) {
  const { t, language } = useI18n();
  const { catalog, problems } = useEditor();
  const forEach = forEachOf(trigger);
  const triggerProblems = problems.get(TRIGGER_ID) ?? [];
  const at = (key: string) => `/trigger/for_each/${key}`;
  const i = language === "zh" ? 0 : 1;
  const chosen = statusesOf(forEach);
  const filter = forEach?.filter ?? {};
  const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : "");
  const onHold = filter.on_hold === true ? "held" : filter.on_hold === false ? "free" : "";

  return (
    <div className="for-each" data-testid="for-each">
      <label className="check">
        <input
          type="checkbox"
          checked={!!forEach}
          onChange={(e) => onChange(setForEachOn(trigger, e.target.checked))}
          data-testid="for-each-toggle"
        />
        {t("editor.forEach")}
      </label>
      {forEach && (
        <div className="stack">
          <p className="muted small">{t("editor.forEachHint")}</p>
          <fieldset className="plain">
            <legend>{t("editor.filterStatus")}</legend>
            <div className="status-choices" data-testid="for-each-status">
              {filterStatuses(catalog).map((status) => (
                <label key={status} className="check">
                  <input
                    type="checkbox"
                    value={status}
                    checked={chosen.includes(status)}
                    onChange={(e) =>
                      onChange(
                        setStatuses(
                          trigger,
                          e.target.checked ? [...chosen, status] : chosen.filter((s) => s !== status),
                        ),
                      )
                    }
                  />
                  {ENUM_LABELS[status]?.[i] ?? status}
                </label>
              ))}
            </div>
            <FieldProblems problems={triggerProblems} pointer={at("filter/status")} />
          </fieldset>
          <MinutesField
            label={t("editor.filterOlderThan")}
            value={filter.status_older_than_minutes}
            onChange={(minutes) => onChange(setFilter(trigger, "status_older_than_minutes", minutes))}
            testId="for-each-older-than"
          >
            <FieldProblems problems={triggerProblems} pointer={at("filter/status_older_than_minutes")} />
          </MinutesField>
          <label>
            {t("editor.filterChannel")}
            <input
              value={text(filter.channel)}
              onChange={(e) => onChange(setFilter(trigger, "channel", e.target.value.trim()))}
              placeholder="tmall"
              data-testid="for-each-channel"
            />
            <FieldProblems problems={triggerProblems} pointer={at("filter/channel")} />
          </label>
          <label>
            {t("editor.filterTag")}
            <input
              value={text(filter.tag)}
              onChange={(e) => onChange(setFilter(trigger, "tag", e.target.value.trim()))}
              placeholder="vip"
              data-testid="for-each-tag"
            />
            <FieldProblems problems={triggerProblems} pointer={at("filter/tag")} />
          </label>
          <label>
            {t("editor.filterOnHold")}
            <select
              value={onHold}
              onChange={(e) =>
                onChange(setFilter(trigger, "on_hold", e.target.value === "" ? undefined : e.target.value === "held"))
              }
            >
              <option value="">{t("editor.filterOnHoldAny")}</option>
              <option value="held">{t("editor.filterOnHoldYes")}</option>
              <option value="free">{t("editor.filterOnHoldNo")}</option>
            </select>
          </label>
          {Object.keys(filter).length === 0 && <p className="warning small">{t("editor.forEachNoFilter")}</p>}
          <MinutesField
            label={t("editor.cooldown")}
            value={forEach.cooldown_minutes}
            onChange={(minutes) => onChange(setCooldown(trigger, minutes))}
            testId="for-each-cooldown"
          >
            <span className="muted small">{t("editor.cooldownHint")}</span>
            <FieldProblems problems={triggerProblems} pointer={at("cooldown_minutes")} />
          </MinutesField>
          <FieldProblems
            problems={triggerProblems.filter(
              (p) => p.pointer === "/trigger/for_each" || p.pointer.startsWith(at("collection")),
            )}
            pointer="/trigger/for_each"
          />
        </div>
      )}
    </div>
  );
}
