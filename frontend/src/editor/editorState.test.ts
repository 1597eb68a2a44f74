import { describe, expect, it } from "vitest";
import type { Problem } from "../api/types";
import { canvasEdge, stepNode, TRIGGER_ID, type CanvasNode } from "./document";
import { dailyRows } from "./panels/Backtest";
import { setPath } from "./panels/SampleForm";
import { formErrorsIn } from "./ParamsForm";
import { placeAfter, problemField, problemNode } from "./useEditorState";

const condition = stepNode({ id: "c", type: "condition", rule: { and: [] } }, { x: 0, y: 0 }, true);
const tag = stepNode({ id: "t", type: "action", action: "order.tag", params: {} }, { x: 0, y: 0 }, true);

describe("where a clicked palette item goes", () => {
  it("after the trigger while nothing follows it, else free-standing when nothing is selected", () => {
    expect(placeAfter({ nodes: [], edges: [] }, null)).toEqual({ from: TRIGGER_ID });
    expect(placeAfter({ nodes: [condition], edges: [canvasEdge({ from: TRIGGER_ID, to: "c" })] }, null)).toBeNull();
  });

  it("after the selected step; on a condition's yes branch first, then its no branch", () => {
    expect(placeAfter({ nodes: [tag], edges: [] }, tag as CanvasNode)).toEqual({ from: "t" });
    expect(placeAfter({ nodes: [condition], edges: [] }, condition)).toEqual({ from: "c", branch: "true" });
    const yesTaken = { nodes: [condition, tag], edges: [canvasEdge({ from: "c", to: "t", branch: "true" })] };
    expect(placeAfter(yesTaken, condition)).toEqual({ from: "c", branch: "false" });
  });
});

describe("a problem's node and field", () => {
  // An older answer: no node, field or detail yet.
  const base = { code: "required", message: "请填写工单标题", node_id: null, pointer: "" } as unknown as Problem;
  it("takes the server's node and field first", () => {
    expect(problemNode({ ...base, node: "ticket_open", node_id: "other", field: "title" })).toBe("ticket_open");
    expect(problemField({ ...base, node: "ticket_open", field: "title" })).toBe("title");
  });
  it("falls back on node_id and the pointer (older answers)", () => {
    const p = { ...base, node_id: "ticket_open", pointer: "/nodes/2/params/queue" };
    expect(problemNode(p)).toBe("ticket_open");
    expect(problemField(p)).toBe("queue");
    expect(problemNode({ ...base, pointer: "/trigger/event" })).toBe(TRIGGER_ID);
    expect(problemField({ ...base, node_id: "c", pointer: "/nodes/1/rule/and/0" })).toBe("rule");
    expect(problemNode(base)).toBeNull();
    expect(problemField(base)).toBeNull();
  });
});

describe("the test panel's helpers", () => {
  it("sets a nested path in a copy of the sample", () => {
    const sample = { type: "order.paid", order: { channel: "jd", total_amount: "10.00" } };
    const next = setPath(sample, "order.channel", "tmall");
    expect(next).toEqual({ type: "order.paid", order: { channel: "tmall", total_amount: "10.00" } });
    expect(sample.order.channel).toBe("jd");
  });
  it("reads a condition's per-day split, none from an older answer", () => {
    const node = { kind: "condition", reached: 4, true: 2, false: 2 };
    expect(dailyRows(node)).toEqual([]);
    const row = { day: "2026-12-06", true: 2, false: 2 };
    expect(dailyRows({ ...node, by_day: [row] })).toEqual([row]);
  });
});

describe("the params form's own messages", () => {
  it("say what to do in the user's language, never the pattern", () => {
    const errors = [
      {
        name: "pattern",
        property: ".queue",
        message: 'must match pattern "^[-a-zA-Z0-9_]+$"',
        params: { pattern: "^[-a-zA-Z0-9_]+$" },
        stack: "",
      },
      { name: "required", property: ".title", message: "must have required property 'title'", params: {}, stack: "" },
      {
        name: "maxLength",
        property: ".tag",
        message: "must NOT have more than 32 characters",
        params: { limit: 32 },
        stack: "",
      },
    ];
    const zh = formErrorsIn("zh")(errors).map((e) => e.message);
    expect(zh).toEqual(["格式不对，请从列表中选择或按提示填写", "请填写这一项", "最多 32 个字"]);
    for (const message of [...zh, ...formErrorsIn("en")(errors).map((e) => e.message)]) {
      expect(message).not.toMatch(/[\^$\\[\]]|must|\//);
    }
  });
});
