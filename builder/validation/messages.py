"""What a problem says to the person editing the flow: what is wrong and what to do, in their language.

Every ``Problem`` carries two texts. ``detail`` is the technical account (English, with the
values, patterns and JSON pointers a developer wants; the editor shows it in its advanced view).
``message`` is written here: a sentence in the active language (``gettext``: the request's
``Accept-Language`` or the user's language) that names the field by its title
(``builder.field_labels``), a step by its label or its action's name, and says what to do. A
message never holds a JSON pointer or a regular expression; ``tests/builder/test_problem_messages.py``
walks every problem kind to hold that.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import catalog, events
from ..field_labels import ENUM_LABELS, TITLES, VALUE_LABELS, lookup_by_path

# The document's own fields, by path suffix (list indexes left out): ``nodes.id``, ``trigger.cron``.
DOCUMENT_TITLES: dict[str, tuple[str, str]] = {
    "format": ("文档格式", "Document format"),
    "name": ("流程名称", "Flow name"),
    "description": ("流程说明", "Description"),
    "trigger": ("触发器", "Trigger"),
    "trigger.type": ("触发方式", "Trigger type"),
    "trigger.event": ("业务事件", "Event"),
    "trigger.cron": ("定时计划", "Schedule"),
    "trigger.timezone": ("时区", "Time zone"),
    "trigger.position": ("位置", "Position"),
    "trigger.hmac_secret": ("签名密钥", "Signing secret"),
    "for_each": ("对每个订单运行", "For each order"),
    "for_each.collection": ("对象", "Collection"),
    "for_each.filter": ("订单筛选", "Order filter"),
    "for_each.cooldown_minutes": ("同一订单再次运行间隔（分钟）", "Again for an order after (minutes)"),
    "filter.status": ("订单状态", "Order status"),
    "filter.channel": ("渠道", "Channel"),
    "filter.tag": ("带有标签", "Has tag"),
    "filter.province": ("省份", "Province"),
    "filter.on_hold": ("已挂起", "On hold"),
    "filter.status_older_than_minutes": ("在当前状态已超过（分钟）", "In its status for over (minutes)"),
    "nodes": ("步骤", "Steps"),
    "nodes.id": ("步骤编号", "Step id"),
    "nodes.type": ("步骤类型", "Step type"),
    "nodes.action": ("动作", "Action"),
    "nodes.params": ("参数", "Settings"),
    "nodes.rule": ("条件", "Condition"),
    "nodes.label": ("步骤名称", "Step name"),
    "nodes.position": ("位置", "Position"),
    "nodes.retry": ("失败重试", "Retry"),
    "retry.max_attempts": ("最多尝试次数", "Max attempts"),
    "retry.backoff_seconds": ("重试间隔（秒）", "Retry interval (seconds)"),
    "position.x": ("横坐标", "X"),
    "position.y": ("纵坐标", "Y"),
    "edges": ("连线", "Connections"),
    "edges.from": ("连线起点", "Connection start"),
    "edges.to": ("连线终点", "Connection end"),
    "edges.branch": ("条件出口（是/否）", "Condition output (yes/no)"),
}
BRANCH_LABELS = {"true": ("是", "Yes"), "false": ("否", "No")}


def _zh() -> bool:
    return (get_language() or "").lower().startswith("zh")


def in_language(pair: tuple[str, str] | dict | None, fallback: str = "") -> str:
    """The text of a (zh, en) pair or a ``{"zh", "en"}`` dict in the active language."""
    if pair is None:
        return fallback
    if isinstance(pair, dict):
        return pair.get("zh" if _zh() else "en") or fallback
    return pair[0] if _zh() else pair[1]


def field_title(document, path: list) -> str:
    """The title of the field at ``path`` in ``document``: a param's from the catalog's labels."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    if len(path) >= 3 and path[0] == "nodes" and path[2] == "rule":
        return in_language(DOCUMENT_TITLES["nodes.rule"])
    if len(path) >= 4 and path[0] == "nodes" and path[2] == "params":
        node = node_at(document, path)
        action = node.get("action") if isinstance(node, dict) else None
        param_keys = [str(p) for p in path[3:] if not isinstance(p, int)]
        if param_keys:
            scoped = [action, *param_keys] if isinstance(action, str) else param_keys
            found = lookup_by_path(TITLES, scoped) or lookup_by_path(DOCUMENT_TITLES, param_keys)
            return in_language(found, param_keys[-1])
    found = lookup_by_path(DOCUMENT_TITLES, keys) or lookup_by_path(TITLES, keys)
    return in_language(found, keys[-1] if keys else _("the flow"))


