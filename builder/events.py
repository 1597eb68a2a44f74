"""The execution context of every trigger, as JSON Schema: what a flow's rules and templates may read.

Contract with the runtime — an execution's context is built as::

    {"event": {"id": <outbox id>, "type": <event name>, "occurred_at": <ISO-8601 UTC>},
     **outbox_event.payload,      # the objects the event concerns ("order", "stock", …) and its extras
     "steps": {}}                 # filled with each node's output under its id as the run goes on

so the schema of an event's context is its payload's schema plus ``event`` and ``steps``. The
objects have the REST API's representation: ``ORDER_SCHEMA`` is written from
``commerce.orders.representation.order_representation`` and ``STOCK_SCHEMA`` from
``commerce.inventory.services.stock_representation`` (tests validate real ones against them, so
they cannot drift); ``DIFFERENCE_SCHEMA`` from
``commerce.reconciliation.representation.difference_representation``.
"""

from dataclasses import dataclass, field

from commerce.orders import statuses
from commerce.outbox import names
from commerce.reconciliation import categories as reconciliation_categories
from commerce.refunds import statuses as refund_statuses
from commerce.shipments import statuses as shipment_statuses

_TIMESTAMP = {"type": "string", "format": "date-time"}
_NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
_MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "description": "A decimal as text, two places."}
_STATUS = {"type": "string", "enum": list(statuses.STATUSES)}


