/** The side panel's "step" tab: the selected trigger's or step's form, its problems and its next steps. */
import { useMemo, useState } from "react";
import type { ActionNode, ConditionNode, FlowEdge, FlowNode, JsonObject, Trigger } from "../api/types";
import { useI18n } from "../i18n/i18n";
import { ConditionBuilder } from "./ConditionBuilder";
import { useEditor } from "./context";
import { TRIGGER_ID, type CanvasNode } from "./document";
import { sampleContext, variablesFor } from "./flowContext";
import { ParamsForm } from "./ParamsForm";
import { NextSteps } from "./panels/NextSteps";
import { TriggerForm } from "./panels/TriggerForm";

export { contextSchemaOf, sampleContext, variablesFor } from "./flowContext";

const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

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
  const { catalog, actions, readOnly, problems, fields } = useEditor();
  const variables = useMemo(
    () => (node && node.data.kind === "step" ? variablesFor(node.id, trigger, nodes, edges, catalog) : []),
    [node, trigger, nodes, edges, catalog],
  );
  const sample = useMemo(() => sampleContext(trigger, catalog), [trigger, catalog]);

  if (!node)
    return (
      <p className="muted panel-empty" data-testid="panel-empty">
        {readOnly ? t("editor.readOnlyNote") : t("editor.selectNode")}
      </p>
    );
  const nodeProblems = problems.get(node.id) ?? [];
  const problemList = nodeProblems.length > 0 && (
    <ul className="node-problems" role="alert">
      {nodeProblems.map((p, i) => (
        <li key={i}>{p.message}</li>
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
  const advancedId = (
    <details className="advanced">
      <summary>{t("editor.advanced")}</summary>
      <IdField key={flowNode.id} id={flowNode.id} onRename={(to) => onRename(flowNode.id, to)} readOnly={readOnly} />
    </details>
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
        <div className="stack">{label}</div>
        <h3>{t("cond.title")}</h3>
        <ConditionBuilder
          key={flowNode.id}
          rule={condition.rule}
          fields={fields}
          sample={sample}
          readOnly={readOnly}
          ages
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
        {advancedId}
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
      <div className="stack">{label}</div>
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
      {advancedId}
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
