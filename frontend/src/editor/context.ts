import { createContext, useContext } from "react";
import type { Catalog, CatalogAction, Problem, Step } from "../api/types";

export interface Overlay {
  /** Each node's steps (attempts) from a test run or an execution. */
  trace: Map<string, Step[]> | null;
  /** The version diff to show: ids added or changed relative to the compared version. */
  diff: { added: Set<string>; changed: Set<string> } | null;
}

export interface EditorContextValue extends Overlay {
  catalog: Catalog;
  actions: Map<string, CatalogAction>;
  problems: Map<string, Problem[]>;
  readOnly: boolean;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error("useEditor outside the editor");
  return value;
}

/** The catalog's icon names as characters (the palette and nodes need no icon font). */
const ICONS: Record<string, string> = {
  tag: "🏷",
  ticket: "🎫",
  gift: "🎁",
  clock: "⏱",
  globe: "🌐",
  inbox: "📥",
  boxes: "📦",
  "package-open": "📦",
  "pause-circle": "⏸",
  "play-circle": "▶",
  "sticky-note": "📝",
  "arrow-right-circle": "➡",
  condition: "◇",
  event: "⚡",
  schedule: "🗓",
  webhook: "🔗",
  manual: "👆",
};

export function iconFor(name: string | undefined): string {
  return (name && ICONS[name]) || "⚙";
}

/** The latest step of a node, the one its badge shows. */
export function lastStep(steps: Step[] | undefined): Step | undefined {
  return steps && steps.length ? steps[steps.length - 1] : undefined;
}

/** A condition step's decision as the branch it takes, "true" or "false" (null for actions). */
export function decisionOf(step: Step | undefined): "true" | "false" | null {
  if (!step || step.decision === null || step.decision === undefined) return null;
  return step.decision ? "true" : "false";
}
