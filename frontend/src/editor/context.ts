import { createContext, useContext } from "react";
import type { Catalog, CatalogAction, Problem, Step } from "../api/types";
import type { FieldInfo } from "./fields/fields";

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
  /** The trigger's context as a tree of titled, typed fields (conditions pick from it). */
  fields: FieldInfo[];
  /** Each context variable's chip label (「订单号」), by path. */
  labels: Map<string, string>;
  /** Opens the palette to add the next step after `from` (on its `branch`). */
  onAddAfter?: (from: string, branch?: "true" | "false") => void;
  /** A node's title on the canvas (its label, else its action and key param), for lists of steps. */
  titleOf: (id: string) => string;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error("useEditor outside the editor");
  return value;
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
