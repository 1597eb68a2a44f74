import { describe, expect, it } from "vitest";
import type { FlowEdge, Position } from "../api/types";
import { layeredLayout, untangleBranches } from "./layout";

const edges: FlowEdge[] = [
  { from: "trigger", to: "c" },
  { from: "c", to: "yes1", branch: "true" },
  { from: "yes1", to: "yes2" },
  { from: "c", to: "no1", branch: "false" },
];

describe("the layout keeps a condition's yes side above its no side", () => {
  it("swaps the bands when yes came out below no", () => {
    const crossed = new Map<string, Position>([
      ["c", { x: 0, y: 100 }],
      ["yes1", { x: 300, y: 200 }],
      ["yes2", { x: 600, y: 200 }],
      ["no1", { x: 300, y: 0 }],
    ]);
    const out = untangleBranches(crossed, edges);
    expect(out.get("yes1")!.y).toBeLessThan(out.get("no1")!.y);
    expect(out.get("yes2")!.y).toBe(out.get("yes1")!.y);
    expect(out.get("c")).toEqual({ x: 0, y: 100 });
  });

  it("lays a whole flow out with yes above no, whichever edge came first", () => {
    for (const order of [edges, [...edges].reverse()]) {
      const positions = layeredLayout(
        ["c", "yes1", "yes2", "no1"].map((id) => ({ id })),
        order,
        true,
      );
      expect(positions.get("yes1")!.y).toBeLessThan(positions.get("no1")!.y);
      expect(positions.get("trigger")!.x).toBeLessThan(positions.get("c")!.x);
    }
  });
});
