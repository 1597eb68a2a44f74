/**
 * Domain events that nothing emits yet: the catalog marks them `available: false` with a reason. A new
 * trigger cannot choose one; a flow that already names one keeps it and shows a warning, since it
 * will not run until the event is connected.
 */
import type { Catalog, CatalogEvent, Localized, Trigger } from "../api/types";

/** Older backends send no `available`: their events are all available. */
export function eventAvailable(event: CatalogEvent): boolean {
  return event.available !== false;
}

/** Why the event is unavailable, in both languages; null when it is available. */
export function unavailableReason(event: CatalogEvent): Localized | null {
  if (eventAvailable(event)) return null;
  return event.unavailable_reason ?? null;
}

/** The event a new event trigger starts with: the first available one, or "" (none chosen). */
export function defaultEvent(catalog: Catalog): string {
  return catalog.events.find(eventAvailable)?.name ?? "";
}

/** Whether an event trigger can be added at all: some event is available. */
export function anyEventAvailable(catalog: Catalog): boolean {
  return catalog.events.some(eventAvailable);
}

/** The unavailable catalog event this trigger names, if it names one (an unknown name is the validator's concern). */
export function unavailableEventOf(trigger: Trigger, catalog: Catalog): CatalogEvent | null {
  if (trigger.type !== "event" || !trigger.event) return null;
  const event = catalog.events.find((e) => e.name === trigger.event);
  return event && !eventAvailable(event) ? event : null;
}
