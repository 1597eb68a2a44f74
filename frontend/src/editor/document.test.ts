import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FlowDocument } from "../api/types";
import { ancestorsOf, fromCanvas, newNodeId, toCanvas, TRIGGER_ID } from "./document";

const here = new URL(".", import.meta.url).pathname;
const templatesDir = join(here, "../../../templates");

function jsonFiles(dir: string): [string, FlowDocument][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name: string) => name.endsWith(".json"))
    .sort()
    .map((name: string) => [name, JSON.parse(readFileSync(join(dir, name), "utf8")) as FlowDocument]);
}

/** Templates may wrap the document (marketplace metadata around it); the flow is its `definition` then. */
function flowOf(value: FlowDocument): FlowDocument {
  const wrapped = (value as { definition?: unknown }).definition;
  return wrapped && typeof wrapped === "object" && "nodes" in wrapped ? (wrapped as FlowDocument) : value;
}

/** Each template's flow: `templates/<slug>/flow.json`. */
function templateFlows(dir: string): [string, FlowDocument][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name: string) => existsSync(join(dir, name, "flow.json")))
    .sort()
    .map((name: string) => [name, JSON.parse(readFileSync(join(dir, name, "flow.json"), "utf8")) as FlowDocument]);
}

const fixtures = jsonFiles(join(here, "fixtures"));
const templates = templateFlows(templatesDir).map(([name, doc]) => [name, flowOf(doc)] as [string, FlowDocument]);

describe("canvas ↔ document round trip", () => {
  it("has test documents to run", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
    expect(templates.length).toBeGreaterThanOrEqual(3);
  });

  it.each([...fixtures, ...templates])("%s comes back unchanged, key order included", (_name, document) => {
    const canvas = toCanvas(document);

    const back = fromCanvas(canvas.meta, canvas.nodes, canvas.edges);

    expect(back).toEqual(document);
    expect(JSON.stringify(back)).toBe(JSON.stringify(document));
  });

  it.each([...fixtures, ...templates])("%s: the canvas has the trigger and every node and edge", (_name, document) => {
    const canvas = toCanvas(document);

    expect(canvas.nodes[0].id).toBe(TRIGGER_ID);
    expect(canvas.nodes.slice(1).map((n) => n.id)).toEqual(document.nodes.map((n) => n.id));
    expect(canvas.edges.map((e) => [e.source, e.target, e.sourceHandle ?? undefined])).toEqual(
      document.edges.map((e) => [e.from, e.to, e.branch]),
    );
  });

  it("a moved node gets its new position; unmoved nodes without one stay without", () => {
    const document = fixtures.find(([name]) => name === "no-positions-schedule.json")![1];
    const canvas = toCanvas(document);
    const nodes = canvas.nodes.map((n) =>
      n.id === "hold" && n.data.kind === "step"
        ? { ...n, position: { x: 500, y: 60 }, data: { ...n.data, positioned: true } }
        : n,
    );

    const back = fromCanvas(canvas.meta, nodes, canvas.edges);

    expect(back.nodes.find((n) => n.id === "hold")).toEqual({
      action: "order.hold",
      id: "hold",
      type: "action",
      params: { reason: "超时未处理" },
      label: "挂起",
      position: { x: 500, y: 60 },
    });
    expect(back.nodes.find((n) => n.id === "remind")!.position).toBeUndefined();
  });

  it.each([...fixtures, ...templates])(
    "%s: a moved trigger is saved with its position and loads where it was left",
    (_name, document) => {
      const canvas = toCanvas(document);
      const nodes = canvas.nodes.map((n) =>
        n.id === TRIGGER_ID ? { ...n, position: { x: -512, y: 64 }, data: { ...n.data, positioned: true } } : n,
      );

      const back = fromCanvas(canvas.meta, nodes, canvas.edges);
      const again = toCanvas(back);

      expect(back.trigger).toEqual({ ...document.trigger, position: { x: -512, y: 64 } });
      expect({ ...back, trigger: document.trigger }).toEqual(document);
      expect(again.nodes.map((n) => [n.id, n.position])).toEqual(nodes.map((n) => [n.id, n.position]));
      expect(JSON.stringify(fromCanvas(again.meta, again.nodes, again.edges))).toBe(JSON.stringify(back));
    },
  );

  it("a trigger with a position is placed there, and an unmoved one without stays without", () => {
    const placed = fixtures.find(([name]) => name === "trigger-position.json")![1];
    const unplaced = fixtures.find(([name]) => name === "design-example.json")![1];

    const withPosition = toCanvas(placed);
    const without = toCanvas(unplaced);

    expect(withPosition.nodes[0].position).toEqual({ x: -260, y: 120.5 });
    expect(withPosition.nodes[0].data.positioned).toBe(true);
    expect(without.nodes[0].data.positioned).toBe(false);
    expect(fromCanvas(without.meta, without.nodes, without.edges).trigger).toEqual(unplaced.trigger);
    expect("position" in fromCanvas(without.meta, without.nodes, without.edges).trigger).toBe(false);
  });

  it("editing the trigger keeps its position", () => {
    const document = fixtures.find(([name]) => name === "trigger-position.json")![1];
    const canvas = toCanvas(document);
    const nodes = canvas.nodes.map((n) =>
      n.data.kind === "trigger" ? { ...n, data: { ...n.data, trigger: { type: "manual" as const } } } : n,
    );

    const back = fromCanvas(canvas.meta, nodes, canvas.edges);

    expect(back.trigger).toEqual({ type: "manual", position: { y: 120.5, x: -260 } });
  });

  it("nodes without positions are laid out left to right after the trigger", () => {
    const document = fixtures.find(([name]) => name === "no-positions-schedule.json")![1];

    const canvas = toCanvas(document);

    const x = Object.fromEntries(canvas.nodes.map((n) => [n.id, n.position.x]));
    expect(x.trigger).toBeLessThan(x.old);
    expect(x.old).toBeLessThan(x.remind);
    expect(x.old).toBeLessThan(x.hold);
  });

  it("a new edge from a condition's handle carries the branch", () => {
    const document = fixtures.find(([name]) => name === "design-example.json")![1];
    const canvas = toCanvas(document);
    const edges = [...canvas.edges, { id: "new", source: "big", target: "gift", sourceHandle: "false" }];

    const back = fromCanvas(canvas.meta, canvas.nodes, edges);

    expect(back.edges.at(-1)).toEqual({ from: "big", to: "gift", branch: "false" });
  });
});

describe("node ids", () => {
  it("are readable, unique and never 'trigger'", () => {
    expect(newNodeId("order.tag", [])).toBe("order_tag");
    expect(newNodeId("order.tag", ["order_tag", "order_tag_2"])).toBe("order_tag_3");
    expect(newNodeId("trigger", [])).toBe("trigger_2");
    expect(newNodeId("9.x", [])).toBe("x");
    expect(newNodeId("条件", [])).toBe("node");
  });
});

describe("ancestors", () => {
  it("are the nodes that run before, without the trigger", () => {
    const edges = [
      { from: "trigger", to: "a" },
      { from: "a", to: "b", branch: "true" as const },
      { from: "b", to: "c" },
      { from: "a", to: "d", branch: "false" as const },
    ];
    expect(ancestorsOf("c", edges).sort()).toEqual(["a", "b"]);
    expect(ancestorsOf("a", edges)).toEqual([]);
  });
});
