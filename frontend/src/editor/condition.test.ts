import { existsSync, readFileSync } from "node:fs";
import jsonLogic from "json-logic-js";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../api/types";
import {
  ageMinutes,
  ageParts,
  coerceValue,
  fromJsonLogic,
  initialValue,
  numberValue,
  OPERATORS,
  operatorsFor,
  toJsonLogic,
  type Group,
  type Operator,
  type Rule,
} from "./condition";
import { minutesSince, parseTime } from "./jsonlogicOps";

type Case = [JsonValue, JsonValue, JsonValue];

// The shared conformance suite beside the repository, else the byte-identical copy the builder's tests vendor.
const shared = new URL("../../../../shared/conformance/jsonlogic/tests.json", import.meta.url).pathname;
const vendored = new URL("../../../tests/builder/fixtures/jsonlogic/tests.json", import.meta.url).pathname;
const suitePath = existsSync(shared) ? shared : vendored;
const suite = (JSON.parse(readFileSync(suitePath, "utf8")) as (string | Case)[]).filter((item): item is Case =>
  Array.isArray(item),
);

const isObject = (v: unknown): v is Record<string, JsonValue> => !!v && typeof v === "object" && !Array.isArray(v);
const literal = (v: JsonValue): boolean => (Array.isArray(v) ? v.every(literal) : !isObject(v));

/**
 * A conformance case as the builder would write it: the operand the rule reads becomes a context
 * field, the other the rule's value. Answers null for cases outside what the builder offers
 * (operators it does not write, nested rules, three-argument comparisons).
 */
function asBuilderCase([rule, , expected]: Case): {
  group: Group;
  data: Record<string, JsonValue>;
  expected: JsonValue;
  op: string;
} | null {
  if (!isObject(rule) || Object.keys(rule).length !== 1) return null;
  const op = Object.keys(rule)[0];
  const raw = rule[op];
  const args = Array.isArray(raw) ? raw : [raw];
  if (!args.every(literal)) return null;
  const one = (operator: Operator, _field: JsonValue, value: JsonValue): Group => ({
    kind: "group",
    combinator: "and",
    children: [{ kind: "rule", field: "f", operator, value } as Rule],
  });
  if (["==", "!=", ">", ">=", "<", "<="].includes(op)) {
    if (args.length !== 2 || Array.isArray(args[1]) || Array.isArray(args[0])) return null;
    return { group: one(op as Operator, args[0], args[1]), data: { f: args[0] }, expected, op };
  }
  if (op === "in" && args.length === 2) {
    if (Array.isArray(args[1])) return { group: one("in", args[0], args[1]), data: { f: args[0] }, expected, op };
    if (typeof args[1] === "string")
      return { group: one("contains", args[1], args[0]), data: { f: args[1] }, expected, op };
    return null;
  }
  if ((op === "!" || op === "!!") && args.length === 1) {
    return { group: one(op === "!" ? "falsy" : "truthy", args[0], null), data: { f: args[0] }, expected, op };
  }
  if ((op === "and" || op === "or") && args.length >= 1) {
    // A group of "is set" rules: JsonLogic's and/or answer an operand, the group its truth.
    const data = Object.fromEntries(args.map((value, i) => [`f${i}`, value]));
    const group: Group = {
      kind: "group",
      combinator: op,
      children: args.map((_v, i) => ({ kind: "rule", field: `f${i}`, operator: "truthy", value: null })),
    };
    return { group, data, expected: jsonLogic.truthy(expected), op };
  }
  return null;
}

const cases = suite.map((c) => [JSON.stringify(c), asBuilderCase(c), c] as const).filter(([, b]) => b !== null);

