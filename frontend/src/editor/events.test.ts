import { describe, expect, it } from "vitest";
import type { Catalog, CatalogEvent } from "../api/types";
import { anyEventAvailable, defaultEvent, eventAvailable, unavailableEventOf, unavailableReason } from "./events";

const SHIPPED_REASON = {
  en: "Not connected yet: comes with the courier connector",
  zh: "尚未接入：发货事件将随快递连接器提供",
};

function event(name: string, extra: Partial<CatalogEvent> = {}): CatalogEvent {
  return { name, name_en: name, name_zh: name, objects: ["order"], context_schema: {}, ...extra };
}

/** An older backend's event: no `available`, no `unavailable_reason`. */
const paid = event("order.paid");
const created = event("order.created", { available: true, unavailable_reason: null });
const shipped = event("order.shipped", { available: false, unavailable_reason: SHIPPED_REASON });
const delivered = event("order.delivered", { available: false });

function catalogWith(events: CatalogEvent[]): Catalog {
  return { events } as unknown as Catalog;
}

describe("eventAvailable", () => {
  it("treats an event without the field as available", () => {
    expect(eventAvailable(paid)).toBe(true);
  });

  it("follows the field when it is there", () => {
    expect(eventAvailable(created)).toBe(true);
    expect(eventAvailable(shipped)).toBe(false);
  });
});

describe("unavailableReason", () => {
  it("gives the reason of an unavailable event", () => {
    expect(unavailableReason(shipped)).toEqual(SHIPPED_REASON);
  });

  it("gives null for an unavailable event without a reason", () => {
    expect(unavailableReason(delivered)).toBeNull();
  });

  it("gives null for an available event, whatever it carries", () => {
    expect(unavailableReason(created)).toBeNull();
    expect(unavailableReason(event("order.paid", { unavailable_reason: SHIPPED_REASON }))).toBeNull();
  });
});

describe("defaultEvent", () => {
  it("skips unavailable events", () => {
    expect(defaultEvent(catalogWith([shipped, delivered, paid, created]))).toBe("order.paid");
  });

  it("is empty when no event is available", () => {
    expect(defaultEvent(catalogWith([shipped, delivered]))).toBe("");
    expect(defaultEvent(catalogWith([]))).toBe("");
  });
});

describe("anyEventAvailable", () => {
  it("is true when one event is available, false when none is", () => {
    expect(anyEventAvailable(catalogWith([shipped, paid]))).toBe(true);
    expect(anyEventAvailable(catalogWith([shipped, delivered]))).toBe(false);
  });
});

describe("unavailableEventOf", () => {
  const catalog = catalogWith([paid, shipped]);

  it("names the unavailable event an existing trigger uses", () => {
    expect(unavailableEventOf({ type: "event", event: "order.shipped" }, catalog)).toBe(shipped);
  });

  it("is null for an available event, an unknown one, no event, or another trigger type", () => {
    expect(unavailableEventOf({ type: "event", event: "order.paid" }, catalog)).toBeNull();
    expect(unavailableEventOf({ type: "event", event: "order.unknown" }, catalog)).toBeNull();
    expect(unavailableEventOf({ type: "event", event: "" }, catalog)).toBeNull();
    expect(unavailableEventOf({ type: "manual" }, catalog)).toBeNull();
  });
});
