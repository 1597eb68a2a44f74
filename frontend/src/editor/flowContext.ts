/** What a flow's steps may read: the trigger's context schema, its fields and variables, and a sample of it. */
import type { Catalog, FlowEdge, FlowNode, JsonSchema, Trigger } from "../api/types";
import { ancestorsOf } from "./document";
import { fieldTree, type FieldInfo } from "./fields/fields";
import { SAMPLE_OVERRIDES, sampleFor, schemaPaths, type Variable } from "./variables";

/** The context schema a flow's rules and templates read: the trigger's (its event's, for event triggers). */
export function contextSchemaOf(trigger: Trigger, catalog: Catalog): JsonSchema | null {
  if (trigger.type === "event") return catalog.events.find((e) => e.name === trigger.event)?.context_schema ?? null;
  if (trigger.type === "schedule" && trigger.for_each) return catalog.for_each_context_schema ?? null;
  return catalog.triggers.find((k) => k.type === trigger.type)?.context_schema ?? null;
}

/** The variables a node may use: the trigger's context, then the outputs of the steps that run before it. */
export function variablesFor(
  nodeId: string,
  trigger: Trigger,
  nodes: FlowNode[],
  edges: FlowEdge[],
  catalog: Catalog,
): Variable[] {
  const variables = schemaPaths(contextSchemaOf(trigger, catalog));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const id of ancestorsOf(nodeId, edges)) {
    const node = byId.get(id);
    if (!node || node.type !== "action") continue;
    const output = catalog.actions.find((a) => a.key === node.action)?.output_schema;
    variables.push({ path: `steps.${id}`, type: "object" }, ...schemaPaths(output, `steps.${id}`, 1));
  }
  return variables;
}

export function sampleContext(trigger: Trigger, catalog: Catalog): Record<string, unknown> {
  const schema = contextSchemaOf(trigger, catalog);
  const sample = (sampleFor(schema, "", SAMPLE_OVERRIDES) ?? {}) as Record<string, unknown>;
  if (sample.event && typeof sample.event === "object") {
    (sample.event as Record<string, unknown>).type = trigger.type === "event" ? trigger.event : trigger.type;
  }
  return sample;
}

/** The trigger's context as a tree of titled, typed fields. */
export function fieldsFor(trigger: Trigger, catalog: Catalog): FieldInfo[] {
  return fieldTree(contextSchemaOf(trigger, catalog));
}
