import { useState } from "react";
import { DEAD, executionsApi } from "../../api/flows";
import type { Execution } from "../../api/types";
import { ErrorNote, JsonView, StatusBadge } from "../../components/common";
import { formatTime, useI18n } from "../../i18n/i18n";
import { StepList } from "./StepList";

export function ExecutionPanel({
  execution,
  canReplay,
  onSelect,
  onReplayed,
}: {
  execution: Execution;
  canReplay: boolean;
  onSelect: (nodeId: string) => void;
  onReplayed: () => void;
}) {
  const { t, language } = useI18n();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const replay = async () => {
    setBusy(true);
    try {
      await executionsApi.replay(execution.id);
      onReplayed();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="execution-panel" data-testid="execution-panel">
      <h2>
        {t("executions.title")} #{execution.id} <StatusBadge status={execution.status} />
      </h2>
      <p className="muted small">
        {formatTime(execution.started_at ?? execution.created_at, language)}
        {execution.status_reason ? ` · ${execution.status_reason}` : ""}
      </p>
      {execution.status === DEAD && canReplay && (
        <button type="button" className="primary" onClick={() => void replay()} disabled={busy}>
          {t("executions.replay")}
        </button>
      )}
      <ErrorNote error={error} />
      <details>
        <summary>{t("executions.event")}</summary>
        <JsonView value={execution.context} />
      </details>
      <StepList steps={execution.steps} onSelect={onSelect} />
    </div>
  );
}
