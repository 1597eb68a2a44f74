"""The catalog of what a flow may name: triggers, domain events (with their context schemas) and actions.

One registry in the code. The builder's validation and ``GET /api/v1/catalog/`` read it; the
runtime and connectors *register* into it (``register_action``) from their ``AppConfig.ready``,
so the builder never imports them. The editor's palette is generated from ``catalog_document()``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

TRIGGER_TYPES = ("event", "schedule", "webhook", "manual")

# What an ``x-picker`` may name (``builder.field_labels.PICKER_OF``): each is served as
# ``GET /api/v1/pickers/<kind>/`` over the real rows (``builder.pickers``). The contract's list,
# plus ``courier`` (a courier connector's key) and ``event`` (a domain event's name).
PICKER_KINDS = (
    "channel",
    "status",
    "queue",
    "tag",
    "role",
    "user",
    "warehouse",
    "sku",
    "connection",
    "message_template",
    "ticket_priority",
    "courier",
    "event",
)

# The trigger's secrets (the webhook trigger's signing secret). Action secrets are declared in their
# params schema with ``"writeOnly": true``. Secrets are sealed at rest (``core.crypto``), shown
# as a mask in answers and dropped from exports (``builder.redaction``).
TRIGGER_SECRET_FIELDS = ("hmac_secret",)


def secret_fields(object_schema: dict) -> tuple[str, ...]:
    """The properties of ``object_schema`` marked ``"writeOnly": true``, in schema order."""
    properties = object_schema.get("properties") if isinstance(object_schema, dict) else None
    if not isinstance(properties, dict):
        return ()
    return tuple(key for key, prop in properties.items() if isinstance(prop, dict) and prop.get("writeOnly") is True)


def _secrets_marked(object_schema: dict, fields: tuple[str, ...]) -> dict:
    """A copy of ``object_schema`` whose ``fields`` say they are secrets, for the editor's forms."""
    properties = object_schema.get("properties", {})
    if not any(key in properties for key in fields):
        return object_schema
    marked = {
        key: {**prop, "writeOnly": True, "format": "password"} if key in fields else prop
        for key, prop in properties.items()
    }
    return {**object_schema, "properties": marked}


@dataclass(frozen=True)
class ActionSpec:
    """What the flow language knows of an action: its key, names, param schema and policies.

    ``params_schema`` is a JSON Schema (draft 2020-12) object schema for the node's ``params``.
    ``contacts_customer`` puts the action under the customer-contact rate limit.
    ``connector`` is the connector key for connector actions, ``"core"`` for built-ins.
    """

    key: str
    name_en: str
    name_zh: str
    params_schema: dict
    connector: str = "core"
    group: str = "order"
    description_en: str = ""
    description_zh: str = ""
    icon: str = ""
    contacts_customer: bool = False
    default_retry: dict = field(default_factory=lambda: {"max_attempts": 3, "backoff_seconds": 30})
    output_schema: dict = field(default_factory=lambda: {"type": "object"})

    @property
    def secret_params(self) -> tuple[str, ...]:
        """The params that are secrets: marked ``"writeOnly": true`` in ``params_schema``."""
        return secret_fields(self.params_schema)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": {"en": self.name_en, "zh": self.name_zh},
            "description": {"en": self.description_en, "zh": self.description_zh},
            "connector": self.connector,
            "group": self.group,
            "icon": self.icon,
            "contacts_customer": self.contacts_customer,
            "default_retry": self.default_retry,
            "params_schema": self.params_schema,
            "output_schema": self.output_schema,
        }


_actions: dict[str, ActionSpec] = {}


def register_action(spec: ActionSpec) -> ActionSpec:
    """Adds an action to the catalog. Registering the same key twice with a different spec is a bug."""
    existing = _actions.get(spec.key)
    if existing is not None and existing != spec:
        raise ValueError(f"action {spec.key!r} is registered twice with different specs")
    _actions[spec.key] = spec
    return spec


def action_spec(key: str) -> ActionSpec | None:
    return _actions.get(key)


def action_specs() -> list[ActionSpec]:
    return sorted(_actions.values(), key=lambda spec: (spec.connector != "core", spec.connector, spec.key))


