"""Where each change on an order's timeline came from, in words a person reads (the status trace).

An audit entry keeps its actor (kind, id, label) and a machine ``source`` (``webhook:tmall``,
``flow:12``, ``import:jd``, ``schedule``, …). ``entry_origin`` turns the pair into
``{"kind", "label_zh", "label_en", "link"}``: "来自天猫旗舰店推送", "来自流程「签收即完成」v3",
"由 张三 手动". ``link`` is the app page that shows the source (the flow's execution on the canvas,
the connection), or ``None``.

The words are built from what the entry itself recorded, so they say what was true when the change
was made (a flow renamed since still shows the name and version that ran).
"""

from commerce.channels.models import Channel
from core.actors import CONNECTION, FLOW_EXECUTION, SYSTEM, USER

# How a connection's change reached Orderflow (the part of ``source`` before the colon).
_CONNECTION_WAYS = {
    "webhook": ("推送", "push"),
    "poll": ("轮询", "polling"),
    "sandbox": ("沙箱", "sandbox"),
    "notify": ("支付通知", "payment notification"),
    "query": ("支付查询", "payment query"),
    "sweep": ("支付核对", "payment check"),
    "action": ("回传", "callback"),
}

ORIGIN_KINDS = ("user", "import", "connection", "flow", "schedule", "system")


def _origin(kind: str, zh: str, en: str, link: str | None = None) -> dict:
    return {"kind": kind, "label_zh": zh, "label_en": en, "link": link}


def _flow_name_and_version(label: str) -> tuple[str, str]:
    """``"签收即完成 v3"`` → ``("签收即完成", "v3")`` (the label ``runtime.steps.execution_actor`` writes)."""
    name, sep, number = label.rpartition(" v")
    if sep and number.isdigit():
        return name, f"v{number}"
    return label, ""


def entry_origin(entry, *, channels: dict[str, str] | None = None) -> dict:
    """The source of one audit entry in words.

    ``channels`` caches channel code → name across the entries of one answer: an import's entry
    names its channel, read once per channel.
    """
    kind, label, source = entry.actor_kind, entry.actor_label, entry.source or ""
    way, _, rest = source.partition(":")
    if way == "import":
        cache = channels if channels is not None else {}
        if rest not in cache:
            cache[rest] = Channel.objects.filter(code=rest).values_list("name", flat=True).first() or rest
        channel = cache[rest]
        if kind == USER:
            return _origin(
                "import",
                f"来自导入文件（{channel}，由 {label} 上传）",
                f"From an import file ({channel}, uploaded by {label})",
            )
        return _origin("import", f"来自导入文件（{channel}）", f"From an import file ({channel})")
    if kind == USER:
        if source == "admin":
            return _origin("user", f"由 {label} 在后台修改", f"By {label} in the admin")
        return _origin("user", f"由 {label} 手动", f"By {label}, by hand")
    if kind == FLOW_EXECUTION:
        name, version = _flow_name_and_version(label)
        flow_id = rest if way == "flow" and rest.isdigit() else ""
        link = f"/app/flows/{flow_id}?execution={entry.actor_id}" if flow_id and entry.actor_id else None
        return _origin("flow", f"来自流程「{name}」{version}", f"From flow “{name}” {version}".rstrip(), link)
    if kind == CONNECTION:
        zh_way, en_way = _CONNECTION_WAYS.get(way, (way, way))
        link = f"/app/connections/{entry.actor_id}" if entry.actor_id.isdigit() else None
        return _origin("connection", f"来自{label}{zh_way}", f"{en_way.capitalize()} from {label}", link)
    if kind == SYSTEM and way == "schedule":
        return _origin("schedule", f"来自定时任务「{label}」", f"From the scheduled job “{label}”")
    if source == "seed":
        return _origin("system", "来自演示数据", "From the demo data")
    return _origin("system", f"来自系统（{label or source}）", f"From the system ({label or source})")
