/**
 * The operator flows add to JsonLogic, registered in json-logic-js as the server's engine has it
 * (`builder/jsonlogic.py`, `minutes_since`): whole minutes from an ISO-8601 time to now, rounded
 * down (negative for a time to come), null for a missing value or text that is not such a time. A
 * time without an offset is UTC. The editor's preview then means what the worker will.
 */
import jsonLogic from "json-logic-js";

// The forms both engines read: a date, or a date and time with optional seconds, fraction and offset.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The time `value` names, in milliseconds since the epoch, or null. */
export function parseTime(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = ISO_TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone = "Z"] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(`0.${fraction || "0"}`) * 1000);
  const check = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-13-45 over into a later date; Python refuses it, so does this.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    return null;
  if (zone === "Z") return utc;
  const sign = zone[0] === "-" ? -1 : 1;
  const offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return utc - offset * 60_000;
}

/** Whole minutes from the time `value` names to `now`; null when it names none. */
export function minutesSince(value: unknown, now: number = Date.now()): number | null {
  const at = parseTime(value);
  return at === null ? null : Math.floor((now - at) / 60_000);
}

jsonLogic.add_operation("minutes_since", (value: unknown) => minutesSince(value));

export { jsonLogic };
