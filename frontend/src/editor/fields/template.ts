/**
 * Template text as the operator sees it: every `{{ path }}` shown as a labelled chip 「订单号」, the
 * stored text keeping the template syntax. `toDisplay` and `fromDisplay` are inverse for every
 * variable the editor knows; an unknown path or a filter (`{{ order.number | upper }}`) stays as written.
 */

export interface Labelled {
  path: string;
  label: string;
}

const TEMPLATE = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;
const CHIP = /「([^」]+)」/g;

/** Labels made unique: a second variable with the same label gets its path added. */
export function uniqueLabels(variables: Labelled[]): Map<string, string> {
  const byPath = new Map<string, string>();
  const taken = new Set<string>();
  for (const v of variables) {
    const label = taken.has(v.label) ? `${v.label} ${v.path}` : v.label;
    taken.add(label);
    byPath.set(v.path, label);
  }
  return byPath;
}

export type Segment = { kind: "text"; text: string } | { kind: "var"; path: string; label: string };

/** The stored text as text and variable segments (for drawing chips). */
export function segments(stored: string, labels: Map<string, string>): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of stored.matchAll(TEMPLATE)) {
    const label = labels.get(m[1]);
    if (!label) continue;
    if (m.index > last) out.push({ kind: "text", text: stored.slice(last, m.index) });
    out.push({ kind: "var", path: m[1], label });
    last = m.index + m[0].length;
  }
  if (last < stored.length) out.push({ kind: "text", text: stored.slice(last) });
  return out;
}

/** `VIP 订单 {{ order.number }}` → `VIP 订单 「订单号」`. */
export function toDisplay(stored: string, labels: Map<string, string>): string {
  return stored.replace(TEMPLATE, (whole, path: string) => {
    const label = labels.get(path);
    return label ? `「${label}」` : whole;
  });
}

/** `VIP 订单 「订单号」` → `VIP 订单 {{ order.number }}` (a chip whose label is unknown stays as typed). */
export function fromDisplay(display: string, labels: Map<string, string>): string {
  const byLabel = new Map([...labels].map(([path, label]) => [label, path]));
  return display.replace(CHIP, (whole, label: string) => {
    const path = byLabel.get(label);
    return path ? `{{ ${path} }}` : whole;
  });
}

/** The chip text for a path, to insert at the caret. */
export function chip(path: string, labels: Map<string, string>): string {
  return `「${labels.get(path) ?? path}」`;
}
