import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { ActionNode, ConditionNode, Problem, Step } from "../api/types";
import { translateOr } from "../components/common";
import { scheduleWords } from "./ScheduleForm";
import { useI18n } from "../i18n/i18n";
import { decisionOf, lastStep, useEditor } from "./context";
import type { CanvasNode, StepData, TriggerData } from "./document";
import { Icon } from "./icons";
import { nodeTitle } from "./titles";

const OK = new Set(["succeeded", "would_run", "would_wait", "evaluated"]);

function problemTitle(problems: Problem[] | undefined): string | undefined {
  return problems?.length ? problems.map((p) => `• ${p.message}`).join("\n") : undefined;
}

/** n8n's "+": on an output, opens the palette to add the next step there. */
function AddNext({ from, branch, top }: { from: string; branch?: "true" | "false"; top?: string }) {
  const { t } = useI18n();
  const { readOnly, onAddAfter } = useEditor();
  if (readOnly || !onAddAfter) return null;
  const label =
    branch === undefined
      ? t("editor.addNext")
      : t("editor.addNextBranch", { branch: branch === "true" ? t("editor.yes") : t("editor.no") });
  return (
    <button
      type="button"
      className={`add-next nodrag nopan${branch ? ` add-next-${branch}` : ""}`}
      style={top ? { top } : undefined}
      onClick={(e) => {
        e.stopPropagation();
        onAddAfter(from, branch);
      }}
      title={label}
      aria-label={label}
      data-testid={`add-after-${from}${branch ? `-${branch}` : ""}`}
    >
      <Icon name="plus" size={12} />
    </button>
  );
}

function stepClass(step: Step | undefined, traced: boolean): string {
  if (!traced) return "";
  if (!step) return " not-run";
  return ` ran ran-${step.status}`;
}

function useNodeChrome(id: string) {
  const { problems, trace, diff } = useEditor();
  const nodeProblems = problems.get(id);
  const steps = trace?.get(id);
  const step = lastStep(steps);
  let className = "flow-node";
  if (nodeProblems?.length) className += " has-problems";
  // The trigger always "ran": it is where every traced run starts.
  if (id !== "trigger") className += stepClass(step, trace !== null);
  if (diff?.added.has(id)) className += " diff-added";
  else if (diff?.changed.has(id)) className += " diff-changed";
  return { className, title: problemTitle(nodeProblems), step, steps, problemCount: nodeProblems?.length ?? 0 };
}

function StepBadge({ step, attempts }: { step: Step | undefined; attempts: number }) {
  const { t } = useI18n();
  if (!step) return null;
  const decision = decisionOf(step);
  return (
    <span className={`step-badge step-${step.status}`} data-testid="step-badge">
      {decision
        ? decision === "true"
          ? `✓ ${t("editor.yes")}`
          : `✗ ${t("editor.no")}`
        : `${OK.has(step.status) ? "✓ " : ""}${translateOr(t, `status.${step.status}`, step.status)}`}
      {attempts > 1 && ` ×${attempts}`}
    </span>
  );
}

function ProblemMark({ count, title }: { count: number; title?: string }) {
  if (!count) return null;
  return (
    <span className="problem-mark" title={title} aria-label={title}>
      ! {count}
    </span>
  );
}

export const TriggerNodeView = memo(function TriggerNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const { t, pick } = useI18n();
  const { catalog } = useEditor();
  const chrome = useNodeChrome(id);
  const trigger = (data as TriggerData).trigger;
  const kind = catalog.triggers.find((k) => k.type === trigger.type);
  const event = trigger.type === "event" ? catalog.events.find((e) => e.name === trigger.event) : undefined;
  const detail =
    trigger.type === "event"
      ? event
        ? pick({ zh: event.name_zh, en: event.name_en })
        : trigger.event || t("editor.chooseEvent")
      : trigger.type === "schedule"
        ? (scheduleWords(trigger.cron ?? "", t) ?? `${trigger.cron ?? ""} ${trigger.timezone ?? ""}`)
        : "";
  return (
    <div
      className={`${chrome.className} trigger-node${selected ? " selected" : ""}`}
      title={chrome.title}
      data-testid="node-trigger"
    >
      <div className="node-head">
        <span className="node-icon" aria-hidden="true">
          <Icon name={trigger.type} />
        </span>
        <span className="node-kind">{t("editor.trigger")}</span>
        <ProblemMark count={chrome.problemCount} title={chrome.title} />
      </div>
      <div className="node-title">{pick(kind?.name, trigger.type)}</div>
      {detail && <div className="node-detail">{detail}</div>}
      <Handle type="source" position={Position.Right} />
      <AddNext from={id} />
    </div>
  );
});

export const ConditionNodeView = memo(function ConditionNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const { t, language } = useI18n();
  const { actions, fields, labels } = useEditor();
  const chrome = useNodeChrome(id);
  const node = (data as StepData).node as ConditionNode;
  return (
    <div
      className={`${chrome.className} condition-node${selected ? " selected" : ""}`}
      title={chrome.title}
      data-testid={`node-${id}`}
    >
      <Handle type="target" position={Position.Left} />
      <div className="node-head">
        <span className="node-icon" aria-hidden="true">
          <Icon name="condition" />
        </span>
        <span className="node-kind">{t("editor.condition")}</span>
        <ProblemMark count={chrome.problemCount} title={chrome.title} />
        <StepBadge step={chrome.step} attempts={chrome.steps?.length ?? 0} />
      </div>
      <div className="node-title">{nodeTitle(node, actions, fields, language, labels)}</div>
      <div className="branch-labels" aria-hidden="true">
        <span className="yes">{t("editor.yes")}</span>
        <span className="no">{t("editor.no")}</span>
      </div>
      <Handle
        type="source"
        id="true"
        position={Position.Right}
        className="handle-yes"
        style={{ top: "35%" }}
        title={t("editor.yes")}
      />
      <Handle
        type="source"
        id="false"
        position={Position.Right}
        className="handle-no"
        style={{ top: "75%" }}
        title={t("editor.no")}
      />
      <AddNext from={id} branch="true" top="35%" />
      <AddNext from={id} branch="false" top="75%" />
    </div>
  );
});

export const ActionNodeView = memo(function ActionNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const { t, pick, language } = useI18n();
  const { actions, fields, labels } = useEditor();
  const chrome = useNodeChrome(id);
  const node = (data as StepData).node as ActionNode;
  const spec = actions.get(node.action);
  return (
    <div
      className={`${chrome.className} action-node${selected ? " selected" : ""}`}
      title={chrome.title}
      data-testid={`node-${id}`}
    >
      <Handle type="target" position={Position.Left} />
      <div className="node-head">
        <span className="node-icon" aria-hidden="true">
          <Icon name={spec?.icon} />
        </span>
        <span className="node-kind">{spec ? pick(spec.name) : t("editor.unknownAction", { key: node.action })}</span>
        <ProblemMark count={chrome.problemCount} title={chrome.title} />
        <StepBadge step={chrome.step} attempts={chrome.steps?.length ?? 0} />
      </div>
      <div className="node-title">{nodeTitle(node, actions, fields, language, labels)}</div>
      <Handle type="source" position={Position.Right} />
      <AddNext from={id} />
    </div>
  );
});

export const nodeTypes = { trigger: TriggerNodeView, condition: ConditionNodeView, action: ActionNodeView };
