"""Layer 1: the document's shape, checked against ``schema.DOCUMENT_SCHEMA`` (or an action's params schema).

Each JSON Schema error becomes a ``Problem`` with a code a person can act on (``missing_field``,
``unexpected_field``, ``wrong_type``…), at the pointer of the key it concerns, in reading order.
"""

import json
from functools import lru_cache

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from .. import schema
from . import messages
from .problems import TRIGGER_ID, Problem, pointer

_document_validator = Draft202012Validator(schema.DOCUMENT_SCHEMA)

_SCHEMA_CODES = {
    "required": "missing_field",
    "additionalProperties": "unexpected_field",
    "type": "wrong_type",
    "enum": "not_allowed",
    "const": "not_allowed",
    "pattern": "bad_format",
    "minLength": "out_of_range",
    "maxLength": "out_of_range",
    "minimum": "out_of_range",
    "maximum": "out_of_range",
    "minItems": "out_of_range",
    "maxItems": "out_of_range",
    "uniqueItems": "duplicate_item",
}


def _schema_error_locations(error: SchemaError) -> list[tuple[list, str, str, str, object, object]]:
    """Where an error is, what it says (technically), its code, and for the person's message: the
    failed keyword, what it expected and the value. A missing or unexpected key gets its own path."""
    path = list(error.absolute_path)
    code = _SCHEMA_CODES.get(error.validator, "invalid")
    instance = error.instance
    keyword = str(error.validator)
    if error.validator == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance and error.message == f"{key!r} is a required property":
                return [([*path, key], f"'{key}' is required", code, keyword, None, None)]
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        listed = ", ".join(sorted(allowed))
        extra = sorted(key for key in instance if key not in allowed)
        if extra:
            return [
                ([*path, key], f"'{key}' is not allowed here (allowed: {listed})", code, keyword, None, None)
                for key in extra
            ]
    if error.validator == "const":
        return [(path, f"must be {error.validator_value!r}", code, keyword, error.validator_value, instance)]
    if error.validator == "enum":
        detail = f"{instance!r} is not one of {', '.join(map(str, error.validator_value))}"
        return [(path, detail, code, keyword, error.validator_value, instance)]
    if error.validator == "type":
        wanted = error.validator_value
        words = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return [(path, f"must be of type {words}", code, keyword, wanted, instance)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        # The branch whose type fits the value says the most ("'lost' is not a status", not "must be a string").
        # Errors of a branch whose type does not fit are left out first (a list of statuses is
        # told it repeats one, not that a list is no status).
        misfits = {e.relative_schema_path[0] for e in error.context if e.validator == "type" and e.relative_schema_path}
        fitting = (
            [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] not in misfits]
            or [e for e in error.context if e.validator != "type"]
            or list(error.context)
        )
        return _schema_error_locations(max(fitting, key=lambda e: len(e.absolute_path)))
    return [(path, error.message, code, keyword, error.validator_value, instance)]


def node_id_at(document: dict, path: list) -> str | None:
    """The id of the node (or ``trigger``) that ``path`` lies in, when it lies in one."""
    if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], int):
        nodes = document.get("nodes")
        if isinstance(nodes, list) and path[1] < len(nodes) and isinstance(nodes[path[1]], dict):
            node_id = nodes[path[1]].get("id")
            return node_id if isinstance(node_id, str) else None
    if path and path[0] == "trigger":
        return TRIGGER_ID
    return None


def schema_problems(document, *, params_schema: dict | None = None, prefix: tuple = (), whole=None) -> list[Problem]:
    """Problems from the document schema, or from ``params_schema`` for the value at ``prefix``.

    ``whole`` is the document the value at ``prefix`` lies in (for the messages' field titles).
    """
    validator = _document_validator if params_schema is None else _params_validator(json.dumps(params_schema))
    whole = document if whole is None else whole
    located = []
    for error in validator.iter_errors(document):
        for path, detail, schema_code, keyword, expected, value in _schema_error_locations(error):
            code = "invalid_param" if params_schema is not None else schema_code
            full = [*prefix, *path]
            message = messages.schema_message(whole, full, keyword, expected, value)
            located.append((_document_order(path), Problem(code, detail, None, pointer(*full), message)))
    return [problem for _key, problem in sorted(located, key=lambda pair: pair[0])]


_TOP_LEVEL_ORDER = ("format", "name", "description", "trigger", "nodes", "edges")


def _document_order(path: list) -> tuple:
    """Sorts problems in reading order: top-level keys as a document lists them, then indexes by number."""
    head = _TOP_LEVEL_ORDER.index(path[0]) if path and path[0] in _TOP_LEVEL_ORDER else len(_TOP_LEVEL_ORDER)
    return (head, *((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path))


@lru_cache(maxsize=256)
def _params_validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))
