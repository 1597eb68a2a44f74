import { describe, expect, it } from "vitest";
import type { Catalog, JsonSchema, Trigger } from "../api/types";
import {
  filterStatuses,
  forEachOf,
  minutesOf,
  ORDER_STATUSES,
  setCooldown,
  setFilter,
  setForEachOn,
  setStatuses,
  statusesOf,
} from "./forEach";
import { variablesFor } from "./NodePanel";
import { uiSchemaFor } from "./ParamsForm";

const schedule: Trigger = { type: "schedule", cron: "*/10 * * * *", timezone: "Asia/Shanghai" };

const ORDER_CONTEXT: JsonSchema = {
  type: "object",
  properties: {
    event: { type: "object", properties: { id: { type: "string" }, type: { type: "string" } } },
    order: {
      type: "object",
      properties: { number: { type: "string" }, status: { type: "string" }, total_amount: { type: "string" } },
    },
  },
};

/** Just enough of GET /api/v1/catalog/ (builder/catalog.py) for the trigger form and the variable picker. */
const catalog = {
  format: "orderflow.flow/v1",
  triggers: [
    {
      type: "schedule",
      name: { en: "Schedule", zh: "定时" },
      description: { en: "", zh: "" },
      config_schema: {
        properties: {
          for_each: {
            properties: {
              filter: {
                properties: {
                  status: { anyOf: [{ type: "string", enum: ["pending_payment", "paid"] }, { type: "array" }] },
                },
              },
            },
          },
        },
      },
      context_schema: { type: "object", properties: { event: ORDER_CONTEXT.properties } },
    },
  ],
  for_each_context_schema: ORDER_CONTEXT,
  events: [],
  actions: [],
  connectors: [],
  condition: { language: "jsonlogic", operators: [] },
} as unknown as Catalog;

describe("for each order, on a schedule trigger", () => {
  it("is turned on as the orders collection and off by removing the key", () => {
    const on = setForEachOn(schedule, true);

    expect(on).toEqual({ ...schedule, for_each: { collection: "orders" } });
    expect(setForEachOn(on, false)).toEqual(schedule);
    expect("for_each" in setForEachOn(on, false)).toBe(false);
  });

  it("writes the filter and cooldown in the shape the server validates", () => {
    let trigger = setForEachOn(schedule, true);
    trigger = setStatuses(trigger, ["pending_payment"]);
    trigger = setFilter(trigger, "status_older_than_minutes", minutesOf("30"));
    trigger = setFilter(trigger, "channel", "tmall");
    trigger = setFilter(trigger, "tag", "vip");
    trigger = setFilter(trigger, "on_hold", false);
    trigger = setCooldown(trigger, minutesOf("120"));

    expect(trigger.for_each).toEqual({
      collection: "orders",
      filter: {
        status: "pending_payment",
        status_older_than_minutes: 30,
        channel: "tmall",
        tag: "vip",
        on_hold: false,
      },
      cooldown_minutes: 120,
    });
  });

  it("writes one status as a string, several as a list, none not at all", () => {
    const one = setStatuses(setForEachOn(schedule, true), ["paid"]);
    const two = setStatuses(one, ["paid", "pending_payment"]);
    const none = setStatuses(two, []);

    expect(one.for_each).toEqual({ collection: "orders", filter: { status: "paid" } });
    expect(two.for_each).toEqual({ collection: "orders", filter: { status: ["paid", "pending_payment"] } });
    expect(none.for_each).toEqual({ collection: "orders" });
    expect(statusesOf(forEachOf(two))).toEqual(["paid", "pending_payment"]);
    expect(statusesOf(forEachOf(one))).toEqual(["paid"]);
  });

  it("clearing a field removes its key and keeps the others in their order", () => {
    const trigger: Trigger = {
      ...schedule,
      for_each: {
        collection: "orders",
        filter: { province: "浙江省", status: ["pending_payment"], status_older_than_minutes: 30 },
        cooldown_minutes: 60,
      },
    };

    const cleared = setCooldown(setFilter(trigger, "status_older_than_minutes", minutesOf("")), undefined);

    expect(JSON.stringify(cleared.for_each)).toBe(
      JSON.stringify({ collection: "orders", filter: { province: "浙江省", status: ["pending_payment"] } }),
    );
  });

  it("reads minutes as integers and empty text as nothing", () => {
    expect([minutesOf("45"), minutesOf(" "), minutesOf("2.7"), minutesOf("0")]).toEqual([45, undefined, 2, 0]);
  });

  it("offers the statuses the catalog's schedule schema allows, or the order statuses", () => {
    expect(filterStatuses(catalog)).toEqual(["pending_payment", "paid"]);
    expect(filterStatuses({ ...catalog, triggers: [] })).toEqual(ORDER_STATUSES);
  });

  it("puts order.* fields in the variable picker only when it is on", () => {
    const paths = (trigger: Trigger) =>
      variablesFor("a", trigger, [], [{ from: "trigger", to: "a" }], catalog).map((v) => v.path);

    expect(paths(setForEachOn(schedule, true))).toEqual(
      expect.arrayContaining(["order", "order.number", "order.status", "order.total_amount"]),
    );
    expect(paths(schedule).some((path) => path.startsWith("order"))).toBe(false);
  });
});

describe("secret params", () => {
  it("get a masked input that is never autofilled", () => {
    const ui = uiSchemaFor(
      {
        type: "object",
        properties: { url: { type: "string" }, sign_secret: { type: "string", writeOnly: true, format: "password" } },
      },
      "zh",
    );

    expect(ui.sign_secret).toMatchObject({
      "ui:widget": "password",
      "ui:options": { autocomplete: "new-password" },
      "ui:title": "签名密钥",
    });
    expect(ui.url["ui:widget"]).toBeUndefined();
  });
});
