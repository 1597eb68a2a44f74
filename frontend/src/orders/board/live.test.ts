import { describe, expect, it } from "vitest";
import { anOrder } from "./fixtures";
import { applyChange, columnChange, liveChange, type LiveOrder } from "./live";

const live = (overrides: Partial<LiveOrder> = {}): LiveOrder => ({
  id: 41,
  number: "OF2612060000000041",
  status: "shipped",
  channel: "tmall",
  total_amount: "199.00",
  ...overrides,
});

describe("live events", () => {
  it("count a new order when it could be in the view", () => {
    const created = {
      type: "order.created",
      id: 9,
      occurred_at: "2026-12-06T05:22:07Z",
      order: live({ status: "pending_payment" }),
    };

    expect(liveChange(created, {})).toEqual({ kind: "new", order: created.order });
    expect(liveChange(created, { status: ["pending_payment"], channel: "tmall" })?.kind).toBe("new");
    expect(liveChange(created, { status: ["paid"] })).toBeNull();
    expect(liveChange(created, { channel: "jd" })).toBeNull();
  });

  it("read status changes, and ignore what is not about an order", () => {
    expect(liveChange({ type: "order.status_changed", order: live() }, { channel: "jd" })?.kind).toBe("changed");
    expect(liveChange({ type: "order.paid", order: live({ status: "paid" }) }, {})?.kind).toBe("changed");
    expect(liveChange({ type: "inbox.changed" }, {})).toBeNull();
    expect(liveChange({ type: "kpis.changed" }, {})).toBeNull();
    expect(liveChange({ type: "shipment.created", order: live() }, {})).toBeNull();
    expect(liveChange(null, {})).toBeNull();
  });
});

describe("a status change on the table", () => {
  it("updates the order's row in place", () => {
    const rows = [anOrder({ id: 40 }), anOrder({ id: 41, status: "paid" })];

    const next = applyChange(rows, live({ id: 41, status: "shipped" }));

    expect(next.map((r) => [r.id, r.status])).toEqual([
      [40, "paid"],
      [41, "shipped"],
    ]);
    expect(rows[1].status).toBe("paid");
  });

  it("leaves the rows alone for an order the board does not show", () => {
    const rows = [anOrder({ id: 40 })];
    expect(applyChange(rows, live({ id: 99 }))).toBe(rows);
  });
});

describe("a status change on the kanban", () => {
  it("takes the card out of its old column", () => {
    const cards = [anOrder({ id: 40 }), anOrder({ id: 41 })];
    expect(columnChange("paid", cards, live({ id: 41, status: "shipped" }), {})).toEqual({
      cards: [cards[0]],
      reload: false,
    });
  });

  it("reloads the column it moved into, unless the order cannot be in the view or is there already", () => {
    expect(columnChange("shipped", [], live({ status: "shipped" }), {}).reload).toBe(true);
    expect(columnChange("shipped", [], live({ status: "shipped" }), { channel: "jd" }).reload).toBe(false);
    expect(columnChange("shipped", [anOrder({ id: 41, status: "shipped" })], live(), {}).reload).toBe(false);
    expect(columnChange("completed", [], live(), {})).toEqual({ cards: [], reload: false });
  });
});
