/**
 * A schedule trigger's `for_each` (builder/schema.py FOR_EACH_SCHEMA): run once per matching order.
 *
 *   "for_each": {"collection": "orders",
 *                "filter": {"status": "paid" | ["paid", …], "channel", "tag", "province", "on_hold",
 *                           "status_older_than_minutes"},
 *                "cooldown_minutes": 60}
 *
 * These helpers write exactly that shape: a cleared field removes its key, an emptied filter is
 * left out, keys the form does not show (province) are kept, and the order of keys already there
 * is kept so an untouched document does not change.
 */
import type { Catalog, JsonObject, JsonSchema, JsonValue, Trigger } from "../api/types";

export type FilterKey = "status" | "channel" | "tag" | "province" | "on_hold" | "status_older_than_minutes";

/** The order statuses (DESIGN "Public contract"), for when the catalog does not list them. */
export const ORDER_STATUSES = [
  "pending_payment",
  "paid",
  "processing",
  "shipped",
  "delivered",
  "completed",
  "cancelled",
  "closed",
];

export interface ForEach {
  collection: "orders";
  filter?: Partial<Record<FilterKey, JsonValue>>;
  cooldown_minutes?: number;
}

export function forEachOf(trigger: Trigger): ForEach | null {
  return trigger.type === "schedule" && trigger.for_each ? (trigger.for_each as unknown as ForEach) : null;
}

/** Turns "for each order" on (the orders collection, no filter yet) or off (the key removed). */
export function setForEachOn(trigger: Trigger, on: boolean): Trigger {
  if (on) return forEachOf(trigger) ? trigger : { ...trigger, for_each: { collection: "orders" } };
  const { for_each: _gone, ...rest } = trigger;
  return rest as Trigger;
}

function without<T extends object>(value: T, key: string): T {
  const copy = { ...value } as Record<string, unknown>;
  delete copy[key];
  return copy as T;
}

function isEmpty(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/** Sets one filter key (an empty value removes it; an empty filter is removed). */
export function setFilter(trigger: Trigger, key: FilterKey, value: JsonValue | undefined): Trigger {
  const forEach = forEachOf(trigger) ?? { collection: "orders" };
  const filter = isEmpty(value) ? without(forEach.filter ?? {}, key) : { ...forEach.filter, [key]: value as JsonValue };
  const next: ForEach = Object.keys(filter).length ? { ...forEach, filter } : without(forEach, "filter");
  return { ...trigger, for_each: next as unknown as JsonObject };
}

export function setCooldown(trigger: Trigger, minutes: number | undefined): Trigger {
  const forEach = forEachOf(trigger) ?? { collection: "orders" };
  const next: ForEach =
    minutes === undefined ? without(forEach, "cooldown_minutes") : { ...forEach, cooldown_minutes: minutes };
  return { ...trigger, for_each: next as unknown as JsonObject };
}

/** The statuses the filter names, whether it holds one (a string) or several (a list). */
export function statusesOf(forEach: ForEach | null): string[] {
  const status = forEach?.filter?.status;
  if (typeof status === "string") return [status];
  return Array.isArray(status) ? status.filter((s): s is string => typeof s === "string") : [];
}

/** One status is written as a string, several as a list, none not at all (all three validate). */
export function setStatuses(trigger: Trigger, statuses: string[]): Trigger {
  return setFilter(trigger, "status", statuses.length === 1 ? statuses[0] : statuses);
}

/** A number input's text as the integer the schema wants; empty text clears the key. */
export function minutesOf(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/** The order statuses the server accepts in a for_each filter, read from the schedule trigger's schema in the catalog. */
export function filterStatuses(catalog: Catalog): string[] {
  const schema = catalog.triggers.find((k) => k.type === "schedule")?.config_schema as JsonSchema | undefined;
  const status = dig(schema, ["properties", "for_each", "properties", "filter", "properties", "status"]) as
    JsonSchema | undefined;
  const branches = (status?.anyOf as JsonSchema[] | undefined) ?? (status ? [status] : []);
  for (const branch of branches) {
    if (Array.isArray(branch.enum)) return branch.enum.map(String);
  }
  return ORDER_STATUSES;
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
