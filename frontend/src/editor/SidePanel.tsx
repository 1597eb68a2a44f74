/** The side panel: its tabs (step, problems, history, test; an execution's steps) and the tab shown. */
import { executionsApi } from "../api/flows";
import type { Catalog } from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { useI18n } from "../i18n/i18n";
import { NodePanel } from "./NodePanel";
import { ExecutionPanel } from "./panels/ExecutionPanel";
import { HistoryPanel } from "./panels/HistoryPanel";
import { ProblemsPanel } from "./panels/ProblemsPanel";
import { TestPanel } from "./panels/TestPanel";
import type { EditorState, Tab } from "./useEditorState";

export function SidePanel({
  state,
  catalog,
  readOnly,
  onReload,
}: {
  state: EditorState;
  catalog: Catalog;
  readOnly: boolean;
  onReload: (message?: string) => void;
}) {
  const { t } = useI18n();
  const { can } = useAuth();
  const { document, trigger, selectedNode, flow, problems, tab, execution } = state;
  const tabs: Tab[] = execution ? ["execution", "node", "problems"] : ["node", "problems", "history", "test"];
  const names: Record<Tab, string> = {
    node: t("editor.node"),
    problems: t("editor.problems", { n: problems.length }),
    history: t("editor.history"),
    test: t("editor.test"),
    execution: t("editor.executions"),
  };
  return (
    <aside className="side">
      <div className="tabs" role="tablist">
        {tabs.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            className={tab === name ? "active" : ""}
            onClick={() => state.setTab(name)}
            data-testid={`tab-${name}`}
          >
            {names[name]}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === "node" && (
          <NodePanel
            node={selectedNode}
            trigger={trigger}
            nodes={document.nodes}
            edges={document.edges}
            onTrigger={state.setTrigger}
            onNode={state.changeNode}
            onRename={state.rename}
            onDelete={(id) => state.removeNodes([id])}
            onConnect={(edge) =>
              state.onConnect({
                source: edge.from,
                target: edge.to,
                sourceHandle: edge.branch ?? null,
                targetHandle: null,
              })
            }
            onDisconnect={state.disconnect}
          />
        )}
        {tab === "problems" && (
          <ProblemsPanel problems={problems} nodes={document.nodes} onSelect={state.selectProblem} />
        )}
        {tab === "history" && (
          <HistoryPanel flow={flow} canEdit={!readOnly} onShowDiff={state.setDiff} onRolledBack={(m) => onReload(m)} />
        )}
        {tab === "test" && (
          <TestPanel
            flowId={flow.id}
            trigger={trigger}
            catalog={catalog}
            canRun={can(FLOW_EDITORS)}
            beforeRun={state.save}
            onResult={state.setTestSteps}
          />
        )}
        {tab === "execution" && execution && (
          <ExecutionPanel
            execution={execution}
            canReplay={can(FLOW_EDITORS)}
            onSelect={(id) => state.select([id])}
            onReplayed={() => {
              state.setNotice(t("executions.replayed"));
              void executionsApi.get(execution.id).then(state.setExecution);
            }}
          />
        )}
      </div>
    </aside>
  );
}
