import type { Step } from "../../api/types";
import { JsonView, StatusBadge } from "../../components/common";
import { useI18n } from "../../i18n/i18n";
import { decisionOf, useEditor } from "../context";

export function StepList({ steps, onSelect }: { steps: Step[]; onSelect?: (nodeId: string) => void }) {
  const { t } = useI18n();
  const { titleOf } = useEditor();
  return (
    <ol className="steps" data-testid="steps">
      {steps.map((step, i) => {
        const decision = decisionOf(step);

        return (
          <li key={step.id ?? i} className={`step step-${step.status}`}>
            <button type="button" className="link step-node" onClick={() => onSelect?.(step.node_id)}>
              <span>{titleOf(step.node_id)}</span>
            </button>{" "}
            <StatusBadge status={step.status} />
            {decision && (
              <span className={`badge decision-${decision}`}>
                {t("executions.decision")}: {decision === "true" ? t("editor.yes") : t("editor.no")}
              </span>
            )}
            {step.attempt !== undefined && (
              <span className="muted small">
                {" "}
                {t("executions.attempts")}: {step.attempt}
              </span>
            )}
            {step.duration_ms !== undefined && step.duration_ms !== null && (
              <span className="muted small"> · {step.duration_ms} ms</span>
            )}
            <details>
              <summary>
                {t("executions.input")} / {t("executions.output")}
                {step.error ? ` / ${t("executions.error")}` : ""}
              </summary>
              <h4>{step.kind === "action" ? t("executions.params") : t("executions.input")}</h4>
              <JsonView value={step.input} />
              <h4>{t("executions.output")}</h4>
              <JsonView value={step.output} />
              {step.error !== undefined && step.error !== null && (
                <>
                  <h4>{t("executions.error")}</h4>
                  <JsonView value={step.error} />
                </>
              )}
            </details>
          </li>
        );
      })}
    </ol>
  );
}