describe("condition builder against the shared JsonLogic conformance suite", () => {
  it("covers every operator the builder writes", () => {
    const ops = new Set(cases.map(([, b]) => b!.op));
    expect([...ops].sort()).toEqual(["!", "!!", "!=", "<", "<=", "==", ">", ">=", "and", "in", "or"].sort());
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases)("%s", (_name, builderCase, original) => {
    const { group, data, expected } = builderCase!;
    // json-logic-js itself agrees with the suite on the original rule…
    expect(jsonLogic.apply(original[0] as never, original[1])).toEqual(original[2]);
    // …the builder's JsonLogic gives the suite's answer on the same values…
    const written = toJsonLogic(group);
    expect(jsonLogic.apply(written as never, data)).toEqual(expected);
    // …and reading it back gives the same builder model.
    expect(fromJsonLogic(written)).toEqual(group);
  });
});

describe("condition builder", () => {
  it("writes the VIP rule as plain JsonLogic and reads it back", () => {
    const group: Group = {
      kind: "group",
      combinator: "and",
      children: [
        { kind: "rule", field: "order.channel", operator: "==", value: "tmall" },
        { kind: "rule", field: "order.total_amount", operator: ">=", value: 599 },
      ],
    };

    const rule = toJsonLogic(group);

    expect(rule).toEqual({
      and: [{ "==": [{ var: "order.channel" }, "tmall"] }, { ">=": [{ var: "order.total_amount" }, 599] }],
    });
    expect(jsonLogic.apply(rule as never, { order: { channel: "tmall", total_amount: "699.00" } })).toBe(true);
    expect(jsonLogic.apply(rule as never, { order: { channel: "jd", total_amount: "699.00" } })).toBe(false);
    expect(jsonLogic.apply(rule as never, { order: { channel: "tmall", total_amount: "598.99" } })).toBe(false);
    expect(fromJsonLogic(rule)).toEqual(group);
  });

  it("nests groups", () => {
    const rule: JsonValue = {
      or: [{ and: [{ "!!": { var: "a" } }, { "!": { in: ["x", { var: "b" }] } }] }, { in: [{ var: "c" }, [1, 2]] }],
    };

    const group = fromJsonLogic(rule);

    expect(group).not.toBeNull();
    expect(toJsonLogic(group!)).toEqual(rule);
  });

  it("reads a lone comparison as a one-rule group and an empty rule as an empty group", () => {
    expect(fromJsonLogic({ ">": [{ var: "n" }, 3] })).toEqual({
      kind: "group",
      combinator: "and",
      children: [{ kind: "rule", field: "n", operator: ">", value: 3 }],
    });
    expect(fromJsonLogic(undefined)).toEqual({ kind: "group", combinator: "and", children: [] });
  });

  it("leaves rules it cannot show to the JSON editor", () => {
    expect(fromJsonLogic({ some: [{ var: "order.lines" }, { ">": [{ var: "quantity" }, 3] }] })).toBeNull();
    expect(fromJsonLogic({ "<": [1, { var: "n" }, 3] })).toBeNull();
    expect(fromJsonLogic({ "==": [{ var: "a" }, { var: "b" }] })).toBeNull();
  });

  it("types what the operator typed", () => {
    expect(coerceValue("599", ">=", "string")).toBe(599);
    expect(coerceValue("599", "==", "string")).toBe("599");
    expect(coerceValue("3", "==", "integer")).toBe(3);
    expect(coerceValue("true", "==", "boolean")).toBe(true);
    expect(coerceValue("tmall, jd，pdd", "in", "string")).toEqual(["tmall", "jd", "pdd"]);
  });
});

describe("operators follow the field's kind (issue 19)", () => {
  it("compares money and numbers as numbers, at least first", () => {
    expect(operatorsFor("money")[0]).toBe(">=");
    expect(operatorsFor("money")).not.toContain("contains");
    expect(operatorsFor("number")).toEqual(operatorsFor("integer"));
  });

  it("offers text equals, contains and starts with; enums is one of; times and lists what applies", () => {
    expect(operatorsFor("text")).toEqual(expect.arrayContaining(["==", "contains", "starts"]));
    expect(operatorsFor("enum")[0]).toBe("in");
    expect(operatorsFor("list")).toContain("contains");
    expect(operatorsFor("bool")).toEqual(["truthy", "falsy"]);
    expect(operatorsFor(undefined, { ages: true })).toEqual([...OPERATORS]);
    expect(operatorsFor(undefined)).toEqual(OPERATORS.filter((op) => op !== "older"));
  });

  it("offers times older than N minutes/hours, is set and is empty — where the engine has minutes_since", () => {
    expect(operatorsFor("time", { ages: true })).toEqual(["older", "truthy", "falsy"]);
    // The risk, screening and refund engines have no minutes_since: their times are set or empty.
    expect(operatorsFor("time")).toEqual(["truthy", "falsy"]);
    expect(initialValue("older", "time")).toBeNull();
  });

  it("reads a typed amount as a number, with or without separators and the currency sign", () => {
    expect(numberValue("599")).toBe(599);
    expect(numberValue(" ¥1,299.50 ")).toBe(1299.5);
    expect(numberValue("abc")).toBeNull();
    expect(numberValue("")).toBeNull();
  });

  it("starts a list for is one of and nothing for money", () => {
    expect(initialValue("in", "enum")).toEqual([]);
    expect(initialValue(">=", "money")).toBeNull();
    expect(initialValue("truthy", "text")).toBeNull();
    expect(initialValue("==", "text")).toBe("");
  });

  it("writes starts with as a substring comparison that reads back, and that JsonLogic evaluates", () => {
    const rule: Rule = { kind: "rule", field: "order.number", operator: "starts", value: "OF-天猫" };
    const json = toJsonLogic({ kind: "group", combinator: "and", children: [rule] });
    expect(json).toEqual({ and: [{ "==": [{ substr: [{ var: "order.number" }, 0, 5] }, "OF-天猫"] }] });
    expect(fromJsonLogic(json)).toEqual({ kind: "group", combinator: "and", children: [rule] });
    expect(jsonLogic.apply(json as never, { order: { number: "OF-天猫-1" } })).toBe(true);
    expect(jsonLogic.apply(json as never, { order: { number: "OF-京东-1" } })).toBe(false);
    // A substring of another length is not "starts with": it stays in the advanced view.
    expect(fromJsonLogic({ "==": [{ substr: [{ var: "a" }, 0, 2] }, "abc"] })).toBeNull();
  });
});

describe("times: older than N minutes/hours (minutes_since, issue 19)", () => {
  const paid = (value: JsonValue): Rule => ({ kind: "rule", field: "order.paid_at", operator: "older", value });
  const one = (rule: Rule): Group => ({ kind: "group", combinator: "and", children: [rule] });

  it("writes minutes since the time, at least N, and reads it back the same", () => {
    const json = toJsonLogic(one(paid(120)));
    expect(json).toEqual({ and: [{ ">=": [{ minutes_since: [{ var: "order.paid_at" }] }, 120] }] });
    expect(fromJsonLogic(json)).toEqual(one(paid(120)));
    // A lone rule and the one-argument form without a list read the same; an unset N too.
    expect(fromJsonLogic({ ">=": [{ minutes_since: { var: "order.paid_at" } }, 45] })).toEqual(one(paid(45)));
    expect(fromJsonLogic(toJsonLogic(one(paid(null))))).toEqual(one(paid(null)));
  });

  it("leaves other forms of minutes_since to the advanced view", () => {
    expect(fromJsonLogic({ ">": [{ minutes_since: [{ var: "t" }] }, 5] })).toBeNull();
    expect(fromJsonLogic({ ">=": [{ minutes_since: [{ var: "t" }, 1] }, 5] })).toBeNull();
    expect(fromJsonLogic({ ">=": [{ minutes_since: ["2026-01-01"] }, 5] })).toBeNull();
    expect(fromJsonLogic({ ">=": [{ minutes_since: [{ var: "t" }] }, "5"] })).toBeNull();
  });

  it("stores hours as minutes, and shows whole hours as hours", () => {
    expect(ageMinutes("2", "hours")).toBe(120);
    expect(ageMinutes("1.5", "hours")).toBe(90);
    expect(ageMinutes("30", "minutes")).toBe(30);
    expect(ageMinutes("", "hours")).toBeNull();
    expect(ageMinutes("two", "minutes")).toBeNull();
    expect(ageParts(120)).toEqual({ amount: 2, unit: "hours" });
    expect(ageParts(90)).toEqual({ amount: 90, unit: "minutes" });
    expect(ageParts(0)).toEqual({ amount: 0, unit: "minutes" });
    expect(ageParts(null)).toEqual({ amount: null, unit: "hours" });
  });

  it("evaluates in the browser as on the server: whole minutes, rounded down, null for no time", () => {
    const now = Date.UTC(2026, 11, 6, 14, 0, 0);
    expect(minutesSince("2026-12-06T14:00:00Z", now)).toBe(0);
    expect(minutesSince("2026-12-06T13:59:00.001Z", now)).toBe(0);
    expect(minutesSince("2026-12-06T13:59:00Z", now)).toBe(1);
    expect(minutesSince("2026-12-06T12:00:00", now)).toBe(120);
    expect(minutesSince("2026-12-06", now)).toBe(14 * 60);
    expect(minutesSince("2026-12-06T14:00:30Z", now)).toBe(-1);
    expect(minutesSince("2026-12-06T21:30:00+08:00", now)).toBe(30);
    expect(minutesSince("2026-12-06T08:30:00-05:00", now)).toBe(30);
    for (const bad of [null, undefined, "", "soon", "2026-13-45T00:00:00Z", "20261206T1400", 1700000000, true, {}])
      expect(parseTime(bad)).toBeNull();
  });

  it("gives the server's answers on the cases both engines share", () => {
    const path = new URL("../../../tests/builder/fixtures/jsonlogic/minutes_since.json", import.meta.url).pathname;
    const vectors = JSON.parse(readFileSync(path, "utf8")) as { now: string; cases: [JsonValue, number | null][] };
    const now = Date.parse(vectors.now);
    expect(vectors.cases.length).toBeGreaterThan(20);
    for (const [value, minutes] of vectors.cases) expect([value, minutesSince(value, now)]).toEqual([value, minutes]);
  });

  it("is registered in json-logic-js, so the preview answers as the worker will", () => {
    const hourAgo = new Date(Date.now() - 61 * 60_000).toISOString();
    const rule = toJsonLogic(one(paid(60)));
    expect(jsonLogic.apply(rule as never, { order: { paid_at: hourAgo } })).toBe(true);
    expect(jsonLogic.apply(rule as never, { order: { paid_at: new Date().toISOString() } })).toBe(false);
    expect(jsonLogic.apply(rule as never, { order: {} })).toBe(false);
    expect(jsonLogic.apply(rule as never, { order: { paid_at: "not a time" } })).toBe(false);
  });
});
