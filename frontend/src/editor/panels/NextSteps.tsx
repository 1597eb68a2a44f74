import type { FlowEdge, FlowNode } from "../../api/types";
import { useI18n } from "../../i18n/i18n";
import { useEditor } from "../context";
import { nodeTitle } from "../titles";

/**
 * The node's outgoing edges as a list with a picker to add one: the keyboard's way to connect
 * nodes (dragging between handles does the same with a mouse).
 */
export function NextSteps({
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
  const { t, language } = useI18n();
  const { readOnly, actions, fields, labels } = useEditor();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const title = (id: string) => {
    const node = byId.get(id);
    return node ? nodeTitle(node, actions, fields, language, labels) : id;
  };
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
                  <span>{title(edge.to)}</span>
                  {!readOnly && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => onDisconnect(edge)}
                      aria-label={`${t("editor.removeEdge")} ${title(edge.to)}`}
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
                      {title(n.id)}
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
