import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { ApiError } from "../api/client";
import { executionsApi, flowsApi, problemsOf } from "../api/flows";
import type {
  Catalog,
  DocumentDiff,
  Execution,
  Flow,
  FlowDocument,
  FlowEdge,
  FlowNode,
  Problem,
  Step,
  Trigger,
} from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { Link } from "../app/router";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import { downloadJson, readJsonFile, withoutSecrets } from "../pages/files";
import { decisionOf, EditorContext, lastStep, type EditorContextValue } from "./context";
import {
  canvasEdge,
  edgeId,
  fromCanvas,
  newNodeId,
  stepNode,
  toCanvas,
  TRIGGER_ID,
  type Canvas,
  type CanvasEdge,
  type CanvasNode,
} from "./document";
import { useCanvasHistory } from "./history";
import { layeredLayout } from "./layout";
import { NodePanel } from "./NodePanel";
import { nodeTypes } from "./nodes";
import { Palette, PALETTE_MIME, type PaletteItem } from "./Palette";
import { ExecutionPanel } from "./panels/ExecutionPanel";
import { HistoryPanel } from "./panels/HistoryPanel";
import { ProblemsPanel } from "./panels/ProblemsPanel";
import { TestPanel } from "./panels/TestPanel";

type Tab = "node" | "problems" | "history" | "test" | "execution";
type SaveState = "saved" | "unsaved" | "saving" | "failed";

const AUTOSAVE_MS = 800;
let clipboard: { nodes: FlowNode[]; edges: FlowEdge[]; positions: Map<string, { x: number; y: number }> } | null = null;

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName);
}

function groupProblems(problems: Problem[]): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const problem of problems) {
    const id = problem.node_id ?? (problem.pointer.startsWith("/trigger") ? TRIGGER_ID : null);
    if (!id) continue;
    map.set(id, [...(map.get(id) ?? []), problem]);
  }
  return map;
}

/** Statuses of trace entries for nodes the run never reached. */
const UNREACHED = new Set(["skipped", "not_run"]);

function traceOf(steps: Step[] | null | undefined): Map<string, Step[]> | null {
  if (!steps) return null;
  const map = new Map<string, Step[]>();
  for (const step of steps) {
    if (UNREACHED.has(step.status)) continue;
    map.set(step.node_id, [...(map.get(step.node_id) ?? []), step]);
  }
  return map;
}