def value_text(document, path: list, value) -> str:
    """A value as the user picked it: its label when the field's values have labels."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    if isinstance(value, str):
        if keys and keys[-1] == "branch":
            return f"“{in_language(BRANCH_LABELS.get(value), value)}”"
        labels = lookup_by_path(ENUM_LABELS, keys) or {}
        label = labels.get(value) or VALUE_LABELS.get(value)
        return f"“{in_language(label, value)}”"
    if isinstance(value, list):
        return ("、" if _zh() else ", ").join(value_text(document, path, item) for item in value)
    return f"“{value}”"


def node_at(document, path: list) -> dict | None:
    if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], int) and isinstance(document, dict):
        nodes = document.get("nodes")
        if isinstance(nodes, list) and path[1] < len(nodes) and isinstance(nodes[path[1]], dict):
            return nodes[path[1]]
    return None


def node_name(node: dict | None, node_id: str | None = None) -> str:
    """A step as the canvas titles it: its label, else its action's name, else its id."""
    if isinstance(node, dict):
        label = node.get("label")
        if isinstance(label, str) and label.strip():
            return label.strip()
        if node.get("type") == "condition":
            return _("Condition %(id)s") % {"id": node.get("id", "")}
        spec = catalog.action_spec(node.get("action", "")) if isinstance(node.get("action"), str) else None
        if spec is not None:
            return in_language((spec.name_zh, spec.name_en))
        node_id = node.get("id") if isinstance(node.get("id"), str) else node_id
    if node is None and node_id == "trigger":
        return in_language(DOCUMENT_TITLES["trigger"])
    return node_id or ""


def event_name(name: str) -> str:
    spec = events.event_spec(name)
    return in_language((spec.name_zh, spec.name_en)) if spec is not None else name


def trigger_phrase(trigger: dict) -> str:
    """The trigger as a message names it: "the event “Order paid”", "a scheduled run"."""
    kind = trigger.get("type")
    if kind == "event":
        return _("the event “%(event)s”") % {"event": event_name(trigger.get("event", ""))}
    if kind == "schedule" and trigger.get("for_each"):
        return _("a scheduled run for each order")
    if kind == "schedule":
        return _("a scheduled run")
    if kind == "webhook":
        return _("a webhook run")
    return _("a manual run")


# --- the document's shape (JSON Schema errors) ----------------------------------------------------

_TYPE_WORDS = {
    "string": ("文本", "text"),
    "number": ("数字", "a number"),
    "integer": ("整数", "a whole number"),
    "boolean": ("是或否", "yes or no"),
    "array": ("列表", "a list"),
    "object": ("一组字段", "a group of fields"),
    "null": ("空", "empty"),
}


def _type_words(wanted) -> str:
    wanted = wanted if isinstance(wanted, list) else [wanted]
    words = [in_language(_TYPE_WORDS.get(w), str(w)) for w in wanted if w != "null"] or [
        in_language(_TYPE_WORDS["null"])
    ]
    return _(" or ").join(words)


def schema_message(document, path: list, validator: str, expected, value) -> str:
    """The sentence for one JSON Schema error at ``path`` (``validator`` is the failed keyword)."""
    field = field_title(document, path)
    if validator == "required":
        return _("“%(field)s” is missing. Fill it in.") % {"field": field}
    if validator == "additionalProperties":
        return _("“%(field)s” does not belong here. Remove it.") % {"field": field}
    if validator == "type":
        return _("“%(field)s” must be %(expected)s. Change its value.") % {
            "field": field,
            "expected": _type_words(expected),
        }
    if validator in ("enum", "const"):
        if path == ["format"]:
            return _("This is not an Orderflow flow of this version. Start from a blank flow or a template.")
        return _("%(value)s is not one of the choices for “%(field)s”. Pick one from the list.") % {
            "value": value_text(document, path, value),
            "field": field,
        }
    if validator == "pattern":
        last = str(path[-1]) if path else ""
        if last == "id":
            hint = _("Use letters, digits, - and _, starting with a letter.")
        elif last == "url":
            hint = _("Start it with http:// or https://.")
        else:
            hint = _("Pick a value from the list.")
        return _("“%(field)s” is not written the way it must be. %(hint)s") % {"field": field, "hint": hint}
    if validator == "minLength":
        if expected == 1:
            return _("“%(field)s” is empty. Fill it in.") % {"field": field}
        return _("“%(field)s” is too short: at least %(limit)s characters.") % {"field": field, "limit": expected}
    if validator == "maxLength":
        return _("“%(field)s” is too long: at most %(limit)s characters.") % {"field": field, "limit": expected}
    if validator in ("minimum", "exclusiveMinimum"):
        return _("“%(field)s” must be at least %(limit)s.") % {"field": field, "limit": expected}
    if validator in ("maximum", "exclusiveMaximum"):
        return _("“%(field)s” must be at most %(limit)s.") % {"field": field, "limit": expected}
    if validator == "minItems":
        return _("“%(field)s” needs at least %(limit)s entries.") % {"field": field, "limit": expected}
    if validator in ("maxItems", "maxProperties"):
        return _("“%(field)s” may have at most %(limit)s entries.") % {"field": field, "limit": expected}
    if validator == "uniqueItems":
        return _("“%(field)s” lists the same value twice. Remove the repeat.") % {"field": field}
    return _("“%(field)s” is not valid. Check its value.") % {"field": field}