def _strict(properties: dict, **extra) -> dict:
    """An object with exactly these keys, all present: paths outside them are typos."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
        **extra,
    }


ORDER_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "number": {"type": "string"},
        "channel": {"type": "string", "description": "The channel code."},
        "external_id": {"type": "string"},
        "status": _STATUS,
        "status_changed_at": _TIMESTAMP,
        "customer": _strict(
            {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "phone": {"type": "string"},
                "credit_level": {"type": "integer"},
            }
        ),
        "currency": {"type": "string"},
        "goods_amount": _MONEY,
        "shipping_amount": _MONEY,
        "discount_amount": _MONEY,
        "total_amount": _MONEY,
        "shipping_address": _strict(
            {
                "name": {"type": "string"},
                "phone": {"type": "string"},
                "province": {"type": "string"},
                "city": {"type": "string"},
                "district": {"type": "string"},
                "line": {"type": "string"},
                "postcode": {"type": "string"},
            }
        ),
        "client_ip": {
            "type": ["string", "null"],
            "description": "The IP address the buyer ordered from, when the channel supplies it.",
        },
        "device": {"type": "string", "description": "The buyer's device or user agent, when the channel supplies it."},
        "placed_at": _TIMESTAMP,
        "paid_at": _NULLABLE_TIMESTAMP,
        "on_hold": {"type": "boolean"},
        "hold_reason": {"type": "string"},
        "cancel_reason": {"type": "string"},
        "gift_for": {"type": ["integer", "null"], "description": "The id of the order this one is a gift for."},
        "tags": {"type": "array", "items": {"type": "string"}},
        "lines": {
            "type": "array",
            "items": _strict(
                {
                    "id": {"type": "integer"},
                    "position": {"type": "integer"},
                    "sku": {"type": "string"},
                    "title": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "unit_price": _MONEY,
                    "line_total": _MONEY,
                }
            ),
        },
        "created_at": _TIMESTAMP,
        "updated_at": _TIMESTAMP,
    },
    title="Order",
)

STOCK_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "sku": {"type": "string"},
        "warehouse": {"type": "string", "description": "The warehouse code."},
        "on_hand": {"type": "integer"},
        "reserved": {"type": "integer"},
        "available": {"type": "integer"},
        "safety_stock": {"type": "integer"},
        "low_stock": {"type": "boolean"},
    },
    title="Stock row",
)

PAYMENT_SCHEMA = _strict(
    {
        "paid_at": _TIMESTAMP,
        "outcome": {
            "type": "string",
            "enum": ["paid", "reopened", "held"],
            "description": "paid: the order moved to paid; reopened: a late payment reopened an order the "
            "payment timeout cancelled; held: the order was held for review (a refund or restock).",
        },
    },
    title="Payment",
    description="A payment received for the order (``commerce.orders.expiry.order_payment_record``).",
)
RESERVATION_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "order_line_id": {"type": "integer"},
        "sku": {"type": "string"},
        "warehouse": {"type": "string", "description": "The warehouse code."},
        "quantity": {"type": "integer", "minimum": 1},
    },
    title="Reservation",
)
_SHIPMENT_STATUS = {"type": "string", "enum": list(shipment_statuses.STATUSES)}
TRACKING_EVENT_SCHEMA = _strict(
    {
        "occurred_at": _TIMESTAMP,
        "status": _SHIPMENT_STATUS,
        "code": {"type": "string", "description": "The courier's own code (Kuaidi100 state, SF opCode)."},
        "description": {"type": "string"},
        "location": {"type": "string"},
    },
    title="Tracking event",
)
SHIPMENT_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "order_id": {"type": "integer"},
        "courier": {"type": "string", "description": "The courier connector's key (kuaidi100, sf)."},
        "carrier": {"type": "string", "description": "The carrier's code behind an aggregator, or empty."},
        "tracking_no": {"type": "string"},
        "status": _SHIPMENT_STATUS,
        "last_event_at": _NULLABLE_TIMESTAMP,
        "expected_delivery_at": _NULLABLE_TIMESTAMP,
        "created_at": _TIMESTAMP,
        "latest_event": {"oneOf": [{"type": "null"}, TRACKING_EVENT_SCHEMA]},
    },
    title="Shipment",
    description="A parcel of the order and its newest tracking event "
    "(``commerce.shipments.representation.shipment_representation``).",
)
_REFUND_STATUS = {"type": "string", "enum": list(refund_statuses.STATUSES)}
REFUND_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "order_id": {"type": "integer"},
        "amount": _MONEY,
        "currency": {"type": "string"},
        "reason": {"type": "string", "enum": list(refund_statuses.REASONS)},
        "note": {"type": "string"},
        "status": _REFUND_STATUS,
        "method": {"type": "string", "enum": list(refund_statuses.METHODS)},
        "queue": {"type": "string"},
        "return_needed": {"type": "boolean"},
        "return_tracking_no": {"type": "string"},
        "approvals_needed": {"type": "array", "items": {"type": "string"}},
        "policy_version": {"type": "integer"},
        "lines": {
            "type": "array",
            "items": _strict({"sku": {"type": "string"}, "quantity": {"type": "integer"}}),
        },
        "requested_by": {"type": "string"},
        "created_at": _TIMESTAMP,
        "decided_at": _NULLABLE_TIMESTAMP,
        "paid_at": _NULLABLE_TIMESTAMP,
        "failure": {"type": "string"},
        "sla": {"type": "string", "enum": ["", *refund_statuses.SLA_LEVELS]},
        "ticket_number": {"type": "string", "description": "The request's ticket (TK000042); empty if none."},
    },
    title="Refund",
    description="A refund request (``commerce.refunds.representation.refund_representation``).",
)
NOTIFICATION_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "channel": {"type": "string", "enum": ["sms", "wechat", "wecom", "dingtalk", "email"]},
        "connection_id": {"type": ["integer", "null"]},
        "recipient": {"type": "string", "description": "Masked: 138****5678, a***@example.com."},
        "template": {"type": "string", "description": "The provider's template (TemplateCode, template_id), or empty."},
        "status": {"type": "string", "enum": ["queued", "sent", "failed", "dead"]},
        "attempts": {"type": "integer", "minimum": 0},
        "last_error": {"type": "string"},
    },
    title="Notification",
    description="A notification that could not be delivered "
    "(``connectors.notify.services.notification_representation``).",
)
_BILINGUAL = _strict({"zh": {"type": "string"}, "en": {"type": "string"}})
ALERT_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "rule": {
            "type": "string",
            "description": (
                "refund_rate_up, sync_delay_over_threshold, orders_stopped, payments_unconfirmed, "
                "or the task monitor's rule."
            ),
        },
        "severity": {"type": "string", "enum": ["warning", "critical"]},
        "channel": {"type": ["string", "null"], "description": "The channel code, when the alert is about one."},
        "title": _BILINGUAL,
        "message": _BILINGUAL,
        "raised_at": _TIMESTAMP,
        "resolved_at": _NULLABLE_TIMESTAMP,
        "resolved_by": {"type": ["string", "null"], "description": "The username of who resolved it."},
        "drilldown": {
            "type": "array",
            "items": _strict(
                {
                    "dimension": {"type": "string", "enum": ["sku", "courier", "region"]},
                    "rows": {
                        "type": "array",
                        "items": _strict(
                            {"key": {"type": "string"}, "label": {"type": "string"}, "value": {"type": "number"}}
                        ),
                    },
                }
            ),
        },
    },
    title="Alert",
    description="An anomaly alert (``insights.alerts.representation.alert_representation``).",
)
_NULLABLE_MONEY = {"type": ["string", "null"], "pattern": r"^-?[0-9]+\.[0-9]{2}$", "description": "A decimal as text."}
_LABEL = _strict({"zh": {"type": "string"}, "en": {"type": "string"}})
# Written from ``commerce.reconciliation.representation.difference_representation``.
DIFFERENCE_SCHEMA = _strict(
    {
        "id": {"type": "integer"},
        "day": {"type": "string", "format": "date", "description": "The Asia/Shanghai day reconciled."},
        "category": {"type": "string", "enum": list(reconciliation_categories.CATEGORIES)},
        "category_label": _LABEL,
        "status": {"type": "string", "enum": list(reconciliation_categories.DIFFERENCE_STATUSES)},
        "order_id": {"type": ["integer", "null"]},
        "order_number": {"type": "string"},
        "gateway": {
            "type": "string",
            "description": "alipay, wechatpay, offline (an uploaded statement, a manual order), or empty (a shipment).",
        },
        "out_trade_no": {"type": "string"},
        "expected_amount": _NULLABLE_MONEY,
        "actual_amount": _NULLABLE_MONEY,
        "currency": {"type": "string"},
        "detail": {"type": "object", "description": "What the matching saw (trade numbers, days, the difference)."},
        "ticket_id": {"type": ["integer", "null"], "description": "The finance ticket that tracks it."},
        "resolution": {"type": "string"},
        "resolved_by": {"type": "string"},
        "resolved_at": _NULLABLE_TIMESTAMP,
    },
    title="Reconciliation difference",
)
RISK_SCHEMA = _strict(
    {
        "hits": {
            "type": "array",
            "items": _strict(
                {
                    "id": {"type": "integer"},
                    "rule": {"type": "string", "description": "The rule's key (same_ip_burst, virtual_number, …)."},
                    "rule_name": _BILINGUAL,
                    "evidence": {"type": "object", "description": "The facts the rule read, by path."},
                    "state": {"type": "string", "enum": ["pending", "approved", "rejected"]},
                    "decided_by": {"type": ["string", "null"]},
                    "decided_at": _NULLABLE_TIMESTAMP,
                    "note": {"type": "string"},
                    "created_at": _TIMESTAMP,
                }
            ),
        },
        "decision": {
            "type": "string",
            "enum": ["", "approved", "rejected"],
            "description": "Empty while the review waits; approved (hold released) or rejected (cancelled).",
        },
        "note": {"type": "string"},
    },
    title="Risk review",
    description="The risk rules that held the order and their evidence (``commerce.risk.representation``).",
)

OBJECT_SCHEMAS = {
    "order": ORDER_SCHEMA,
    "stock": STOCK_SCHEMA,
    "payment": PAYMENT_SCHEMA,
    "shipment": SHIPMENT_SCHEMA,
    "refund": REFUND_SCHEMA,
    "notification": NOTIFICATION_SCHEMA,
    "difference": DIFFERENCE_SCHEMA,
    "alert": ALERT_SCHEMA,
    "risk": RISK_SCHEMA,
}

EVENT_META_SCHEMA = _strict(
    {
        "id": {"type": ["integer", "string"], "description": "The outbox event id (or the run's own id)."},
        "type": {"type": "string", "description": "The event name, or the trigger type for non-event triggers."},
        "occurred_at": _TIMESTAMP,
    }
)
STEPS_SCHEMA = {
    "type": "object",
    "description": "Each node's output under its id, for the nodes that ran before this one.",
}


@dataclass(frozen=True)
class NotEmittedYet:
    """Why no code emits an event yet, in both languages: the palette shows it beside the greyed event."""

    en: str
    zh: str

    def as_dict(self) -> dict:
        return {"en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class EventSpec:
    """A domain event as the flow language knows it: names, the objects it carries and its extras.

    ``unavailable`` is set while no code emits the event: flows on it are saved as drafts (with an
    ``event_unavailable`` problem) but cannot be published. The commit that starts emitting the
    event removes it here, and ``tests/test_event_contracts.py`` then needs that emission.
    """

    name: str
    name_en: str
    name_zh: str
    objects: tuple[str, ...]
    extras: dict = field(default_factory=dict)
    optional_objects: tuple[str, ...] = ()
    unavailable: NotEmittedYet | None = None

    @property
    def available(self) -> bool:
        return self.unavailable is None

    def context_schema(self) -> dict:
        properties = {"event": EVENT_META_SCHEMA}
        for key in self.objects + self.optional_objects:
            properties[key] = OBJECT_SCHEMAS[key]
        properties.update(self.extras)
        properties["steps"] = STEPS_SCHEMA
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"Context of {self.name}",
            "type": "object",
            "additionalProperties": False,
            "required": ["event", *self.objects, *self.extras, "steps"],
            "properties": properties,
        }

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "name_en": self.name_en,
            "name_zh": self.name_zh,
            "title": {"en": self.name_en, "zh": self.name_zh},
            "objects": list(self.objects),
            "context_schema": self.context_schema(),
            "available": self.available,
            "unavailable_reason": self.unavailable.as_dict() if self.unavailable is not None else None,
        }


_REASON = {"reason": {"type": "string"}}


EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec(names.ORDER_CREATED, "Order created", "订单创建", ("order",)),
        EventSpec(names.ORDER_PAID, "Order paid", "订单已支付", ("order",)),
        EventSpec(
            names.ORDER_STATUS_CHANGED,
            "Order status changed",
            "订单状态变更",
            ("order",),
            {"from": _STATUS, "to": _STATUS, "reason": {"type": "string"}},
        ),
        EventSpec(names.ORDER_CANCELLED, "Order cancelled", "订单已取消", ("order",), _REASON),
        EventSpec(
            names.ORDER_TIMEOUT,
            "Order timed out",
            "订单超时",
            ("order",),
            {
                "rule": _strict(
                    {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "status": _STATUS,
                        "minutes": {"type": "integer"},
                        "channel": {"type": ["string", "null"], "description": "A channel code, or null: any."},
                        "category": {"type": "string", "description": "A product category, or empty: any goods."},
                    },
                    title="Timeout rule",
                ),
                "waited_minutes": {"type": "integer", "description": "How long the order has been in its status."},
            },
        ),
        EventSpec(names.ORDER_HELD, "Order held for review", "订单已挂起", ("order",), _REASON),
        EventSpec(names.PAYMENT_RECEIVED, "Payment received", "收到付款", ("order", "payment")),
        EventSpec(
            names.SHIPMENT_CREATED,
            "Shipment created",
            "已创建发货单",
            ("order", "shipment"),
        ),
        EventSpec(
            names.SHIPMENT_UPDATED,
            "Shipment tracking updated",
            "物流轨迹更新",
            ("order", "shipment"),
        ),
        EventSpec(
            names.SHIPMENT_SIGNED,
            "Parcel signed for",
            "包裹已签收",
            ("order", "shipment"),
        ),
        EventSpec(
            names.SHIPMENT_STALLED,
            "Parcel stalled",
            "物流停滞",
            ("order", "shipment"),
            {
                "reason": {
                    "type": "string",
                    "enum": ["no_tracking_event", "overdue"],
                    "description": "no_tracking_event: none for the configured hours; overdue: the expected "
                    "delivery passed.",
                }
            },
        ),
        EventSpec(
            names.SHIPMENT_EXCEPTION,
            "Shipment exception",
            "物流异常",
            ("order", "shipment"),
        ),
        EventSpec(names.INVENTORY_LOW_STOCK, "Stock is low", "库存不足预警", ("stock",)),
        EventSpec(
            names.INVENTORY_RESERVATION_EXPIRED,
            "Reservation expired",
            "库存预占已过期",
            ("order",),
            {
                "reservations": {"type": "array", "items": RESERVATION_SCHEMA, "description": "The expired ones."},
                "stock": {
                    "type": "array",
                    "items": STOCK_SCHEMA,
                    "description": "The stock rows the units returned to, as they stand afterwards.",
                },
            },
        ),
        EventSpec(names.REFUND_REQUESTED, "Refund requested", "退款申请", ("order", "refund")),
        EventSpec(names.REFUND_APPROVED, "Refund approved", "退款已批准", ("order", "refund")),
        EventSpec(names.REFUND_REJECTED, "Refund rejected", "退款被拒绝", ("order", "refund"), _REASON),
        EventSpec(names.REFUND_PAID, "Refund paid", "退款已到账", ("order", "refund")),
        EventSpec(names.REFUND_FAILED, "Refund failed", "退款失败", ("order", "refund"), _REASON),
        EventSpec(
            names.REFUND_SLA_BREACHED,
            "Refund overdue",
            "退款超时",
            ("order", "refund"),
            {
                "level": {
                    "type": "string",
                    "enum": list(refund_statuses.SLA_LEVELS),
                    "description": "yellow, orange, red: 12, 24, 36 hours by default (ORDERFLOW_REFUND_SLA_HOURS).",
                },
                "hours_waiting": {"type": "number"},
            },
        ),
        EventSpec(
            names.REFUND_RETURNED,
            "Return received",
            "退货已收到",
            ("order", "refund"),
            {
                "returned": {
                    "type": "array",
                    "description": "What this receipt took back: sellable goods restocked, damaged ones quarantined.",
                    "items": _strict(
                        {
                            "sku": {"type": "string"},
                            "quantity": {"type": "integer", "minimum": 1},
                            "condition": {"type": "string", "enum": ["sellable", "damaged"]},
                            "disposition": {"type": "string", "enum": ["restocked", "quarantine"]},
                            "warehouse": {
                                "type": "string",
                                "description": "Where it was restocked; empty if quarantined.",
                            },
                        }
                    ),
                },
                "tracking_no": {"type": "string", "description": "The return parcel's tracking number, or empty."},
            },
        ),
        EventSpec(
            names.NOTIFICATION_FAILED,
            "Notification failed",
            "通知发送失败",
            ("notification",),
            optional_objects=("order",),
        ),
        EventSpec(
            names.RECONCILIATION_DIFFERENCE,
            "Reconciliation difference",
            "对账差异",
            ("difference",),
        ),
        EventSpec(names.INSIGHTS_ALERT, "Anomaly alert raised", "异常告警", ("alert",)),
        EventSpec(names.RISK_FLAGGED, "Order held by a risk rule", "风险订单已拦截", ("order", "risk")),
        EventSpec(names.RISK_CLEARED, "Risk review decided", "风险审核已处理", ("order", "risk")),
    )
}


def event_spec(name: str) -> EventSpec | None:
    return EVENTS.get(name)


def event_context_schema(name: str) -> dict | None:
    spec = EVENTS.get(name)
    return spec.context_schema() if spec is not None else None


def _context(title: str, properties: dict) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "required": ["event", *properties, "steps"],
        "properties": {"event": EVENT_META_SCHEMA, **properties, "steps": STEPS_SCHEMA},
    }


WEBHOOK_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body", "headers"],
    "properties": {
        "body": {"description": "The request body, parsed as JSON."},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
MANUAL_INPUT_SCHEMA = {"type": "object", "description": "What the operator entered when starting the run."}


def trigger_context_schema(trigger: dict) -> dict | None:
    """The context schema for a (schema-valid) trigger; ``None`` for an unknown event name.

    An ``event`` trigger gets its event's context; a ``schedule`` gets the bare context, or the
    order's when it runs ``for_each`` order; a ``webhook`` gets ``{"webhook": {"body", "headers"}}``;
    a ``manual`` run gets ``{"input": {…}}``.
    """
    kind = trigger.get("type")
    if kind == "event":
        return event_context_schema(trigger.get("event", ""))
    if kind == "schedule":
        if trigger.get("for_each"):
            return _context("Context of a scheduled run for each order", {"order": ORDER_SCHEMA})
        return _context("Context of a scheduled run", {})
    if kind == "webhook":
        return _context("Context of a webhook run", {"webhook": WEBHOOK_SCHEMA})
    if kind == "manual":
        return _context("Context of a manual run", {"input": MANUAL_INPUT_SCHEMA})
    return None
