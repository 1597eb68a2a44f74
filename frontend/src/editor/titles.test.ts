import { describe, expect, it } from "vitest";
import type { CatalogAction, FlowNode, JsonSchema, JsonValue } from "../api/types";
import { fieldTree } from "./fields/fields";
import { uniqueLabels } from "./fields/template";
import fixture from "./fields/catalog-order-paid.fixture.json";
import { actionTitle, conditionTitle, nodeTitle } from "./titles";

const actions = new Map(fixture.actions.map((a) => [a.key, a as unknown as CatalogAction]));
const fields = fieldTree(fixture.event.context_schema as JsonSchema);
const labels = uniqueLabels([{ path: "order.number", label: "订单号" }]);

describe("node titles from the action's name and its key parameter", () => {
  it("names a ticket by its queue's label, a tag by the tag, a note by its text with chips", () => {
    const ticket = {
      action: "ticket.open",
      params: { title: "VIP {{ order.number }}", queue: "service", priority: "high" },
    };
    expect(actionTitle(ticket, actions.get("ticket.open"), "zh")).toBe("创建工单：客服");
    expect(actionTitle(ticket, actions.get("ticket.open"), "en")).toMatch(/: Service$/);
    expect(actionTitle({ action: "order.tag", params: { tag: "vip" } }, actions.get("order.tag"), "zh")).toMatch(
      /：vip$/,
    );
    expect(
      actionTitle(
        { action: "order.note", params: { text: "大单 {{ order.number }}" } },
        actions.get("order.note"),
        "zh",
        labels,
      ),
    ).toMatch(/：大单 「订单号」$/);
  });

  it("is the action's name alone while no key parameter is set, and clips long text", () => {
    expect(actionTitle({ action: "ticket.open", params: {} }, actions.get("ticket.open"), "zh")).toBe("创建工单");
    const long = actionTitle(
      { action: "order.note", params: { text: "很".repeat(40) } },
      actions.get("order.note"),
      "zh",
    );
    expect([...long.split("：")[1]].length).toBe(24);
    expect(long.endsWith("…")).toBe(true);
  });

  it("says a condition in words, with value labels", () => {
    const rule: JsonValue = {
      and: [{ in: [{ var: "order.channel" }, ["tmall", "jd"]] }, { ">=": [{ var: "order.total_amount" }, 599] }],
    };
    expect(conditionTitle(rule, fields, "zh")).toBe("渠道 是 天猫或京东 且 订单金额 ≥ 599");
    expect(conditionTitle(rule, fields, "en")).toBe("Channel is Tmall or JD and Order total ≥ 599");
    expect(conditionTitle({ and: [] }, fields, "zh")).toBe("");
  });

  it("keeps a label the operator wrote", () => {
    const node: FlowNode = {
      id: "t",
      type: "action",
      action: "ticket.open",
      params: { queue: "service" },
      label: "通知客服",
    };
    expect(nodeTitle(node, actions, fields, "zh")).toBe("通知客服");
    expect(nodeTitle({ id: "c", type: "condition", rule: { and: [] } }, actions, fields, "zh")).toBe("条件");
  });
});
