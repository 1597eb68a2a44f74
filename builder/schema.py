"""The JSON Schema (draft 2020-12) of a flow document, ``"format": "orderflow.flow/v1"``.

The document is a public contract (the editor's save format and the marketplace's import/export
format; see DESIGN "Flows"). This schema checks its shape; ``validation`` adds what a schema cannot
say (graph, catalog, rules, templates, cron). Also here: the canonical JSON a checksum is taken of,
and the size cap.
"""

import hashlib
import json

from commerce.orders import statuses

from .catalog import TRIGGER_TYPES

FORMAT = "orderflow.flow/v1"
MAX_DOCUMENT_BYTES = 512 * 1024
MAX_NODES = 500
MAX_EDGES = 2000
NODE_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"

# An ``order_list`` filter, as a schedule's ``for_each`` names it. Every key narrows the set.
ORDER_FILTER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": {
            "description": "The order's current status, or any of several.",
            "anyOf": [
                {"type": "string", "enum": list(statuses.STATUSES)},
                {
                    "type": "array",
                    "items": {"type": "string", "enum": list(statuses.STATUSES)},
                    "minItems": 1,
                    "uniqueItems": True,
                },
            ],
        },
        "channel": {"type": "string", "minLength": 1, "maxLength": 32, "description": "A channel code."},
        "tag": {"type": "string", "minLength": 1, "maxLength": 32, "description": "Orders carrying this tag."},
        "province": {"type": "string", "minLength": 1, "maxLength": 32},
        "on_hold": {"type": "boolean", "description": "true: only held orders; false: only orders not held."},
        "status_older_than_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 525600,
            "description": "Orders that have been in their current status for at least this many minutes "
            "(``status_changed_at`` at or before the run time minus this many minutes). "
            "With ``status`` it expresses timeouts: unpaid for 30 minutes, paid but not shipped for 48 hours.",
        },
    },
}

FOR_EACH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["collection"],
    "properties": {
        "collection": {"const": "orders"},
        "filter": ORDER_FILTER_SCHEMA,
        "cooldown_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 525600,
            "description": "Without it a flow version fires at most once per order; with it, again once this "
            "many minutes have passed since it last fired for that order.",
        },
    },
}

_TYPE = {"type": "string", "enum": list(TRIGGER_TYPES)}

# One object schema per trigger type; the catalog shows them as the triggers' config forms.
TRIGGER_CONFIG_SCHEMAS = {
    "event": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "event"],
        "properties": {"type": {"const": "event"}, "event": {"type": "string", "minLength": 1, "maxLength": 64}},
    },
    "schedule": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "cron", "timezone"],
        "properties": {
            "type": {"const": "schedule"},
            "cron": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "Five fields (minute hour day month weekday) or @hourly/@daily/@weekly/@monthly.",
            },
            "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "description": "An IANA zone."},
            "for_each": FOR_EACH_SCHEMA,
        },
    },
    "webhook": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "type": {"const": "webhook"},
            "hmac_secret": {
                "type": "string",
                "minLength": 16,
                "maxLength": 256,
                "description": "When set, callers sign the body with HMAC-SHA256 under this secret. "
                "The API never shows it back.",
            },
        },
    },
    "manual": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {"type": {"const": "manual"}},
    },
}

_POSITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["x", "y"],
    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
}
_LABEL = {"type": "string", "maxLength": 200}

CONDITION_NODE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "type", "rule"],
    "properties": {
        "id": {"type": "string"},
        "type": {"const": "condition"},
        "rule": {"description": "A JsonLogic rule over the execution context."},
        "position": _POSITION,
        "label": _LABEL,
    },
}

RETRY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["max_attempts", "backoff_seconds"],
    "properties": {
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 10},
        "backoff_seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
    },
}

ACTION_NODE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "type", "action"],
    "properties": {
        "id": {"type": "string"},
        "type": {"const": "action"},
        "action": {"type": "string", "minLength": 1, "maxLength": 100},
        "params": {"type": "object", "description": "Checked against the action's params schema."},
        "retry": RETRY_SCHEMA,
        "position": _POSITION,
        "label": _LABEL,
    },
}


def _with_position(config: dict) -> dict:
    """A trigger's config as a document holds it: with the trigger's optional canvas ``position``.

    Optional, so documents written before the editor saved it stay valid. The catalog shows the
    configs without it: it is where the trigger sits, not how it is set up.
    """
    return {**config, "properties": {**config["properties"], "position": _POSITION}}


def _dispatch(kinds: dict) -> list[dict]:
    """``if type == k then schemas[k]`` for each kind (the ``required`` keeps a missing type out)."""
    return [
        {"if": {"required": ["type"], "properties": {"type": {"const": kind}}}, "then": schema}
        for kind, schema in kinds.items()
    ]


DOCUMENT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://orderflow.example/schemas/flow/v1.json",
    "title": "Orderflow flow document",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "name", "trigger", "nodes", "edges"],
    "properties": {
        "format": {"const": FORMAT},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000},
        "trigger": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": _TYPE},
            "allOf": _dispatch({kind: _with_position(config) for kind, config in TRIGGER_CONFIG_SCHEMAS.items()}),
        },
        "nodes": {
            "type": "array",
            "maxItems": MAX_NODES,
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {"type": "string", "pattern": NODE_ID_PATTERN},
                    "type": {"type": "string", "enum": ["condition", "action"]},
                },
                "allOf": _dispatch({"condition": CONDITION_NODE_SCHEMA, "action": ACTION_NODE_SCHEMA}),
            },
        },
        "edges": {
            "type": "array",
            "maxItems": MAX_EDGES,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to"],
                "properties": {
                    "from": {"type": "string", "minLength": 1},
                    "to": {"type": "string", "minLength": 1},
                    "branch": {"type": "string", "enum": ["true", "false"]},
                },
            },
        },
    },
}


def canonical_json(document) -> bytes:
    """The bytes a checksum is taken of: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def document_checksum(document) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def document_size(document) -> int:
    return len(canonical_json(document))


def blank_document(name: str, description: str = "") -> dict:
    """A new flow's draft: a manual trigger and nothing else yet."""
    return {
        "format": FORMAT,
        "name": name,
        "description": description,
        "trigger": {"type": "manual"},
        "nodes": [],
        "edges": [],
    }
