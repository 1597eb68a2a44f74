/**
 * The editor's state: the canvas with its undo history, the flow as last saved (autosaved 800 ms after
 * an edit), its problems, the side tab, the test-run or execution trace shown on the canvas, and the
 * edits, publishing, validation, import and export that change them.
 */
import {
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { ApiError } from "../api/client";
import { flowsApi, problemsOf } from "../api/flows";
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
import { useI18n } from "../i18n/i18n";
import { downloadJson, readJsonFile, withoutSecrets } from "../pages/files";
import { decisionOf, lastStep, type EditorContextValue } from "./context";
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
import { uniqueLabels } from "./fields/template";
import { contextSchemaOf, fieldsFor } from "./flowContext";
import { layeredLayout } from "./layout";
import { nodeTitle } from "./titles";
import { schemaPaths } from "./variables";
import { PALETTE_MIME, type PaletteItem } from "./Palette";

export type Tab = "node" | "problems" | "history" | "test" | "execution";
export type SaveState = "saved" | "unsaved" | "saving" | "failed";

const AUTOSAVE_MS = 800;

/** Where a new node goes: after this node (on this branch). */
export interface AddAfter {
  from: string;
  branch?: "true" | "false";
}

/** How far from the canvas's right edge a dropped node's centre may land (the side panel is beside it). */
const DROP_MARGIN = 130;

/** A validation problem; `node` and `field` (builder contract) say where it is, the pointer is for the advanced view. */
export type FlowProblem = Problem & { node?: string | null; field?: string | null };

export function problemNode(problem: FlowProblem): string | null {
  return problem.node ?? problem.node_id ?? (problem.pointer?.startsWith("/trigger") ? TRIGGER_ID : null);
}

/** The param or field a problem concerns: the server's `field`, else the pointer's `/params/<key>` part. */
export function problemField(problem: FlowProblem): string | null {
  if (problem.field) return problem.field;
  const m = /\/(?:params|rule|trigger)\/?([^/]*)/.exec(problem.pointer ?? "");
  if (!m) return null;
  return problem.pointer.includes("/rule") ? "rule" : m[1] || null;
}

function groupProblems(problems: FlowProblem[]): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const problem of problems) {
    const id = problemNode(problem);
    if (!id) continue;
    map.set(id, [...(map.get(id) ?? []), problem]);
  }
  return map;
}

/** Statuses of trace entries for nodes the run never reached. */
const UNREACHED = new Set(["skipped", "not_run"]);

/** Where a clicked palette item goes: after the selected node (a condition's free branch, yes first), else after the last node. */
export function placeAfter(canvas: Pick<Canvas, "nodes" | "edges">, selected: CanvasNode | null): AddAfter | null {
  const from = selected ?? null;
  if (!from) {
    // Nothing selected: after the trigger when nothing follows it yet, else free-standing.
    const started = canvas.edges.some((e) => e.source === TRIGGER_ID);
    return started ? null : { from: TRIGGER_ID };
  }
  if (from.data.kind === "step" && from.data.node.type === "condition") {
    const yesTaken = canvas.edges.some((e) => e.source === from.id && e.sourceHandle === "true");
    return { from: from.id, branch: yesTaken ? "false" : "true" };
  }
  return { from: from.id };
}

function traceOf(steps: Step[] | null | undefined): Map<string, Step[]> | null {
  if (!steps) return null;
  const map = new Map<string, Step[]>();
  for (const step of steps) {
    if (UNREACHED.has(step.status)) continue;
    map.set(step.node_id, [...(map.get(step.node_id) ?? []), step]);
  }
  return map;
}

