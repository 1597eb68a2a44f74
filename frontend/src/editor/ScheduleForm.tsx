/** A schedule in words (every day at 09:00, weekdays, every 15 minutes); the cron and the time zone under "advanced". */
import { useState } from "react";
import type { Trigger } from "../api/types";
import { useI18n } from "../i18n/i18n";
import type { MessageKey } from "../i18n/messages";
import { fromCron, HOUR_STEPS, MINUTE_STEPS, toCron, type Plan } from "./fields/schedule";

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 0];

/** The schedule in words for the canvas, or null when only the cron says it. */
export function scheduleWords(cron: string, t: (key: MessageKey, vars?: Record<string, string | number>) => string) {
  const plan = fromCron(cron);
  if (!plan) return null;
  switch (plan.every) {
    case "day":
      return t("schedule.dailyAt", { time: plan.time });
    case "weekday":
      return t("schedule.weekdaysAt", { time: plan.time });
    case "week":
      return t("schedule.weeklyAt", { day: t(`schedule.day.${plan.day}` as MessageKey), time: plan.time });
    case "minutes":
      return t("schedule.everyMinutes", { n: plan.n });
    case "hours":
      return t("schedule.everyHours", { n: plan.n });
  }
}

export function ScheduleForm({ trigger, onChange }: { trigger: Trigger; onChange: (trigger: Trigger) => void }) {
  const { t } = useI18n();
  const plan = fromCron(trigger.cron ?? "");
  const [advanced, setAdvanced] = useState(plan === null);
  const set = (next: Plan) => onChange({ ...trigger, cron: toCron(next) });
  const time = plan && "time" in plan ? plan.time : "09:00";
  return (
    <div className="schedule-form stack" data-testid="schedule-form">
      {plan && (
        <>
          <label>
            {t("schedule.every")}
            <select
              value={plan.every}
              data-testid="schedule-every"
              onChange={(e) => {
                const every = e.target.value as Plan["every"];
                if (every === "minutes") set({ every, n: 15 });
                else if (every === "hours") set({ every, n: 1 });
                else if (every === "week") set({ every, day: 1, time });
                else set({ every, time });
              }}
            >
              <option value="day">{t("schedule.day")}</option>
              <option value="weekday">{t("schedule.weekdays")}</option>
              <option value="week">{t("schedule.week")}</option>
              <option value="minutes">{t("schedule.minutes")}</option>
              <option value="hours">{t("schedule.hours")}</option>
            </select>
          </label>
          {plan.every === "week" && (
            <label>
              {t("schedule.onDay")}
              <select value={plan.day} onChange={(e) => set({ ...plan, day: Number(e.target.value) })}>
                {WEEKDAYS.map((d) => (
                  <option key={d} value={d}>
                    {t(`schedule.day.${d}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {"time" in plan && (
            <label>
              {t("schedule.at")}
              <input type="time" value={plan.time} onChange={(e) => set({ ...plan, time: e.target.value })} />
            </label>
          )}
          {(plan.every === "minutes" || plan.every === "hours") && (
            <label>
              {t("schedule.interval")}
              <select value={plan.n} onChange={(e) => set({ ...plan, n: Number(e.target.value) })}>
                {(plan.every === "minutes" ? MINUTE_STEPS : HOUR_STEPS).map((n) => (
                  <option key={n} value={n}>
                    {t(plan.every === "minutes" ? "schedule.everyMinutes" : "schedule.everyHours", { n })}
                  </option>
                ))}
              </select>
            </label>
          )}
        </>
      )}
      {!plan && <p className="muted small">{t("schedule.onlyCron")}</p>}
      <label className="check">
        <input type="checkbox" checked={advanced} onChange={(e) => setAdvanced(e.target.checked)} />
        {t("editor.advanced")}
      </label>
      {advanced && (
        <>
          <label>
            {t("editor.cron")}
            <input
              className="mono"
              value={trigger.cron ?? ""}
              onChange={(e) => onChange({ ...trigger, cron: e.target.value })}
            />
          </label>
          <label>
            {t("editor.timezone")}
            <input
              value={trigger.timezone ?? ""}
              onChange={(e) => onChange({ ...trigger, timezone: e.target.value })}
            />
          </label>
        </>
      )}
    </div>
  );
}
