/** Shapes of the Orderflow API answers the app reads (see DESIGN "Flows" and "Public contract"). */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type JsonSchema = { [key: string]: unknown };

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

export interface Problem {
  code: string;
  message: string;
  node_id: string | null;
  pointer: string;
}

export interface UserRef {
  id: number;
  username: string;
}

export interface VersionSummary {
  flow: number;
  number: number;
  checksum: string;
  trigger_type: string;
  trigger_event: string;
  published_by: UserRef | null;
  published_at: string;
  notes: string;
}

export interface Version extends VersionSummary {
  definition: FlowDocument;
}

export interface Flow {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  owner: UserRef;
  definition: FlowDocument;
  current_version: VersionSummary | null;
  has_unpublished_changes: boolean;
  draft_updated_at: string;
  created_at: string;
  updated_at: string;
  valid?: boolean;
  problems?: Problem[];
  webhook_token?: string;
}

/** GET executions/stats/ (runtime/api/stats.py): per flow, its latest run and its runs and dead runs in the window. */
export interface FlowRunStats {
  flow: number;
  last_run_at: string | null;
  last_status: string | null;
  runs: number;
  failures: number;
}

export interface ExecutionStats {
  window_days: number;
  since: string;
  flows: FlowRunStats[];
}

export interface DocumentDiff {
  from: string;
  to: string;
  name_changed: boolean;
  description_changed: boolean;
  trigger: { changed: boolean; fields: string[] };
  nodes: { added: string[]; removed: string[]; changed: { id: string; fields: string[] }[] };
  edges: { added: FlowEdge[]; removed: FlowEdge[] };
}

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

/** One step of an execution (runtime.representation) or one entry of a test run's trace (runtime.dryrun). */
export interface Step {
  id?: number;
  node_id: string;
  kind: "condition" | "action";
  action: string | null;
  /** Executions: succeeded, failed, waiting, deferred. Test runs: evaluated, would_run, would_wait, failed, skipped, not_run. */
  status: string;
  decision: boolean | null;
  /** A condition's inputs, or an action's resolved params. */
  input: JsonValue;
  output: JsonValue;
  error: JsonValue;
  attempt?: number;
  started_at?: string | null;
  duration_ms?: number;
}

/** runtime.representation.execution_representation */
export interface Execution {
  id: number;
  flow: number;
  flow_version: number;
  trigger: string;
  event: number | null;
  subject: string | null;
  status: string;
  status_reason: string;
  current_node: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  steps: Step[];
  context?: JsonValue;
}

/** runtime.dryrun.flow_test_run */
export interface TestRunResult {
  flow: number;
  context: JsonValue;
  fired: boolean;
  trace: Step[];
}

export interface Ticket {
  id: number;
  title: string;
  queue: string;
  priority: string;
  status: "open" | "in_progress" | "closed";
  assignee_role: string;
  assignee: UserRef | null;
  due_at: string | null;
  overdue: boolean;
  order: number | null;
  order_number: string | null;
  created_by: { kind: string; id: string; label: string; source: string };
  resolution: string;
  created_at: string;
  closed_at: string | null;
  comments?: { id: number; author: UserRef | null; actor_label: string; body: string; created_at: string }[];
}

export interface Notification {
  id: number;
  to_role: string;
  title: string;
  body: string;
  order: number | null;
  order_number: string | null;
  created_by: { kind: string; id: string; label: string; source: string };
  created_at: string;
  read: boolean;
}

export interface Me {
  username: string;
  roles: string[];
}