export function Editor({
  initialFlow,
  catalog,
  document: initialDocument,
  execution: initialExecution,
  readOnly,
  initialNotice = "",
  onReload,
}: {
  initialFlow: Flow;
  catalog: Catalog;
  document: FlowDocument;
  execution: Execution | null;
  readOnly: boolean;
  initialNotice?: string;
  /** Loads the flow again (a new editor); `message` is shown in it. */
  onReload: (message?: string) => void;
}) {
  const { t } = useI18n();
  const { can } = useAuth();
  const flowApi = useReactFlow<CanvasNode, CanvasEdge>();
  const history = useCanvasHistory(useMemo(() => toCanvas(initialDocument), [initialDocument]));
  const { canvas, update } = history;
  const [flow, setFlow] = useState(initialFlow);
  const [problems, setProblems] = useState<Problem[]>(initialFlow.problems ?? []);
  const [tab, setTab] = useState<Tab>(initialExecution ? "execution" : "node");
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [notice, setNotice] = useState(initialNotice);
  const [error, setError] = useState<Error | null>(null);
  const [testSteps, setTestSteps] = useState<Step[] | null>(null);
  const [execution, setExecution] = useState(initialExecution);
  const [diff, setDiff] = useState<DocumentDiff | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [note, setNote] = useState("");
  const importInput = useRef<HTMLInputElement>(null);

  const document = useMemo(() => fromCanvas(canvas.meta, canvas.nodes, canvas.edges), [canvas]);
  const documentText = useMemo(() => JSON.stringify(document), [document]);
  const savedText = useRef(JSON.stringify(initialDocument));
  const saving = useRef<Promise<void> | null>(null);
  const trigger = document.trigger;
  const selected = useMemo(() => canvas.nodes.filter((n) => n.selected), [canvas.nodes]);
  const selectedNode = selected.length === 1 ? selected[0] : null;

  // --- saving -------------------------------------------------------------------------------
  const save = useCallback(async () => {
    if (readOnly) return;
    while (saving.current) await saving.current;
    const text = JSON.stringify(fromCanvas(history.canvas.meta, history.canvas.nodes, history.canvas.edges));
    if (text === savedText.current) return;
    setSaveState("saving");
    const run = (async () => {
      try {
        const answer = await flowsApi.saveDraft(flow.id, JSON.parse(text) as FlowDocument);
        savedText.current = text;
        setFlow(answer);
        setProblems(answer.problems ?? []);
        setSaveState("saved");
      } catch (reason) {
        setSaveState("failed");
        setError(reason as Error);
      }
    })();
    saving.current = run;
    await run;
    saving.current = null;
  }, [flow.id, history.canvas, readOnly]);

  useEffect(() => {
    if (readOnly || documentText === savedText.current) return;
    setSaveState("unsaved");
    const timer = window.setTimeout(() => void save(), AUTOSAVE_MS);
    return () => window.clearTimeout(timer);
  }, [documentText, readOnly, save]);

  // --- editing ------------------------------------------------------------------------------
  const select = useCallback(
    (ids: string[]) => {
      const wanted = new Set(ids);
      update(
        (c) => ({
          ...c,
          nodes: c.nodes.map((n) => (!!n.selected === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
        }),
        {
          record: false,
        },
      );
      if (ids.length === 1) {
        setTab("node");
        const node = flowApi.getNode(ids[0]);
        if (node)
          void flowApi.setCenter(node.position.x + 110, node.position.y + 36, {
            zoom: flowApi.getZoom(),
            duration: 200,
          });
      }
    },
    [flowApi, update],
  );

  const setTrigger = useCallback(
    (next: Trigger) =>
      update(
        (c) => ({
          ...c,
          meta: { ...c.meta, trigger: next },
          nodes: c.nodes.map((n) =>
            n.id === TRIGGER_ID && n.data.kind === "trigger" ? { ...n, data: { ...n.data, trigger: next } } : n,
          ),
        }),
        { coalesce: "trigger" },
      ),
    [update],
  );

  const changeNode = useCallback(
    (id: string, change: (node: FlowNode) => FlowNode, coalesce?: string) =>
      update(
        (c) => ({
          ...c,
          nodes: c.nodes.map((n) =>
            n.id === id && n.data.kind === "step" ? { ...n, data: { ...n.data, node: change(n.data.node) } } : n,
          ),
        }),
        { coalesce },
      ),
    [update],
  );

  const rename = useCallback(
    (from: string, to: string) => {
      if (history.canvas.nodes.some((n) => n.id === to)) return false;
      update((c) => ({
        ...c,
        nodes: c.nodes.map((n) =>
          n.id === from && n.data.kind === "step"
            ? { ...n, id: to, data: { ...n.data, node: { ...n.data.node, id: to } } }
            : n,
        ),
        edges: c.edges.map((e) => {
          if (e.source !== from && e.target !== from) return e;
          const edge = {
            ...e.data!.edge,
            from: e.source === from ? to : e.source,
            to: e.target === from ? to : e.target,
          };
          return canvasEdge(edge);
        }),
      }));
      return true;
    },
    [history.canvas.nodes, update],
  );

  const removeNodes = useCallback(
    (ids: string[]) => {
      const gone = new Set(ids.filter((id) => id !== TRIGGER_ID));
      if (!gone.size) return;
      update((c) => ({
        ...c,
        nodes: c.nodes.filter((n) => !gone.has(n.id)),
        edges: c.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
      }));
    },
    [update],
  );

  const addItem = useCallback(
    (item: PaletteItem, position?: { x: number; y: number }) => {
      if (readOnly) return;
      if (item.kind === "trigger") {
        const type = item.type as Trigger["type"];
        if (type === "event") setTrigger({ type, event: trigger.type === "event" ? (trigger.event ?? "") : "" });
        else if (type === "schedule") setTrigger({ type, cron: "0 9 * * *", timezone: "Asia/Shanghai" });
        else setTrigger({ type });
        select([TRIGGER_ID]);
        return;
      }
      const at =
        position ??
        (() => {
          const box = window.document.querySelector(".canvas")?.getBoundingClientRect();
          const center = box ? { x: box.left + box.width / 2, y: box.top + box.height / 2 } : { x: 400, y: 300 };
          return flowApi.screenToFlowPosition(center);
        })();
      const taken = history.canvas.nodes.map((n) => n.id);
      const node: FlowNode =
        item.kind === "condition"
          ? { id: newNodeId("condition", taken), type: "condition", rule: { and: [] } }
          : { id: newNodeId(item.key, taken), type: "action", action: item.key, params: {} };
      const placed = { x: Math.round(at.x - 110), y: Math.round(at.y - 36) };
      update((c) => ({
        ...c,
        nodes: [
          ...c.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          { ...stepNode({ ...node, position: placed } as FlowNode, placed, true), selected: true },
        ],
      }));
      setTab("node");
    },
    [flowApi, history.canvas.nodes, readOnly, select, setTrigger, trigger, update],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(PALETTE_MIME);
      if (!raw) return;
      event.preventDefault();
      addItem(JSON.parse(raw) as PaletteItem, flowApi.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [addItem, flowApi],
  );

  const isValidConnection = useCallback<IsValidConnection<CanvasEdge>>(
    (connection) => {
      const { source, target, sourceHandle } = connection as Connection;
      if (!source || !target || source === target || target === TRIGGER_ID) return false;
      return !history.canvas.edges.some(
        (e) => e.source === source && e.target === target && (e.sourceHandle ?? null) === (sourceHandle ?? null),
      );
    },
    [history.canvas.edges],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const branch =
        connection.sourceHandle === "true" || connection.sourceHandle === "false" ? connection.sourceHandle : undefined;
      const edge: FlowEdge = branch
        ? { from: connection.source, to: connection.target, branch }
        : { from: connection.source, to: connection.target };
      update((c) => ({ ...c, edges: [...c.edges, canvasEdge(edge)] }));
    },
    [update],
  );

  const autoLayout = useCallback(() => {
    update((c) => {
      const doc = fromCanvas(c.meta, c.nodes, c.edges);
      const positions = layeredLayout(doc.nodes, doc.edges, true);
      return {
        ...c,
        nodes: c.nodes.map((n) => {
          const position = positions.get(n.id);
          if (!position) return n;
          return { ...n, position, data: { ...n.data, positioned: true } } as CanvasNode;
        }),
      };
    });
    window.setTimeout(() => void flowApi.fitView({ duration: 200 }), 50);
  }, [flowApi, update]);

  const copy = useCallback(() => {
    const nodes = history.canvas.nodes.filter((n) => n.selected && n.data.kind === "step");
    if (!nodes.length) return;
    const ids = new Set(nodes.map((n) => n.id));
    clipboard = {
      nodes: nodes.map((n) => (n.data.kind === "step" ? n.data.node : (null as never))),
      edges: history.canvas.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => e.data!.edge),
      positions: new Map(nodes.map((n) => [n.id, n.position])),
    };
  }, [history.canvas]);

  const paste = useCallback(() => {
    if (!clipboard || readOnly) return;
    const taken = history.canvas.nodes.map((n) => n.id);
    const ids = new Map<string, string>();
    for (const node of clipboard.nodes) {
      const id = newNodeId(node.id, [...taken, ...ids.values()]);
      ids.set(node.id, id);
    }
    const pasted = clipboard.nodes.map((node) => {
      const at = clipboard!.positions.get(node.id)!;
      const position = { x: at.x + 40, y: at.y + 40 };
      return { ...stepNode({ ...node, id: ids.get(node.id)!, position } as FlowNode, position, true), selected: true };
    });
    const edges = clipboard.edges.map((e) => canvasEdge({ ...e, from: ids.get(e.from)!, to: ids.get(e.to)! }));
    update((c) => ({
      ...c,
      nodes: [...c.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
      edges: [...c.edges, ...edges],
    }));
  }, [history.canvas.nodes, readOnly, update]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event.target)) return;
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey && !readOnly) history.undo();
      else if (((key === "z" && event.shiftKey) || key === "y") && !readOnly) history.redo();
      else if (key === "c") copy();
      else if (key === "v") paste();
      else if (key === "s") void save();
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [copy, history, paste, readOnly, save]);

  // --- publishing, validation, import/export -----------------------------------------------
  const validate = async () => {
    setError(null);
    try {
      setProblems(await flowsApi.validate(document));
      setTab("problems");
    } catch (reason) {
      setError(reason as Error);
    }
  };

  const publish = async () => {
    setError(null);
    try {
      await save();
      const version = (await flowsApi.publish(flow.id, note)) as { number: number };
      setNotice(t("editor.published", { n: version.number }));
      setPublishing(false);
      setNote("");
      const fresh = await flowsApi.get(flow.id);
      setFlow(fresh);
      setProblems(fresh.problems ?? []);
    } catch (reason) {
      const found = problemsOf(reason);
      if (found) {
        setProblems(found);
        setTab("problems");
        setPublishing(false);
      } else if (reason instanceof ApiError && reason.code === "unchanged") {
        setNotice(t("editor.unchanged"));
        setPublishing(false);
      } else setError(reason as Error);
    }
  };

  const toggleEnabled = async () => {
    setError(null);
    try {
      setFlow(await flowsApi.setEnabled(flow.id, !flow.enabled));
    } catch (reason) {
      setError(reason as Error);
    }
  };

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const imported = await readJsonFile(file);
      const next: Canvas = toCanvas(imported);
      update(() => next);
      window.setTimeout(() => void flowApi.fitView({ duration: 200 }), 50);
    } catch {
      setError(new Error(t("flows.importFailed")));
    }
  };

  // --- overlays -----------------------------------------------------------------------------
  const steps = execution?.steps ?? testSteps;
  const trace = useMemo(() => traceOf(steps), [steps]);
  const edges = useMemo<Edge[]>(() => {
    if (!trace) return canvas.edges;
    return canvas.edges.map((edge) => {
      const from = edge.source === TRIGGER_ID ? true : trace.has(edge.source);
      const branch = edge.sourceHandle;
      const decided = branch ? decisionOf(lastStep(trace.get(edge.source))) === branch : true;
      const taken = from && decided && trace.has(edge.target);
      return { ...edge, className: taken ? "taken" : "not-taken", animated: taken };
    });
  }, [canvas.edges, trace]);
  const labelledEdges = useMemo(
    () =>
      edges.map((edge) =>
        edge.sourceHandle
          ? {
              ...edge,
              label: edge.sourceHandle === "true" ? t("editor.yes") : t("editor.no"),
              className: `${edge.className ?? ""} branch-${edge.sourceHandle}`,
            }
          : edge,
      ),
    [edges, t],
  );

  const context = useMemo<EditorContextValue>(
    () => ({
      catalog,
      actions: new Map(catalog.actions.map((a) => [a.key, a])),
      problems: groupProblems(problems),
      readOnly,
      trace,
      diff: diff ? { added: new Set(diff.nodes.added), changed: new Set(diff.nodes.changed.map((c) => c.id)) } : null,
    }),
    [catalog, problems, readOnly, trace, diff],
  );

  const flowNodes = document.nodes;
  const saveLabel = {
    saved: t("editor.saved"),
    unsaved: t("editor.unsaved"),
    saving: t("editor.saving"),
    failed: t("editor.saveFailed"),
  }[saveState];
  const onSelectionChange = useCallback(
    (_: OnSelectionChangeParams) =>
      setTab((current) => (current === "execution" || current === "test" ? current : "node")),
    [],
  );

  return (
    <EditorContext.Provider value={context}>
      <div className="editor">
        <div className="editor-toolbar" role="toolbar" aria-label={t("editor.node")}>
          <input
            className="flow-title"
            value={document.name}
            readOnly={readOnly}
            aria-label={t("editor.name")}
            onChange={(e) => update((c) => ({ ...c, meta: { ...c.meta, name: e.target.value } }), { coalesce: "name" })}
          />
          {!readOnly && (
            <span className={`save-state save-${saveState}`} role="status" data-testid="save-state">
              {saveLabel}
            </span>
          )}
          {flow.current_version && (
            <span className={`badge ${flow.enabled ? "flow-published" : "flow-disabled"}`}>
              {t(flow.enabled ? "flows.status.published" : "flows.status.disabled", { n: flow.current_version.number })}
            </span>
          )}
          <span className="spacer" />
          {execution ? (
            <Link to={`/flows/${flow.id}`}>{t("executions.back")}</Link>
          ) : (
            <>
              {!readOnly && (
                <>
                  <button
                    type="button"
                    className="icon"
                    onClick={history.undo}
                    disabled={!history.canUndo}
                    title={t("editor.undo")}
                    aria-label={t("editor.undo")}
                  >
                    ↶
                  </button>
                  <button
                    type="button"
                    className="icon"
                    onClick={history.redo}
                    disabled={!history.canRedo}
                    title={t("editor.redo")}
                    aria-label={t("editor.redo")}
                  >
                    ↷
                  </button>
                  <button type="button" onClick={autoLayout}>
                    {t("editor.layout")}
                  </button>
                  <button type="button" onClick={() => importInput.current?.click()}>
                    {t("editor.import")}
                  </button>
                  <input
                    ref={importInput}
                    type="file"
                    accept="application/json,.json"
                    hidden
                    onChange={(e) => void importFile(e.target.files?.[0])}
                  />
                </>
              )}
              <button
                type="button"
                onClick={() =>
                  downloadJson(withoutSecrets(document, context.actions), `${document.name || "flow"}.json`)
                }
              >
                {t("editor.export")}
              </button>
              <button type="button" onClick={() => void validate()}>
                {t("editor.validate")}
              </button>
              {!readOnly && (
                <>
                  {flow.current_version && (
                    <button type="button" onClick={() => void toggleEnabled()} data-testid="toggle-enabled">
                      {flow.enabled ? t("flows.disable") : t("flows.enable")}
                    </button>
                  )}
                  <button
                    type="button"
                    className="primary"
                    onClick={() => setPublishing(!publishing)}
                    aria-expanded={publishing}
                  >
                    {t("editor.publish")}
                  </button>
                </>
              )}
            </>
          )}
        </div>
        {publishing && (
          <form
            className="publish-bar"
            onSubmit={(e) => {
              e.preventDefault();
              void publish();
            }}
          >
            <label>
              {t("editor.publishNote")}
              <input value={note} onChange={(e) => setNote(e.target.value)} autoFocus data-testid="publish-note" />
            </label>
            <button type="submit" className="primary">
              {t("editor.publishConfirm")}
            </button>
            <button type="button" onClick={() => setPublishing(false)}>
              {t("common.cancel")}
            </button>
          </form>
        )}
        {notice && (
          <div className="notice" role="status">
            {notice}
            <button type="button" className="link" onClick={() => setNotice("")} aria-label={t("common.close")}>
              ✕
            </button>
          </div>
        )}
        <ErrorNote error={error} />
        <div className={`editor-body${readOnly ? " read-only" : ""}`}>
          <Palette onAdd={(item) => addItem(item)} />
          <div
            className="canvas"
            onDrop={onDrop}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes(PALETTE_MIME)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = "copy";
              }
            }}
            data-testid="canvas"
          >
            <ReactFlow<CanvasNode, Edge>
              nodes={canvas.nodes}
              edges={labelledEdges}
              nodeTypes={nodeTypes}
              onNodesChange={history.onNodesChange}
              onEdgesChange={history.onEdgesChange as never}
              onConnect={onConnect}
              isValidConnection={isValidConnection as never}
              onNodeDragStart={() => history.checkpoint()}
              onSelectionChange={onSelectionChange}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              edgesFocusable
              nodesFocusable
              deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
              multiSelectionKeyCode={["Shift", "Meta", "Control"]}
              fitView
              fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
              minZoom={0.1}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
              defaultEdgeOptions={{ interactionWidth: 16 }}
              ariaLabelConfig={{
                "controls.zoomIn.ariaLabel": t("editor.zoomIn"),
                "controls.zoomOut.ariaLabel": t("editor.zoomOut"),
                "controls.fitView.ariaLabel": t("editor.fit"),
                "minimap.ariaLabel": t("editor.minimap"),
              }}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeStrokeWidth={3} />
            </ReactFlow>
          </div>
          <aside className="side">
            <div className="tabs" role="tablist">
              {(execution
                ? (["execution", "node", "problems"] as Tab[])
                : (["node", "problems", "history", "test"] as Tab[])
              ).map((name) => (
                <button
                  key={name}
                  type="button"
                  role="tab"
                  aria-selected={tab === name}
                  className={tab === name ? "active" : ""}
                  onClick={() => setTab(name)}
                  data-testid={`tab-${name}`}
                >
                  {name === "node"
                    ? t("editor.node")
                    : name === "problems"
                      ? t("editor.problems", { n: problems.length })
                      : name === "history"
                        ? t("editor.history")
                        : name === "test"
                          ? t("editor.test")
                          : t("editor.executions")}
                </button>
              ))}
            </div>
            <div className="tab-body" role="tabpanel">
              {tab === "node" && (
                <NodePanel
                  node={selectedNode}
                  trigger={trigger}
                  nodes={flowNodes}
                  edges={document.edges}
                  onTrigger={setTrigger}
                  onNode={changeNode}
                  onRename={rename}
                  onDelete={(id) => removeNodes([id])}
                  onConnect={(edge) =>
                    onConnect({
                      source: edge.from,
                      target: edge.to,
                      sourceHandle: edge.branch ?? null,
                      targetHandle: null,
                    })
                  }
                  onDisconnect={(edge) =>
                    update((c) => ({ ...c, edges: c.edges.filter((e) => e.id !== edgeId(edge)) }))
                  }
                />
              )}
              {tab === "problems" && <ProblemsPanel problems={problems} onSelect={(id) => select([id])} />}
              {tab === "history" && (
                <HistoryPanel
                  flow={flow}
                  canEdit={!readOnly}
                  onShowDiff={setDiff}
                  onRolledBack={(message) => onReload(message)}
                />
              )}
              {tab === "test" && (
                <TestPanel
                  flowId={flow.id}
                  trigger={trigger}
                  catalog={catalog}
                  canRun={can(FLOW_EDITORS)}
                  beforeRun={save}
                  onResult={setTestSteps}
                />
              )}
              {tab === "execution" && execution && (
                <ExecutionPanel
                  execution={execution}
                  canReplay={can(FLOW_EDITORS)}
                  onSelect={(id) => select([id])}
                  onReplayed={() => {
                    setNotice(t("executions.replayed"));
                    void executionsApi.get(execution.id).then(setExecution);
                  }}
                />
              )}
            </div>
          </aside>
        </div>
      </div>
    </EditorContext.Provider>
  );
}
