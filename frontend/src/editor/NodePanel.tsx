import { useMemo, useState } from "react";
import type {
  ActionNode,
  Catalog,
  ConditionNode,
  FlowEdge,
  FlowNode,
  JsonObject,
  JsonSchema,
  Trigger,
} from "../api/types";
import { useI18n } from "../i18n/i18n";
import { ConditionBuilder } from "./ConditionBuilder";
import { ForEachForm } from "./ForEachForm";
import { useEditor } from "./context";
import { ancestorsOf, TRIGGER_ID, type CanvasNode } from "./document";
import { anyEventAvailable, defaultEvent, eventAvailable, unavailableEventOf, unavailableReason } from "./events";
import { ParamsForm } from "./ParamsForm";
import { SAMPLE_OVERRIDES, sampleFor, schemaPaths, type Variable } from "./variables";

const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

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

function TriggerForm({
  trigger,
  onChange,
  readOnly,
}: {
  trigger: Trigger;
  onChange: (trigger: Trigger) => void;
  readOnly: boolean;
}) {
  const { t, pick } = useI18n();
  const { catalog } = useEditor();
  const unavailable = unavailableEventOf(trigger, catalog);
  const setType = (type: Trigger["type"]) => {
    if (type === trigger.type) return;
    if (type === "event") onChange({ type, event: defaultEvent(catalog) });
    else if (type === "schedule") onChange({ type, cron: "0 9 * * *", timezone: "Asia/Shanghai" });
    else onChange({ type });
  };
  return (
    <fieldset disabled={readOnly} className="plain stack">
      <label>
        {t("editor.triggerType")}
        <select
          value={trigger.type}
          onChange={(e) => setType(e.target.value as Trigger["type"])}
          data-testid="trigger-type"
        >
          {catalog.triggers.map((k) => {
            const noEvent = k.type === "event" && k.type !== trigger.type && !anyEventAvailable(catalog);
            return (
              <option
                key={k.type}
                value={k.type}
                disabled={noEvent}
                title={noEvent ? t("editor.noEventAvailable") : undefined}
              >
                {pick(k.name)}
              </option>
            );
          })}
        </select>
      </label>
      {trigger.type === "event" && (
        <label>
          {t("editor.event")}
          <select
            value={trigger.event ?? ""}
            onChange={(e) => onChange({ ...trigger, event: e.target.value })}
            data-testid="trigger-event"
          >
            <option value="">{t("editor.chooseEvent")}</option>
            {catalog.events.map((event) => {
              const name = `${pick({ zh: event.name_zh, en: event.name_en })} (${event.name})`;
              if (eventAvailable(event))
                return (
                  <option key={event.name} value={event.name}>
                    {name}
                  </option>
                );
              const reason = pick(unavailableReason(event) ?? undefined, t("editor.eventUnavailable"));
              return (
                <option key={event.name} value={event.name} disabled title={reason}>
                  {name} · {reason}
                </option>
              );
            })}
          </select>
        </label>
      )}
      {unavailable && (
        <p className="node-warning" role="alert" data-testid="trigger-event-unavailable">
          {t("editor.triggerEventUnavailable", { event: pick({ zh: unavailable.name_zh, en: unavailable.name_en }) })}
          {unavailable.unavailable_reason && <span className="small"> {pick(unavailable.unavailable_reason)}</span>}
        </p>
      )}
      {trigger.type === "schedule" && (
        <>
          <label>
            {t("editor.cron")}
            <input value={trigger.cron ?? ""} onChange={(e) => onChange({ ...trigger, cron: e.target.value })} />
          </label>
          <label>
            {t("editor.timezone")}
            <input
              value={trigger.timezone ?? ""}
              onChange={(e) => onChange({ ...trigger, timezone: e.target.value })}
            />
          </label>
          <ForEachForm trigger={trigger} onChange={onChange} />
        </>
      )}
    </fieldset>
  );
}

/**
 * The node's outgoing edges as a list with a picker to add one: the keyboard's way to connect
 * nodes (dragging between handles does the same with a mouse).
 */
