import type { Problem } from "../../api/types";
import { useI18n } from "../../i18n/i18n";

export function ProblemsPanel({ problems, onSelect }: { problems: Problem[]; onSelect: (nodeId: string) => void }) {
  const { t } = useI18n();
  if (problems.length === 0) return <p className="ok-note">{t("editor.noProblems")}</p>;
  return (
    <ul className="problems" data-testid="problems-list">
      {problems.map((problem, i) => (
        <li key={i}>
          <button
            type="button"
            className="problem"
            onClick={() => problem.node_id && onSelect(problem.node_id)}
            disabled={!problem.node_id}
          >
            <span className="problem-node mono">{problem.node_id ?? "—"}</span>
            <span>{problem.message}</span>
            <span className="muted small mono">
              {problem.code} {problem.pointer}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
