import type { FlowDocument } from "../api/types";

/** Reads a flow document from a chosen file; throws when it is not a flow JSON object. */
export async function readJsonFile(file: File): Promise<FlowDocument> {
  const value: unknown = JSON.parse(await file.text());
  if (!value || typeof value !== "object" || Array.isArray(value) || !("nodes" in value) || !("trigger" in value)) {
    throw new Error("not a flow document");
  }
  return value as FlowDocument;
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
