"""The template folders' reader: parameters checked by type, targets that must exist, bad folders refused."""

import json

import pytest

from templates.library import Parameter, TemplateFileError, coerce, load_folder, pointer_get, render, template_get


def _parameter(kind: str, **extra) -> Parameter:
    return Parameter(key="p", type=kind, title={"zh": "参数", "en": "P"}, default=None, targets=("/x",), **extra)


@pytest.mark.parametrize(
    ("kind", "extra", "given", "expected"),
    [
        ("money", {"minimum": 0}, "12.50", (12.5, None)),
        ("money", {"minimum": 0}, 599, (599, None)),
        ("money", {"minimum": 0}, "1.234", (None, "at most 2 decimal places")),
        ("money", {"minimum": 0}, -1, (None, "at least 0")),
        ("money", {}, "NaN", (None, "expected a number")),
        ("money", {}, "1e400", (None, "expected a number")),
        ("money", {}, True, (None, "expected a number")),
        ("integer", {"maximum": 10}, "7", (7, None)),
        ("integer", {"maximum": 10}, 11, (None, "at most 10")),
        ("integer", {}, 1.5, (None, "expected a whole number")),
        ("integer", {}, "2.0", (None, "expected a whole number")),
        ("text", {"max_length": 3}, "abcd", (None, "at most 3 characters")),
        ("text", {}, "  ", (None, "expected a non-empty text")),
        ("enum", {"options": ("low", "high")}, "high", ("high", None)),
        ("enum", {"options": ("low", "high")}, "urgent", (None, "expected one of: low, high")),
        ("bool", {}, "yes", (None, "expected true or false")),
        ("time", {}, "2026-12-24 00:00", ("2026-12-23T16:00:00Z", None)),  # Beijing time without a zone
        ("time", {}, "2026-12-24T00:00:00+00:00", ("2026-12-24T00:00:00Z", None)),
        ("time", {}, "2026-12-23T16:00:00Z", ("2026-12-23T16:00:00Z", None)),
        ("time", {}, "next Tuesday", (None, "expected a date and time, such as 2026-12-24 00:00")),
    ],
)
def test_an_answer_is_checked_by_its_type(kind, extra, given, expected):
    assert coerce(_parameter(kind, **extra), given) == expected


def test_targets_name_nodes_by_id_and_render_writes_every_one():
    template = template_get("refund-tiers")
    document = render(template, {"auto_limit": 30, "supervisor_limit": 300}, {})
    assert pointer_get(document, "/nodes/small/rule/<=/1") == 30
    assert pointer_get(document, "/nodes/medium/rule/<=/1") == 300
    assert template.document["nodes"][0]["rule"]["<="][1] == 50  # the template itself is untouched


def _folder(tmp_path, meta_change=None, document_change=None):
    source = template_get("big-order-gift")
    folder = tmp_path / "broken-template"
    folder.mkdir()
    document = json.loads(json.dumps(source.document))
    meta = {
        "version": 1,
        "title": source.title,
        "description": source.description,
        "category": "orders",
        "changelog": [{"version": 1}],
        "parameters": [
            {
                "key": "sku",
                "type": "text",
                "title": {"zh": "赠品", "en": "Gift"},
                "default": "GIFT-TOTE",
                "targets": ["/nodes/gift/params/sku"],
            }
        ],
    }
    if meta_change:
        meta_change(meta)
    if document_change:
        document_change(document)
    (folder / "flow.json").write_text(json.dumps(document))
    (folder / "template.json").write_text(json.dumps(meta))
    return folder


def test_a_well_formed_folder_loads(tmp_path):
    assert load_folder(_folder(tmp_path)).parameter("sku").default == "GIFT-TOTE"


@pytest.mark.parametrize(
    ("meta_change", "document_change", "words"),
    [
        (lambda m: m.update(category="shoes"), None, "category"),
        (lambda m: m.update(version=2), None, "changelog"),
        (lambda m: m["parameters"][0].update(targets=["/nodes/nope/params/sku"]), None, "not in the flow document"),
        (lambda m: m["parameters"][0].update(default="GIFT-MUG"), None, "not the default"),
        (lambda m: m["parameters"][0].update({"x-picker": "shoe"}), None, "unknown picker"),
        (lambda m: m["parameters"][0].update(type="colour"), None, "type"),
    ],
)
def test_a_malformed_folder_is_refused_with_what_is_wrong(tmp_path, meta_change, document_change, words):
    with pytest.raises(TemplateFileError, match=words):
        load_folder(_folder(tmp_path, meta_change, document_change))