def not_an_object() -> str:
    return _("This is not a flow. Start again from a blank flow or a template.")


def too_large(size: int, limit: int) -> str:
    return _(
        "The flow is too large (%(size)s KB; at most %(limit)s KB). Remove some steps or split it into two flows."
    ) % {
        "size": (size + 1023) // 1024,
        "limit": limit // 1024,
    }


# --- the graph -----------------------------------------------------------------------------------


def reserved_node_id() -> str:
    return _("A step cannot be called “trigger”: that is the trigger's name. Rename the step.")


def duplicate_node_id(name: str) -> str:
    return _("Two steps are both called “%(node)s”. Rename one of them.") % {"node": name}


def empty_flow() -> str:
    return _("The flow has no steps yet. Add a step after the trigger.")


def dangling_edge() -> str:
    return _("A connection joins a step that no longer exists. Delete the connection and connect the steps again.")


def edge_into_trigger() -> str:
    return _("Nothing may lead into the trigger. Delete the connection into it.")


def missing_branch(name: str) -> str:
    return _(
        "A connection out of the condition “%(node)s” must leave from its Yes or its No output. "
        "Connect it again from one of them."
    ) % {"node": name}


def unexpected_branch(name: str) -> str:
    return _("“%(node)s” is not a condition, so it has no Yes or No output. Connect it again from its output.") % {
        "node": name
    }


def duplicate_edge() -> str:
    return _("Two steps are connected twice. Delete one of the connections.")


def cycle(names: list[str]) -> str:
    return _(
        "The steps %(nodes)s lead back to one another. Remove a connection so that the flow only moves forward."
    ) % {"nodes": "、".join(f"“{n}”" for n in names) if _zh() else ", ".join(f"“{n}”" for n in names)}


def unreachable_node(name: str) -> str:
    return _("“%(node)s” is not connected to the trigger, so it would never run. Connect it or delete it.") % {
        "node": name
    }


# --- the trigger ---------------------------------------------------------------------------------


def unknown_event(name: str) -> str:
    return _("“%(event)s” is not an event Orderflow knows. Pick the event from the list.") % {"event": name}


def event_unavailable(name: str, reason: dict) -> str:
    return _(
        "“%(event)s” is not available yet, so a flow on it cannot be published; it is kept as a draft. %(reason)s"
    ) % {"event": event_name(name), "reason": in_language(reason)}


def invalid_cron(never_fires: bool) -> str:
    if never_fires:
        return _("The schedule never comes round (there is no such date). Choose another day.")
    return _("The schedule is not valid. Set it again with the schedule form (for example every day at 09:00).")


def invalid_timezone(zone: str) -> str:
    return _("“%(zone)s” is not a time zone. Pick one from the list, such as Asia/Shanghai.") % {"zone": zone}


# --- conditions, actions, references ----------------------------------------------------------------


def invalid_rule(name: str) -> str:
    return _("Part of the condition “%(node)s” is malformed. Set it again in the condition builder.") % {"node": name}


def unknown_operator(name: str, op: str) -> str:
    return _(
        "The condition “%(node)s” uses “%(operator)s”, which is not a comparison Orderflow knows. "
        "Pick a comparison from the list."
    ) % {"node": name, "operator": op}


def unknown_action(name: str, action: str) -> str:
    return _(
        "The step “%(node)s” uses an action Orderflow does not offer (“%(action)s”). "
        "Replace it with a step from the palette."
    ) % {"node": name, "action": action}


def template_syntax(field: str) -> str:
    return _(
        "The text of “%(field)s” has a broken variable. "
        "Delete it and insert the variable again with the variable picker."
    ) % {"field": field}


def unknown_context_path(field: str, path: str, trigger: dict) -> str:
    return _("“%(field)s” uses “%(path)s”, which %(trigger)s does not provide. Pick a field from the list.") % {
        "field": field,
        "path": path,
        "trigger": trigger_phrase(trigger),
    }


def step_not_before(field: str, step: str) -> str:
    return _(
        "“%(field)s” uses the result of “%(step)s”, which does not run before this step. Pick a step that runs earlier."
    ) % {"field": field, "step": step}


def not_in_step_output(field: str, path: str, step: str) -> str:
    return _("“%(field)s” uses “%(path)s”, which “%(step)s” does not produce. Pick a field from the list.") % {
        "field": field,
        "path": path,
        "step": step,
    }


def secret_unreadable(field: str) -> str:
    return _("The saved secret “%(field)s” can no longer be read on this server. Enter it again.") % {"field": field}


def secret_too_long(field: str, limit: int) -> str:
    return _("The secret “%(field)s” is too long to be stored safely: at most %(limit)s bytes.") % {
        "field": field,
        "limit": limit,
    }
