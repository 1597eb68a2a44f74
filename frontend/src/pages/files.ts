import type { CatalogAction, FlowDocument, JsonObject } from "../api/types";

/** Reads a flow document from a chosen file; throws when it is not a flow JSON object. */
export async function readJsonFile(file: File): Promise<FlowDocument> {
  const value: unknown = JSON.parse(await file.text());
  if (!value || typeof value !== "object" || Array.isArray(value) || !("nodes" in value) || !("trigger" in value)) {
    throw new Error("not a flow document");
  }
  return value as FlowDocument;
}

/**
 * `document` as a marketplace file may carry it: without the webhook trigger's `hmac_secret` and
 * without any action param the catalog marks `writeOnly` (a secret), masked or not — an exported
 * file never holds a secret, as the server's own export.
 */
export function withoutSecrets(document_: FlowDocument, actions: Map<string, CatalogAction>): FlowDocument {
  const { hmac_secret: _secret, ...trigger } = document_.trigger;
  const nodes = document_.nodes.map((node) => {
    if (node.type !== "action" || !node.params) return node;
    const properties = (actions.get(node.action)?.params_schema.properties ?? {}) as Record<
      string,
      { writeOnly?: boolean }
    >;
    const params = Object.fromEntries(
      Object.entries(node.params).filter(([key]) => properties[key]?.writeOnly !== true),
    ) as JsonObject;
    return { ...node, params };
  });
  return { ...document_, trigger, nodes };
}

/** Offers `document` as a download named after the flow. */
export function downloadJson(document_: FlowDocument, fileName: string): void {
  const blob = new Blob([JSON.stringify(document_, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
