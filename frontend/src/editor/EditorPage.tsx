import "@xyflow/react/dist/style.css";
import "./editor.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { catalogApi, executionsApi, flowsApi } from "../api/flows";
import type { Catalog, Execution, Flow, FlowDocument } from "../api/types";
import { FLOW_EDITORS, useAuth } from "../app/auth";
import { ErrorNote } from "../components/common";
import { useI18n } from "../i18n/i18n";
import { UpdateBanner } from "../marketplace/UpdateNotice";
import { Editor } from "./Editor";

interface Loaded {
  flow: Flow;
  catalog: Catalog;
  execution: Execution | null;
  /** The document on the canvas: the draft, or the version an execution ran. */
  document: FlowDocument;
  /** The load this answers: the editor is keyed on it, so it starts afresh with the fresh flow, not before it arrives. */
  generation: number;
}

export default function EditorPage({ flowId, executionId }: { flowId: number; executionId: string | null }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [generation, setGeneration] = useState(0);
  // A message for the reloaded editor (a rollback reloads it and must still say what it did).
  const [notice, setNotice] = useState("");

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    (async () => {
      const [flow, catalog, execution] = await Promise.all([
        flowsApi.get(flowId, controller.signal),
        catalogApi.get(controller.signal),
        executionId ? executionsApi.get(Number(executionId), controller.signal) : Promise.resolve(null),
      ]);
      let document = flow.definition;
      if (execution && execution.flow === flowId)
        document = (await flowsApi.version(flowId, execution.flow_version)).definition;
      if (!controller.signal.aborted) setLoaded({ flow, catalog, execution, document, generation });
    })().catch((reason: unknown) => {
      if (!controller.signal.aborted) setError(reason instanceof Error ? reason : new Error(String(reason)));
    });
    return () => controller.abort();
  }, [flowId, executionId, generation]);

  if (error) return <ErrorNote error={error} onRetry={() => setGeneration((g) => g + 1)} />;
  if (!loaded) return <p className="loading">{t("common.loading")}</p>;
  return (
    <ReactFlowProvider>
      {!executionId && <UpdateBanner flowId={loaded.flow.id} />}
      <Editor
        key={`${loaded.flow.id}:${executionId ?? "draft"}:${loaded.generation}`}
        initialFlow={loaded.flow}
        catalog={loaded.catalog}
        document={loaded.document}
        execution={loaded.execution}
        readOnly={!can(FLOW_EDITORS) || loaded.execution !== null}
        initialNotice={notice}
        onReload={(message = "") => {
          setNotice(message);
          setGeneration((g) => g + 1);
        }}
      />
    </ReactFlowProvider>
  );
}