@contextmanager
def registered_actions(*specs: ActionSpec, only: bool = False) -> Iterator[list[ActionSpec]]:
    """Registers ``specs`` for the duration of the block, then restores the catalog exactly.

    A spec may replace one already registered under its key (a test's stand-in for a core action);
    the original comes back on exit. With ``only=True`` the catalog holds nothing but ``specs``
    inside the block, so a test does not depend on what the runtime or connectors registered.
    """
    saved = dict(_actions)
    if only:
        _actions.clear()
    for spec in specs:
        _actions[spec.key] = spec
    try:
        yield list(specs)
    finally:
        _actions.clear()
        _actions.update(saved)


@dataclass(frozen=True)
class ConnectorSpec:
    """A connector's names for the palette. Its actions name it by ``key`` in ``ActionSpec.connector``."""

    key: str
    name_en: str
    name_zh: str
    kind: str = ""
    icon: str = ""

    def as_dict(self) -> dict:
        return {"key": self.key, "name": {"en": self.name_en, "zh": self.name_zh}, "kind": self.kind, "icon": self.icon}


CORE_CONNECTOR = ConnectorSpec(key="core", name_en="Orderflow", name_zh="内置", kind="core")
_connectors: dict[str, ConnectorSpec] = {CORE_CONNECTOR.key: CORE_CONNECTOR}


def register_connector(spec: ConnectorSpec) -> ConnectorSpec:
    """Names a connector in the palette (``connectors`` calls it from ``AppConfig.ready``)."""
    existing = _connectors.get(spec.key)
    if existing is not None and existing != spec:
        raise ValueError(f"connector {spec.key!r} is registered twice with different specs")
    _connectors[spec.key] = spec
    return spec


_TRIGGER_NAMES = {
    "event": (
        "When something happens",
        "当业务事件发生时",
        "Runs on a domain event (order paid, parcel signed…).",
        "在业务事件发生时运行（订单支付、包裹签收……）。",
    ),
    "schedule": (
        "On a schedule",
        "定时",
        "Runs on a cron schedule, optionally once per matching order.",
        "按定时计划运行，可对每个符合条件的订单各运行一次。",
    ),
    "webhook": (
        "When a webhook is called",
        "收到 Webhook 时",
        "Runs when the flow's own URL receives a POST.",
        "流程专属地址收到 POST 请求时运行。",
    ),
    "manual": ("When started by hand", "手动运行", "Runs when an operator starts it.", "由运营人员手动启动。"),
}


def catalog_document() -> dict:
    """Everything the editor's palette needs, with JSON schemas and zh/en names.

    Triggers (with their config and context schemas), domain events (with their context schemas),
    registered actions, the connectors those actions belong to, the condition operators and the
    template filters.
    """
    # Imported here: schema and validation import this module for the registry.
    from . import events, jsonlogic, schema, templating_grammar
    from .field_labels import annotated

    specs = action_specs()
    connector_keys = sorted({spec.connector for spec in specs} | set(_connectors), key=lambda k: (k != "core", k))
    connectors = []
    for key in connector_keys:
        described = _connectors.get(key) or ConnectorSpec(key=key, name_en=key, name_zh=key)
        connectors.append({**described.as_dict(), "actions": [s.key for s in specs if s.connector == key]})
    triggers = []
    for kind in TRIGGER_TYPES:
        name_en, name_zh, description_en, description_zh = _TRIGGER_NAMES[kind]
        context = None if kind == "event" else events.trigger_context_schema({"type": kind})
        triggers.append(
            {
                "type": kind,
                "name": {"en": name_en, "zh": name_zh},
                "description": {"en": description_en, "zh": description_zh},
                "config_schema": annotated(
                    _secrets_marked(schema.TRIGGER_CONFIG_SCHEMAS[kind], TRIGGER_SECRET_FIELDS), "trigger"
                ),
                "context_schema": annotated(context, "context"),
            }
        )
    return {
        "format": schema.FORMAT,
        "triggers": triggers,
        "for_each_context_schema": annotated(
            events.trigger_context_schema({"type": "schedule", "for_each": {"collection": "orders"}}), "context"
        ),
        "events": [
            {**spec.as_dict(), "context_schema": annotated(spec.context_schema(), "context")}
            for spec in events.EVENTS.values()
        ],
        "actions": [{**spec.as_dict(), "params_schema": annotated(spec.params_schema, spec.key)} for spec in specs],
        "connectors": connectors,
        "condition": {"language": "jsonlogic", "operators": jsonlogic.operator_catalog()},
        "template": {
            "filters": [
                {
                    "name": f.name,
                    "min_args": f.min_args,
                    "max_args": f.max_args,
                    "description": {"en": f.description_en, "zh": f.description_zh},
                }
                for f in templating_grammar.FILTERS.values()
            ]
        },
    }
