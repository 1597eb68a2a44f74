/** The trigger's form: its type, its event (unavailable ones greyed with the reason) or its schedule in words. */
import type { Trigger } from "../../api/types";
import { useI18n } from "../../i18n/i18n";
import { useEditor } from "../context";
import { anyEventAvailable, defaultEvent, eventAvailable, unavailableEventOf, unavailableReason } from "../events";
import { ForEachForm } from "../ForEachForm";
import { ScheduleForm } from "../ScheduleForm";

export function TriggerForm({
  trigger,
  onChange,
  readOnly,
}: {
  trigger: Trigger;
  onChange: (trigger: Trigger) => void;
  readOnly: boolean;
}) {
  const { t, pick } = useI18n();
  const { catalog } = useEditor();
  const unavailable = unavailableEventOf(trigger, catalog);
  const setType = (type: Trigger["type"]) => {
    if (type === trigger.type) return;
    if (type === "event") onChange({ type, event: defaultEvent(catalog) });
    else if (type === "schedule") onChange({ type, cron: "0 9 * * *", timezone: "Asia/Shanghai" });
    else onChange({ type });
  };
  return (
    <fieldset disabled={readOnly} className="plain stack">
      <label>
        {t("editor.triggerType")}
        <select
          value={trigger.type}
          onChange={(e) => setType(e.target.value as Trigger["type"])}
          data-testid="trigger-type"
        >
          {catalog.triggers.map((k) => {
            const noEvent = k.type === "event" && k.type !== trigger.type && !anyEventAvailable(catalog);
            return (
              <option
                key={k.type}
                value={k.type}
                disabled={noEvent}
                title={noEvent ? t("editor.noEventAvailable") : undefined}
              >
                {pick(k.name)}
              </option>
            );
          })}
        </select>
      </label>
      {trigger.type === "event" && (
        <label>
          {t("editor.event")}
          <select
            value={trigger.event ?? ""}
            onChange={(e) => onChange({ ...trigger, event: e.target.value })}
            data-testid="trigger-event"
          >
            <option value="">{t("editor.chooseEvent")}</option>
            {catalog.events.map((event) => {
              const name = pick({ zh: event.name_zh, en: event.name_en }, event.name);
              if (eventAvailable(event))
                return (
                  <option key={event.name} value={event.name}>
                    {name}
                  </option>
                );
              const reason = pick(unavailableReason(event) ?? undefined, t("editor.eventUnavailable"));
              return (
                <option key={event.name} value={event.name} disabled title={reason}>
                  {name} · {reason}
                </option>
              );
            })}
          </select>
        </label>
      )}
      {unavailable && (
        <p className="node-warning" role="alert" data-testid="trigger-event-unavailable">
          {t("editor.triggerEventUnavailable", { event: pick({ zh: unavailable.name_zh, en: unavailable.name_en }) })}
          {unavailable.unavailable_reason && <span className="small"> {pick(unavailable.unavailable_reason)}</span>}
        </p>
      )}
      {trigger.type === "schedule" && (
        <>
          <ScheduleForm trigger={trigger} onChange={onChange} />
          <ForEachForm trigger={trigger} onChange={onChange} />
        </>
      )}
    </fieldset>
  );
}