export function useEditorState({
  initialFlow,
  catalog,
  initialDocument,
  initialExecution,
  readOnly,
  initialNotice,
}: {
  initialFlow: Flow;
  catalog: Catalog;
  initialDocument: FlowDocument;
  initialExecution: Execution | null;
  readOnly: boolean;
  initialNotice: string;
}) {
  const { t, pick, language } = useI18n();
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

  // Leaving: an unsaved edit is saved as the editor closes, and the browser asks before a tab with one is closed.
  const dirty = !readOnly && documentText !== savedText.current;
  const saveRef = useRef(save);
  useEffect(() => {
    saveRef.current = save;
  }, [save]);
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      void saveRef.current();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  useEffect(() => () => void saveRef.current(), []);

  // --- editing ------------------------------------------------------------------------------
  const setName = (name: string) => update((c) => ({ ...c, meta: { ...c.meta, name } }), { coalesce: "name" });

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

  const [adding, setAdding] = useState<AddAfter | null>(null);

  /**
   * Adds a palette item. Dropped on the canvas: there (never under the side panel). Clicked: after the
   * node chosen with "+" (on its branch) or the selected one, connected to it, and the flow laid out.
   */
  const addItem = useCallback(
    (item: PaletteItem, position?: { x: number; y: number }, after?: AddAfter | null) => {
      if (readOnly) return;
      setAdding(null);
      if (item.kind === "trigger") {
        const type = item.type as Trigger["type"];
        if (type === "event") setTrigger({ type, event: trigger.type === "event" ? (trigger.event ?? "") : "" });
        else if (type === "schedule") setTrigger({ type, cron: "0 9 * * *", timezone: "Asia/Shanghai" });
        else setTrigger({ type });
        select([TRIGGER_ID]);
        return;
      }
      const taken = history.canvas.nodes.map((n) => n.id);
      const node: FlowNode =
        item.kind === "condition"
          ? { id: newNodeId("condition", taken), type: "condition", rule: { and: [] } }
          : { id: newNodeId(item.key, taken), type: "action", action: item.key, params: {} };
      const source = position ? null : (after ?? placeAfter(history.canvas, selectedNode));
      const at = position ?? { x: 0, y: 0 };
      const placed = { x: Math.round(at.x - 110), y: Math.round(at.y - 36) };
      update((c) => {
        const edges = source
          ? [
              ...c.edges,
              canvasEdge(
                source.branch
                  ? { from: source.from, to: node.id, branch: source.branch }
                  : { from: source.from, to: node.id },
              ),
            ]
          : c.edges;
        const nodes = [
          ...c.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          { ...stepNode({ ...node, position: placed } as FlowNode, placed, true), selected: true },
        ];
        if (!source) return { ...c, nodes, edges };
        const doc = fromCanvas(c.meta, nodes, edges);
        const positions = layeredLayout(doc.nodes, doc.edges, true);
        return {
          ...c,
          edges,
          nodes: nodes.map((n) => {
            const p = positions.get(n.id);
            return p ? ({ ...n, position: p, data: { ...n.data, positioned: true } } as CanvasNode) : n;
          }),
        };
      });
      setTab("node");
      if (source) window.setTimeout(() => void flowApi.fitView({ duration: 200, maxZoom: 1 }), 50);
    },
    [flowApi, history.canvas, readOnly, select, selectedNode, setTrigger, trigger, update],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(PALETTE_MIME);
      if (!raw) return;
      event.preventDefault();
      const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
      const x = Math.min(Math.max(event.clientX, box.left + DROP_MARGIN), box.right - DROP_MARGIN);
      const y = Math.min(Math.max(event.clientY, box.top + 50), box.bottom - 50);
      addItem(JSON.parse(raw) as PaletteItem, flowApi.screenToFlowPosition({ x, y }));
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

  const disconnect = (edge: FlowEdge) => update((c) => ({ ...c, edges: c.edges.filter((e) => e.id !== edgeId(edge)) }));

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

  const onSelectionChange = useCallback(
    (_: OnSelectionChangeParams) =>
      setTab((current) => (current === "execution" || current === "test" ? current : "node")),
    [],
  );

  /** A problem clicked: its node selected, the field it concerns focused. */
  const selectProblem = useCallback(
    (problem: FlowProblem) => {
      const id = problemNode(problem);
      if (!id) return;
      select([id]);
      const field = problemField(problem);
      window.setTimeout(() => {
        const panel = window.document.querySelector<HTMLElement>("[data-testid=node-panel]");
        const target =
          (field && panel?.querySelector<HTMLElement>(`#root_${CSS.escape(field)}`)) ||
          (field === "rule" &&
            panel?.querySelector<HTMLElement>(".condition-builder button, .condition-builder select")) ||
          (field && panel?.querySelector<HTMLElement>(`[data-field-key="${CSS.escape(field)}"]`)) ||
          null;
        target?.focus();
        target?.scrollIntoView?.({ block: "center" });
      }, 80);
    },
    [select],
  );

  // A new flow whose event is not chosen yet opens on its trigger.
  useEffect(() => {
    if (!readOnly && !initialExecution && initialDocument.trigger.type === "event" && !initialDocument.trigger.event)
      select([TRIGGER_ID]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

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

  /** Publishes the draft; `enable` (asked on the first publish) switches the flow on with it. */
  const publish = async (enable?: boolean) => {
    setError(null);
    try {
      await save();
      const answer = (await flowsApi.publish(flow.id, note, enable)) as {
        number?: number;
        current_version?: { number: number };
      };
      let fresh = await flowsApi.get(flow.id);
      // A back end that does not switch on with the publish: switch on now.
      if (enable && !fresh.enabled) fresh = await flowsApi.setEnabled(flow.id, true);
      const n = answer.number ?? answer.current_version?.number ?? fresh.current_version?.number ?? 1;
      setNotice(fresh.enabled ? t("editor.publishedOn", { n }) : t("editor.publishedOff", { n }));
      setPublishing(false);
      setNote("");
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

  const fields = useMemo(() => fieldsFor(trigger, catalog), [trigger, catalog]);
  const labels = useMemo(
    () =>
      uniqueLabels(
        schemaPaths(contextSchemaOf(trigger, catalog)).map((v) => ({ path: v.path, label: pick(v.label, v.path) })),
      ),
    [trigger, catalog, pick],
  );
  const actionMap = useMemo(() => new Map(catalog.actions.map((a) => [a.key, a])), [catalog]);
  const context = useMemo<EditorContextValue>(
    () => ({
      catalog,
      actions: actionMap,
      problems: groupProblems(problems),
      readOnly,
      trace,
      diff: diff ? { added: new Set(diff.nodes.added), changed: new Set(diff.nodes.changed.map((c) => c.id)) } : null,
      fields,
      labels,
      onAddAfter: readOnly ? undefined : (from, branch) => setAdding({ from, branch }),
      titleOf: (id) => {
        if (id === TRIGGER_ID) return t("editor.trigger");
        const node = document.nodes.find((n) => n.id === id);
        return node ? nodeTitle(node, actionMap, fields, language, labels) : id;
      },
    }),
    [catalog, actionMap, problems, readOnly, trace, diff, fields, labels, document.nodes, language, t],
  );

  const exportFile = () => downloadJson(withoutSecrets(document, context.actions), `${document.name || "flow"}.json`);

  return {
    history,
    canvas,
    document,
    trigger,
    selectedNode,
    flow,
    problems,
    tab,
    setTab,
    saveState,
    notice,
    setNotice,
    error,
    execution,
    setExecution,
    setTestSteps,
    setDiff,
    publishing,
    setPublishing,
    note,
    setNote,
    save,
    dirty,
    setName,
    select,
    selectProblem,
    adding,
    setAdding,
    setTrigger,
    changeNode,
    rename,
    removeNodes,
    addItem,
    onDrop,
    isValidConnection,
    onConnect,
    disconnect,
    onSelectionChange,
    autoLayout,
    validate,
    publish,
    toggleEnabled,
    importFile,
    exportFile,
    edges: labelledEdges,
    context,
  };
}

export type EditorState = ReturnType<typeof useEditorState>;
