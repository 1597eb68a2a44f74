/**
 * Shapes of the Orderflow API answers the app reads (see DESIGN "Flows" and "Public contract").
 *
 * Where the backend's OpenAPI schema describes an answer, its type comes from the generated
 * `schema.d.ts` (`npm run api-types`). The types written out here are those the schema leaves
 * free-form: the flow document (checked by the builder's validator, a JSON object to the API), the
 * catalog and the test-run answer.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type JsonSchema = { [key: string]: unknown };

/*
 * The flow document (DESIGN "Flows"). To the schema it is a free-form JSON object (`definition`); the
 * builder's validator checks it, and these types say what the editor writes.
 */

export interface Position {
  x: number;
  y: number;
}

export interface Trigger {
  type: "event" | "schedule" | "webhook" | "manual";
  event?: string;
  cron?: string;
  timezone?: string;
  for_each?: JsonObject;
  hmac_secret?: string;
  position?: Position;
  [key: string]: unknown;
}

export interface ConditionNode {
  id: string;
  type: "condition";
  rule: JsonValue;
  position?: Position;
  label?: string;
  [key: string]: unknown;
}

export interface ActionNode {
  id: string;
  type: "action";
  action: string;
  params?: JsonObject;
  retry?: { max_attempts: number; backoff_seconds: number };
  position?: Position;
  label?: string;
  [key: string]: unknown;
}

export type FlowNode = ConditionNode | ActionNode;

export interface FlowEdge {
  from: string;
  to: string;
  branch?: "true" | "false";
}

export interface FlowDocument {
  format: "orderflow.flow/v1";
  name: string;
  description?: string;
  trigger: Trigger;
  nodes: FlowNode[];
  edges: FlowEdge[];
  [key: string]: unknown;
}

export type Problem = Schemas["FlowProblem"];

export type UserRef = Schemas["FlowUserRef"];

export type VersionSummary = Schemas["FlowVersionSummary"];

/** The schema leaves `definition` free-form (see FlowDocument). */
export type Version = Omit<Schemas["FlowVersion"], "definition"> & { definition: FlowDocument };

/** The schema leaves `definition` free-form (see FlowDocument). */
export type Flow = Omit<Schemas["Flow"], "definition"> & { definition: FlowDocument };

/** GET executions/stats/ (runtime/api/stats.py): per flow, its latest run and its runs and dead runs in the window. */
export type FlowRunStats = Schemas["FlowRunStats"];

export type ExecutionStats = Schemas["ExecutionStats"];

/** The schema describes the diff's edges as free-form objects; they are the documents' edges. */
export type DocumentDiff = Omit<Schemas["FlowDiff"], "edges"> & { edges: { added: FlowEdge[]; removed: FlowEdge[] } };

/*
 * GET catalog/: the schema describes it as a free-form object (the catalog is assembled from the
 * connector manifests and the builder's schemas, not from a serializer), so its shape is written out here.
 */

export interface Localized {
  en: string;
  zh: string;
}

export interface CatalogAction {
  key: string;
  name: Localized;
  description: Localized;
  connector: string;
  group: string;
  icon: string;
  contacts_customer: boolean;
  default_retry: { max_attempts: number; backoff_seconds: number };
  params_schema: JsonSchema;
  output_schema: JsonSchema;
}

export interface CatalogEvent {
  name: string;
  name_en: string;
  name_zh: string;
  objects: string[];
  context_schema: JsonSchema;
  /** False for an event nothing emits yet (no connector sends it); absent from older backends, meaning true. */
  available?: boolean;
  /** Why it is unavailable, e.g. zh "尚未接入：发货事件将随快递连接器提供"; null or absent when available. */
  unavailable_reason?: Localized | null;
}

export interface CatalogTrigger {
  type: Trigger["type"];
  name: Localized;
  description: Localized;
  config_schema: JsonSchema;
  context_schema: JsonSchema | null;
}

export interface CatalogConnector {
  key: string;
  name: Localized;
  kind: string;
  icon: string;
  actions: string[];
}

export interface Catalog {
  format: string;
  triggers: CatalogTrigger[];
  for_each_context_schema?: JsonSchema;
  events: CatalogEvent[];
  actions: CatalogAction[];
  connectors: CatalogConnector[];
  condition: { language: string; operators: { operator: string; name: Localized }[] };
  template?: { filters: { name: string; description: Localized }[] };
}

/**
 * What the canvas and the step list read of a step: an execution's step (the schema's `Step`, which is
 * assignable to this) or an entry of a test run's trace (runtime.dryrun), which the schema does not
 * describe because the test-run answer is free-form.
 */
export interface Step {
  id?: number;
  node_id: string;
  kind: "condition" | "action";
  action: string | null;
  /** Executions: succeeded, failed, waiting. Test runs: evaluated, would_run, would_wait, failed, skipped, not_run. */
  status: string;
  decision: boolean | null;
  /** A condition's inputs, or an action's resolved params. */
  input: unknown;
  output: unknown;
  error: unknown;
  attempt?: number;
  started_at?: string | null;
  duration_ms?: number;
}

/** runtime.representation.execution_representation; the detail answer adds the run's `context`, which the schema leaves out. */
export type Execution = Schemas["Execution"] & { context?: JsonValue };

/** runtime.dryrun.flow_test_run: the schema leaves the test-run answer free-form. */
export interface TestRunResult {
  flow: number;
  context: JsonValue;
  fired: boolean;
  trace: Step[];
}

/** A ticket in the list. */
export type Ticket = Schemas["Ticket"];

/** A ticket's detail and the answer of its actions: the ticket with its comments. */
export type TicketDetail = Schemas["TicketDetail"];

export type Notification = Schemas["Notification"];

export type Me = Schemas["Me"];
