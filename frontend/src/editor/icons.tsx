/**
 * The editor's icons: small line drawings shipped with the app as inline SVG (no icon font, no emoji,
 * so they draw the same on every machine). 24×24, stroked in the text colour.
 */
import type { ReactElement } from "react";

const P = (d: string) => <path d={d} />;

const SHAPES: Record<string, ReactElement> = {
  tag: (
    <>
      {P("M3 12V4a1 1 0 0 1 1-1h8l9 9-9 9-9-9z")}
      <circle cx="7.5" cy="7.5" r="1.5" />
    </>
  ),
  ticket: (
    <>
      {P("M3 8a2 2 0 0 0 0 4v0a2 2 0 0 1 0 4v2h18v-2a2 2 0 0 1 0-4 2 2 0 0 1 0-4V6H3z")}
      {P("M13 6v2M13 11v2M13 16v2")}
    </>
  ),
  gift: (
    <>
      {P("M3 9h18v4H3zM5 13v8h14v-8M12 9v12")}
      {P("M12 9C10 5 7 5 7 7s3 2 5 2c2 0 5 0 5-2s-3-2-5 2")}
    </>
  ),
  clock: (
    <>
      <circle cx="12" cy="12" r="9" />
      {P("M12 7v5l3 2")}
    </>
  ),
  globe: (
    <>
      <circle cx="12" cy="12" r="9" />
      {P("M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18")}
    </>
  ),
  inbox: P("M3 13l3-8h12l3 8v6H3zM3 13h5l1 3h6l1-3h5"),
  boxes: P("M4 7l8-4 8 4v10l-8 4-8-4zM4 7l8 4 8-4M12 11v10"),
  "package-open": P("M4 7l8-4 8 4v10l-8 4-8-4zM4 7l8 4 8-4M12 11v10M8 5l8 4"),
  "pause-circle": (
    <>
      <circle cx="12" cy="12" r="9" />
      {P("M10 9v6M14 9v6")}
    </>
  ),
  "play-circle": (
    <>
      <circle cx="12" cy="12" r="9" />
      {P("M10 8l6 4-6 4z")}
    </>
  ),
  "sticky-note": P("M4 4h16v10l-6 6H4zM14 20v-6h6"),
  "arrow-right-circle": (
    <>
      <circle cx="12" cy="12" r="9" />
      {P("M8 12h8M13 8l4 4-4 4")}
    </>
  ),
  condition: P("M12 3l9 9-9 9-9-9z"),
  event: P("M13 2L4 14h7l-1 8 9-12h-7z"),
  schedule: <>{P("M4 6h16v14H4zM4 10h16M8 3v4M16 3v4")}</>,
  webhook: <>{P("M9 17H5a3 3 0 1 1 2-5M12 8l3 5a3 3 0 1 1-1 4M15 15l-3-5a3 3 0 1 1 5-2")}</>,
  manual: P(
    "M8 13V5a1.5 1.5 0 0 1 3 0v6M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V6a1.5 1.5 0 0 1 3 0v8a6 6 0 0 1-6 6h-1a6 6 0 0 1-5-3l-2-4a1.5 1.5 0 0 1 3-1l1 2",
  ),
  message: P("M4 5h16v11H9l-5 4z"),
  bell: P("M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0"),
  truck: P("M3 6h11v10H3zM14 10h4l3 3v3h-7M7 19a2 2 0 1 0 0-.01M17 19a2 2 0 1 0 0-.01"),
  refund: P("M4 12a8 8 0 1 0 3-6M4 4v4h4"),
  variable: P("M8 4c-3 0-3 3-3 5s-2 3-2 3 2 1 2 3 0 5 3 5M16 4c3 0 3 3 3 5s2 3 2 3-2 1-2 3 0 5-3 5M10 9l4 6M14 9l-4 6"),
  plus: P("M12 5v14M5 12h14"),
  check: P("M5 12l5 5 9-10"),
  package: P("M4 7l8-4 8 4v10l-8 4-8-4zM4 7l8 4 8-4M12 11v10"),
  refresh: P("M20 12a8 8 0 1 1-3-6M20 4v4h-4"),
  undo: P("M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3"),
  search: (
    <>
      <circle cx="11" cy="11" r="6" />
      {P("M20 20l-4.5-4.5")}
    </>
  ),
  send: P("M3 11l18-8-8 18-2-8z"),
  x: P("M6 6l12 12M18 6L6 18"),
  gear: (
    <>
      <circle cx="12" cy="12" r="3" />
      {P("M12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2")}
    </>
  ),
};

/** The names the catalog's `icon` fields and the editor use; anything else draws the gear. */
export const ICON_NAMES = Object.keys(SHAPES);

export function Icon({ name, size = 16, title }: { name: string | undefined; size?: number; title?: string }) {
  const shape = (name && SHAPES[name]) || SHAPES.gear;
  return (
    <svg
      className="icon-svg"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={title ? "img" : undefined}
      aria-hidden={title ? undefined : true}
      aria-label={title}
      data-icon={name && SHAPES[name] ? name : "gear"}
    >
      {shape}
    </svg>
  );
}
