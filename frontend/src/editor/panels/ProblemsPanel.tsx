/** The flow's problems in the user's language, each on its step; clicking one selects the step and focuses the field. */
import { useState } from "react";
import type { FlowNode } from "../../api/types";
import { useI18n } from "../../i18n/i18n";
import { useEditor } from "../context";
import { TRIGGER_ID } from "../document";
import { nodeTitle } from "../titles";
import { problemNode, type FlowProblem } from "../useEditorState";

export function ProblemsPanel({
  problems,
  nodes,
  onSelect,
}: {
  problems: FlowProblem[];
  nodes: FlowNode[];
  onSelect: (problem: FlowProblem) => void;
}) {
  const { t, language } = useI18n();
  const { actions, fields, labels } = useEditor();
  const [advanced, setAdvanced] = useState(false);
  if (problems.length === 0) return <p className="ok-note">{t("editor.noProblems")}</p>;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const where = (id: string | null) => {
    if (!id) return t("editor.wholeFlow");
    if (id === TRIGGER_ID) return t("editor.trigger");
    const node = byId.get(id);
    return node ? nodeTitle(node, actions, fields, language, labels) : id;
  };
  return (
    <div className="stack">
      <ul className="problems" data-testid="problems-list">
        {problems.map((problem, i) => {
          const id = problemNode(problem);
          return (
            <li key={i}>
              <button type="button" className="problem" onClick={() => onSelect(problem)} disabled={!id}>
                <span className="problem-node">{where(id)}</span>
                <span>{problem.message}</span>
                {advanced && (
                  <span className="muted small mono">
                    {problem.code} {problem.pointer} {problem.detail}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
      <label className="check small">
        <input type="checkbox" checked={advanced} onChange={(e) => setAdvanced(e.target.checked)} />
        {t("editor.advanced")}
      </label>
    </div>
  );
}
