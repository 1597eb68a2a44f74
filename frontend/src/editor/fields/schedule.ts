/**
 * Schedules in words: "every day at 09:00", "weekdays at 09:00", "every 15 minutes", "every N hours".
 * `toCron` writes the five-field cron the server runs; `fromCron` reads one back, or null when the
 * cron says something the plain form cannot (it is then edited in the advanced view).
 */

export type Plan =
  | { every: "day"; time: string }
  | { every: "weekday"; time: string }
  | { every: "week"; day: number; time: string }
  | { every: "minutes"; n: number }
  | { every: "hours"; n: number };

/** Minutes that divide an hour, so "every N minutes" is regular (cron's step restarts each hour). */
export const MINUTE_STEPS = [5, 10, 15, 20, 30];
export const HOUR_STEPS = [1, 2, 3, 4, 6, 8, 12];

function hm(time: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!m) return [9, 0];
  return [Math.min(23, Number(m[1])), Math.min(59, Number(m[2]))];
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function toCron(plan: Plan): string {
  switch (plan.every) {
    case "minutes":
      return `*/${plan.n} * * * *`;
    case "hours":
      return plan.n === 1 ? "0 * * * *" : `0 */${plan.n} * * *`;
    case "day": {
      const [h, m] = hm(plan.time);
      return `${m} ${h} * * *`;
    }
    case "weekday": {
      const [h, m] = hm(plan.time);
      return `${m} ${h} * * 1-5`;
    }
    case "week": {
      const [h, m] = hm(plan.time);
      return `${m} ${h} * * ${plan.day}`;
    }
  }
}

const NUM = /^\d+$/;

export function fromCron(cron: string): Plan | null {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [minute, hour, dom, month, dow] = parts;
  if (dom !== "*" || month !== "*") return null;
  const step = /^\*\/(\d+)$/;
  if (hour === "*" && dow === "*") {
    const s = step.exec(minute);
    if (s && MINUTE_STEPS.includes(Number(s[1]))) return { every: "minutes", n: Number(s[1]) };
    if (minute === "0") return { every: "hours", n: 1 };
    return null;
  }
  if (minute === "0" && dow === "*") {
    const s = step.exec(hour);
    if (s && HOUR_STEPS.includes(Number(s[1]))) return { every: "hours", n: Number(s[1]) };
  }
  if (!NUM.test(minute) || !NUM.test(hour) || Number(minute) > 59 || Number(hour) > 23) return null;
  const time = `${pad(Number(hour))}:${pad(Number(minute))}`;
  if (dow === "*") return { every: "day", time };
  if (dow === "1-5") return { every: "weekday", time };
  if (/^[0-6]$/.test(dow)) return { every: "week", day: Number(dow), time };
  return null;
}
