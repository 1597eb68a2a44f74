"""A template's preview image, generated from its canvas: the document's nodes at their positions as SVG.

The same layout the editor's canvas shows (each node's ``position``; the trigger to the left of the
first nodes), drawn as boxes with the node's label — or its action's, event's or trigger's name —
and the edges as lines, a condition's branches marked 是/否 (yes/no). Text is escaped; nothing of
the document is trusted as markup. The gallery's cards show it; the detail page shows the live
read-only canvas.
"""

from xml.sax.saxutils import escape

from builder.catalog import action_spec
from builder.events import event_spec

NODE_W, NODE_H, GAP, PAD = 200, 56, 80, 24
TRIGGER_NAMES = {
    "schedule": ("定时", "On a schedule"),
    "webhook": ("收到 Webhook", "Webhook"),
    "manual": ("手动运行", "Manual"),
}
COLOURS = {"trigger": "#722ed1", "condition": "#d48806", "action": "#1677ff"}


def _label(node: dict, zh: bool) -> str:
    if isinstance(node.get("label"), str) and node["label"]:
        return node["label"]
    if node.get("type") == "condition":
        return "条件" if zh else "Condition"
    spec = action_spec(node.get("action", "")) if isinstance(node.get("action"), str) else None
    if spec is None:
        return str(node.get("action", "?"))
    return spec.name_zh if zh else spec.name_en


def _trigger_label(trigger: dict, zh: bool) -> str:
    if trigger.get("type") == "event":
        spec = event_spec(str(trigger.get("event", "")))
        if spec is not None:
            return spec.name_zh if zh else spec.name_en
        return str(trigger.get("event", ""))
    names = TRIGGER_NAMES.get(str(trigger.get("type")), ("触发器", "Trigger"))
    return names[0] if zh else names[1]


def _clip(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def preview_svg(document: dict, *, language: str = "zh") -> str:
    zh = language != "en"
    nodes = [n for n in document.get("nodes", []) if isinstance(n, dict)]
    places: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(nodes):
        position = node.get("position")
        if not isinstance(position, dict):
            position = {}
        places[node["id"]] = (float(position.get("x", i * (NODE_W + GAP))), float(position.get("y", 0)))
    first = [e["to"] for e in document.get("edges", []) if e.get("from") == "trigger" and e.get("to") in places]
    ys = [places[n][1] for n in first] or [0.0]
    left = min((x for x, _y in places.values()), default=0.0)
    places["trigger"] = (left - NODE_W - GAP, sum(ys) / len(ys))
    xs = [x for x, _y in places.values()]
    all_ys = [y for _x, y in places.values()]
    ox, oy = min(xs) - PAD, min(all_ys) - PAD
    width = max(xs) - min(xs) + NODE_W + 2 * PAD
    height = max(all_ys) - min(all_ys) + NODE_H + 2 * PAD
    kinds = {"trigger": "trigger", **{n["id"]: n.get("type", "action") for n in nodes}}
    labels = {"trigger": _trigger_label(document.get("trigger", {}), zh), **{n["id"]: _label(n, zh) for n in nodes}}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="sans-serif" font-size="14">',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fafbfc"/>',
    ]
    for edge in document.get("edges", []):
        if edge.get("from") not in places or edge.get("to") not in places:
            continue
        (x1, y1), (x2, y2) = places[edge["from"]], places[edge["to"]]
        ax, ay, bx, by = x1 - ox + NODE_W, y1 - oy + NODE_H / 2, x2 - ox, y2 - oy + NODE_H / 2
        parts.append(
            f'<line x1="{ax:.0f}" y1="{ay:.0f}" x2="{bx:.0f}" y2="{by:.0f}" stroke="#8c8c8c" stroke-width="2"/>'
        )
        if edge.get("branch") in ("true", "false"):
            word = ("是" if zh else "yes") if edge["branch"] == "true" else ("否" if zh else "no")
            parts.append(f'<text x="{(ax + bx) / 2:.0f}" y="{(ay + by) / 2 - 6:.0f}" fill="#595959">{word}</text>')
    for node_id, (x, y) in places.items():
        colour = COLOURS.get(kinds.get(node_id, "action"), "#1677ff")
        parts.append(
            f'<rect x="{x - ox:.0f}" y="{y - oy:.0f}" width="{NODE_W}" height="{NODE_H}" rx="8" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{x - ox + 12:.0f}" y="{y - oy + NODE_H / 2 + 5:.0f}" fill="#1f1f1f">'
            f"{escape(_clip(labels[node_id]))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