function NextSteps({
  nodeId,
  branches,
  edges,
  nodes,
  onConnect,
  onDisconnect,
}: {
  nodeId: string;
  branches: ("true" | "false" | undefined)[];
  edges: FlowEdge[];
  nodes: FlowNode[];
  onConnect: (edge: FlowEdge) => void;
  onDisconnect: (edge: FlowEdge) => void;
}) {
  const { t } = useI18n();
  const { readOnly } = useEditor();
  return (
    <div className="next-steps">
      <h3>{t("editor.next")}</h3>
      {branches.map((branch) => {
        const out = edges.filter((e) => e.from === nodeId && e.branch === branch);
        const taken = new Set(out.map((e) => e.to));
        const label = branch
          ? t("editor.nextFor", { branch: branch === "true" ? t("editor.yes") : t("editor.no") })
          : t("editor.nextPlain");
        return (
          <div key={branch ?? "plain"} className="next-branch">
            <span className="small muted">{label}</span>
            <ul>
              {out.map((edge) => (
                <li key={edge.to}>
                  <span className="mono">{edge.to}</span>
                  {!readOnly && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => onDisconnect(edge)}
                      aria-label={`${t("editor.removeEdge")} ${edge.to}`}
                    >
                      ✕
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {!readOnly && (
              <select
                value=""
                aria-label={label}
                onChange={(e) =>
                  e.target.value &&
                  onConnect(
                    branch ? { from: nodeId, to: e.target.value, branch } : { from: nodeId, to: e.target.value },
                  )
                }
              >
                <option value="">{t("editor.addEdge")}</option>
                {nodes
                  .filter((n) => n.id !== nodeId && !taken.has(n.id))
                  .map((n) => (
                    <option key={n.id} value={n.id}>
                      {n.label ? `${n.label} (${n.id})` : n.id}
                    </option>
                  ))}
              </select>
            )}
          </div>
        );
      })}
    </div>
  );
}

function IdField({ id, onRename, readOnly }: { id: string; onRename: (id: string) => boolean; readOnly: boolean }) {
  const { t } = useI18n();
  const [text, setText] = useState(id);
  const [bad, setBad] = useState(false);
  const commit = () => {
    if (text === id) return;
    const ok = NODE_ID.test(text) && text !== TRIGGER_ID && onRename(text);
    setBad(!ok);
    if (!ok) setText(id);
  };
  return (
    <label>
      {t("editor.nodeId")}
      <input
        value={text}
        readOnly={readOnly}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
        aria-invalid={bad}
        className="mono"
      />
    </label>
  );
}

export function NodePanel({
  node,
  trigger,
  nodes,
  edges,
  onTrigger,
  onNode,
  onRename,
  onDelete,
  onConnect,
  onDisconnect,
}: {
  node: CanvasNode | null;
  trigger: Trigger;
  nodes: FlowNode[];
  edges: FlowEdge[];
  onTrigger: (trigger: Trigger) => void;
  onNode: (id: string, change: (node: FlowNode) => FlowNode, coalesce?: string) => void;
  onRename: (from: string, to: string) => boolean;
  onDelete: (id: string) => void;
  onConnect: (edge: FlowEdge) => void;
  onDisconnect: (edge: FlowEdge) => void;
}) {
  const { t, pick } = useI18n();
  const { catalog, actions, readOnly, problems } = useEditor();
  const variables = useMemo(
    () => (node && node.data.kind === "step" ? variablesFor(node.id, trigger, nodes, edges, catalog) : []),
    [node, trigger, nodes, edges, catalog],
  );
  const sample = useMemo(() => sampleContext(trigger, catalog), [trigger, catalog]);

  if (!node) return <p className="muted panel-empty">{t("editor.selectNode")}</p>;
  const nodeProblems = problems.get(node.id) ?? [];
  const problemList = nodeProblems.length > 0 && (
    <ul className="node-problems" role="alert">
      {nodeProblems.map((p, i) => (
        <li key={i}>
          {p.message} <code className="muted small">{p.pointer}</code>
        </li>
      ))}
    </ul>
  );

  if (node.data.kind === "trigger") {
    return (
      <div className="node-panel" data-testid="node-panel">
        <h2>{t("editor.trigger")}</h2>
        {problemList}
        <TriggerForm trigger={node.data.trigger} onChange={onTrigger} readOnly={readOnly} />
        <NextSteps
          nodeId={TRIGGER_ID}
          branches={[undefined]}
          edges={edges}
          nodes={nodes}
          onConnect={onConnect}
          onDisconnect={onDisconnect}
        />
      </div>
    );
  }

  const flowNode = node.data.node;
  const label = (
    <label>
      {t("editor.label")}
      <input
        value={flowNode.label ?? ""}
        readOnly={readOnly}
        onChange={(e) =>
          onNode(
            flowNode.id,
            (n) => {
              const { label: _old, ...rest } = n;
              return (e.target.value ? { ...rest, label: e.target.value } : rest) as FlowNode;
            },
            `label:${flowNode.id}`,
          )
        }
      />
    </label>
  );
  const head = (title: string) => (
    <div className="panel-head">
      <h2>{title}</h2>
      {!readOnly && (
        <button type="button" className="danger-button" onClick={() => onDelete(flowNode.id)}>
          {t("editor.deleteNode")}
        </button>
      )}
    </div>
  );

  if (flowNode.type === "condition") {
    const condition = flowNode as ConditionNode;
    return (
      <div className="node-panel" data-testid="node-panel">
        {head(t("editor.condition"))}
        {problemList}
        <div className="stack">
          <IdField
            key={flowNode.id}
            id={flowNode.id}
            onRename={(to) => onRename(flowNode.id, to)}
            readOnly={readOnly}
          />
          {label}
        </div>
        <h3>{t("cond.title")}</h3>
        <ConditionBuilder
          key={flowNode.id}
          rule={condition.rule}
          variables={variables}
          sample={sample}
          readOnly={readOnly}
          onChange={(rule) => onNode(flowNode.id, (n) => ({ ...n, rule }) as FlowNode, `rule:${flowNode.id}`)}
        />
        <NextSteps
          nodeId={flowNode.id}
          branches={["true", "false"]}
          edges={edges}
          nodes={nodes}
          onConnect={onConnect}
          onDisconnect={onDisconnect}
        />
      </div>
    );
  }

  const action = flowNode as ActionNode;
  const spec = actions.get(action.action);
  const retry = action.retry;
  return (
    <div className="node-panel" data-testid="node-panel">
      {head(spec ? pick(spec.name) : t("editor.unknownAction", { key: action.action }))}
      {spec && <p className="muted small">{pick(spec.description)}</p>}
      {problemList}
      <div className="stack">
        <IdField key={flowNode.id} id={flowNode.id} onRename={(to) => onRename(flowNode.id, to)} readOnly={readOnly} />
        {label}
      </div>
      <h3>{t("editor.params")}</h3>
      {spec ? (
        <ParamsForm
          key={flowNode.id}
          schema={spec.params_schema}
          params={(action.params ?? {}) as JsonObject}
          variables={variables}
          readOnly={readOnly}
          onChange={(params) => onNode(flowNode.id, (n) => ({ ...n, params }) as FlowNode, `params:${flowNode.id}`)}
        />
      ) : (
        <pre className="json">{JSON.stringify(action.params ?? {}, null, 2)}</pre>
      )}
      <NextSteps
        nodeId={flowNode.id}
        branches={[undefined]}
        edges={edges}
        nodes={nodes}
        onConnect={onConnect}
        onDisconnect={onDisconnect}
      />
      <details>
        <summary>{t("editor.retry")}</summary>
        <fieldset disabled={readOnly} className="plain row">
          <label>
            {t("editor.maxAttempts")}
            <input
              type="number"
              min={1}
              max={10}
              value={retry?.max_attempts ?? spec?.default_retry.max_attempts ?? 3}
              onChange={(e) =>
                onNode(
                  flowNode.id,
                  (n) =>
                    ({
                      ...n,
                      retry: {
                        backoff_seconds: retry?.backoff_seconds ?? spec?.default_retry.backoff_seconds ?? 30,
                        max_attempts: Number(e.target.value),
                      },
                    }) as FlowNode,
                  `retry:${flowNode.id}`,
                )
              }
            />
          </label>
          <label>
            {t("editor.backoff")}
            <input
              type="number"
              min={0}
              value={retry?.backoff_seconds ?? spec?.default_retry.backoff_seconds ?? 30}
              onChange={(e) =>
                onNode(
                  flowNode.id,
                  (n) =>
                    ({
                      ...n,
                      retry: {
                        max_attempts: retry?.max_attempts ?? spec?.default_retry.max_attempts ?? 3,
                        backoff_seconds: Number(e.target.value),
                      },
                    }) as FlowNode,
                  `retry:${flowNode.id}`,
                )
              }
            />
          </label>
        </fieldset>
      </details>
    </div>
  );
}
