"""Every field and param the editor shows has zh and en titles, a kind, and labels for its values.

Walks the whole catalog document as ``GET /api/v1/catalog/`` serves it, with the real actions the
runtime and every connector register, so a new field, param or event without them fails here.
"""

import pytest

from builder.catalog import PICKER_KINDS, catalog_document
from builder.field_labels import KINDS, enum_values


def _bilingual(value) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"zh", "en"}
        and all(isinstance(value[lang], str) and value[lang].strip() for lang in ("zh", "en"))
    )


def _property_problems(schema, where: str) -> list[str]:
    """What each property below ``schema`` lacks, as ``where.path: what``."""
    problems: list[str] = []
    if not isinstance(schema, dict):
        return problems
    for key, prop in (schema.get("properties") or {}).items():
        path = f"{where}.{key}"
        if not _bilingual(prop.get("x-title")):
            problems.append(f"{path}: x-title")
        if prop.get("x-kind") not in KINDS:
            problems.append(f"{path}: x-kind {prop.get('x-kind')!r}")
        values = enum_values(prop)
        if values or prop.get("x-kind") == "enum":
            labels = prop.get("x-enum-labels") or {}
            if not values:
                problems.append(f"{path}: kind enum without values")
            for value in values:
                if not _bilingual(labels.get(str(value))):
                    problems.append(f"{path}: label of {value!r}")
        if "x-picker" in prop and prop["x-picker"] not in PICKER_KINDS:
            problems.append(f"{path}: x-picker {prop['x-picker']!r}")
        problems.extend(_property_problems(prop, path))
    items = schema.get("items")
    if isinstance(items, dict):
        problems.extend(_property_problems(items, f"{where}[]"))
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            problems.extend(_property_problems(branch, where))
    return problems


def _catalog_schemas(document: dict) -> list[tuple[str, dict]]:
    schemas = [(f"event {e['name']}", e["context_schema"]) for e in document["events"]]
    schemas += [(f"action {a['key']}", a["params_schema"]) for a in document["actions"]]
    for trigger in document["triggers"]:
        schemas.append((f"trigger {trigger['type']} config", trigger["config_schema"]))
        if trigger["context_schema"] is not None:
            schemas.append((f"trigger {trigger['type']} context", trigger["context_schema"]))
    schemas.append(("for_each context", document["for_each_context_schema"]))
    return schemas


def test_every_field_and_param_of_the_catalog_has_titles_a_kind_and_labelled_values():
    document = catalog_document()

    problems = [p for where, schema in _catalog_schemas(document) for p in _property_problems(schema, where)]

    assert problems == []


def test_the_walk_sees_every_event_every_action_and_their_fields():
    """The check above walks what is there: the real actions of the runtime and the connectors."""
    document = catalog_document()
    keys = {a["key"] for a in document["actions"]}

    assert {"ticket.open", "order.tag", "notify.sms", "refund.request", "payment.refund"} <= keys
    order = next(e for e in document["events"] if e["name"] == "order.paid")["context_schema"]["properties"]["order"]
    assert order["properties"]["total_amount"]["x-kind"] == "money"
    assert order["properties"]["total_amount"]["x-title"] == {"zh": "订单金额", "en": "Order total"}
    assert order["properties"]["channel"]["x-picker"] == "channel"
    assert order["properties"]["status"]["x-enum-labels"]["paid"] == {"zh": "已支付", "en": "Paid"}
    assert order["properties"]["placed_at"]["x-kind"] == "time"
    assert order["properties"]["lines"]["items"]["properties"]["sku"]["x-picker"] == "sku"


def test_every_event_and_action_has_a_bilingual_title():
    document = catalog_document()

    assert [e["name"] for e in document["events"] if not _bilingual(e["title"])] == []
    assert [a["key"] for a in document["actions"] if not _bilingual(a["name"])] == []
    assert [t["type"] for t in document["triggers"] if not _bilingual(t["name"])] == []


@pytest.mark.parametrize(
    ("action", "param", "picker", "kind"),
    [
        ("ticket.open", "queue", "queue", "text"),
        ("ticket.open", "priority", "ticket_priority", "enum"),
        ("ticket.open", "assignee_role", "role", "enum"),
        ("order.tag", "tag", "tag", "text"),
        ("order.transition", "to", "status", "enum"),
        ("order.create_gift", "sku", "sku", "text"),
        ("notify.inbox", "to_role", "role", "enum"),
        ("notify.sms", "connection", "connection", "id"),
        ("notify.sms", "template_code", "message_template", "text"),
        ("refund.request", "amount", None, "money"),
    ],
)
def test_params_that_name_something_that_exists_carry_their_picker(action, param, picker, kind):
    spec = next(a for a in catalog_document()["actions"] if a["key"] == action)

    prop = spec["params_schema"]["properties"][param]

    assert prop.get("x-picker") == picker
    assert prop["x-kind"] == kind


def test_a_notify_connection_picker_is_filtered_to_its_connector():
    actions = {a["key"]: a for a in catalog_document()["actions"]}

    connection = actions["notify.wecom"]["params_schema"]["properties"]["connection"]

    assert connection["x-picker-filter"] == {"connector": "wecom_robot"}
    assert connection["x-title"] == {"zh": "连接", "en": "Connection"}
