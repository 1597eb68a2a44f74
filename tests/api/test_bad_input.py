"""Bad input on every write endpoint of the URL configuration: an exact 4xx, the error body, no row changed.

The endpoints come from walking ``orderflow.urls``; their request bodies from the OpenAPI schema
that ``/api/schema/`` serves. A new endpoint is covered without touching this file, unless its
URL has a parameter this file cannot fill (add it to ``KNOWN_IDS``) or it must be left out
(``EXCLUDED``, with the reason).
"""

import json
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from builder import services as flow_services
from commerce.inbox import services as inbox_services
from commerce.tickets import services as ticket_services
from connectors.models import WebhookDelivery
from connectors.services.connections import ConnectionInput, connection_create
from insights.alerts import services as alert_services
from insights.boards.models import BoardView
from runtime.services import webhook_run_start
from tests.factories import TEST_ACTOR, create_order, make_user

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")

# Routes (as written in the URL configuration) that take no part, and why.
EXCLUDED = {
    "admin/": "Django's admin: HTML forms behind a session and CSRF, not the JSON API",
    "": "the site root only redirects to /app/; it reads no body and writes nothing",
    "^app/(?P<path>.*)$": "the browser app's index.html for any method; it reads no body and writes nothing",
    "t/refund/<str:token>/": "the customer's refund tracking page: HTML, read-only, keyed by its signed token; "
    "wrong, tampered and expired tokens are tested in tests/commerce/refunds/test_tracking.py",
    "t/refund/<str:token>/cancel/": "the tracking page's cancel button: an HTML form behind Django's CSRF check "
    "and the signed token, reading no JSON; tested in tests/commerce/refunds/test_tracking.py",
    "t/refund/file/<str:token>/": "the customer's refund filing page: an HTML multipart form behind Django's CSRF "
    "check and the order's signed token; bad tokens, choices and images are tested in "
    "tests/commerce/refunds/test_filing.py",
    "t/refund/<str:token>/evidence/<int:evidence_id>/": "a customer's own evidence image through the signed "
    "tracking token: read-only; tested in tests/commerce/refunds/test_filing.py",
}

# Endpoints whose body is not JSON: only the size limit, unknown ids and the token apply here.
NOT_JSON = {
    "api/v1/inventory/import/": "a multipart CSV upload; its bad files are tested in tests/commerce/inventory",
    "api/v1/order-imports/": "a multipart CSV or .xlsx upload; its bad files are tested in tests/connectors/imports",
    "api/v1/refunds/<int:refund_id>/evidence/": "a multipart image upload; disguised, oversized and too many "
    "images are tested in tests/commerce/refunds/test_evidence.py",
    "api/v1/reconciliation/statements/": "a multipart CSV upload; its malformed, oversized and duplicated files "
    "are tested in tests/commerce/reconciliation/test_statement_upload.py",
    "hooks/<slug:connector>/<int:connection_id>/": "a provider's signed body (JSON or a form, by provider): "
    "any body without its signature answers 401 before it is parsed; forged, truncated, malformed and "
    "duplicated deliveries are tested in tests/connectors",
}
# The uploads: their body limit is ORDERFLOW_MAX_UPLOAD_BYTES.
UPLOADS = frozenset(
    {
        "api/v1/inventory/import/",
        "api/v1/order-imports/",
        "api/v1/refunds/<int:refund_id>/evidence/",
        "api/v1/reconciliation/statements/",
    }
)

# Function views declare no methods; the ones that write say which here.
FUNCTION_VIEW_METHODS = {
    "hooks/flows/<str:token>/": ("post",),
    "hooks/<slug:connector>/<int:connection_id>/": ("post",),
}

# Endpoints anyone may call without a token, and why (asserted: exactly the views allowing any caller).
PUBLIC = {
    "api/v1/auth/token/": "the token login itself",
    "api/v1/auth/session/": "the browser login and logout themselves",
    "hooks/flows/<str:token>/": "authenticated by its secret URL token and the optional HMAC signature",
    "hooks/<slug:connector>/<int:connection_id>/": "authenticated by the provider's signature over the raw body",
}

# Bad-input cases that do not apply to an endpoint, and why.
NOT_APPLICABLE = {
    ("hooks/flows/<str:token>/", "not_an_object"): "a webhook takes any JSON its sender posts; the flow decides",
    (
        "hooks/flows/<str:token>/",
        "form_encoded",
    ): "a webhook reads its body as JSON whatever Content-Type it is sent with",
}

# Values for URL parameters: an existing row's (from the ``world`` fixture) and an unknown one.
KNOWN_IDS = {
    "order_id": "order",
    "ticket_id": "ticket",
    "notification_id": "notification",
    "flow_id": "flow",
    "execution_id": "execution",
    "token": "webhook_token",
    "connector": "connector_key",
    "connection_id": "connection",
    "delivery_id": "delivery",
    "channel": "channel_code",
    "refund_id": "refund",
    "rule_id": "timeout_rule",
    "view_id": "board_view",
    "alert_id": "alert",
    "evidence_id": "evidence",
    "difference_id": "reconciliation_difference",
    "held_order_id": "risk_order",
    "waiting_order_id": "screening_order",
    "risk_rule_id": "risk_rule",
    "blacklist_entry_id": "blacklist_entry",
    "parcel_id": "parcel",
    "slug": "template_slug",
    "user_id": "user",
}
UNKNOWN_IDS = {
    "token": ("no-such-webhook-token",),
    "connector": ("no-such-connector",),
    "channel": ("no-such-channel",),
    "slug": ("no-such-template",),
}
UNKNOWN_INTS = (987_654_321, 10**30)  # the second fits no integer column

MALFORMED = '{"to": "paid",'
NOT_OBJECTS = ([1, 2, 3], "paid", 42)
# Raw JSON text for each value no column can hold; the first two name their place in the answer.
UNSTORABLE_TEXT = {"nul": '"a\\u0000b"', "lone_surrogate": '"\\ud800"'}
UNSTORABLE_NUMBER = "1e400"
SENTINEL = "__orderflow_bad_value__"
FORMAT_SAMPLES = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "email": "a@example.com",
    "decimal": "1.00",
    "ip": "192.0.2.1",
}
STRING_SAMPLES = ("x", "13800138000")  # the first that matches a field's pattern is its sample


@dataclass(frozen=True)
class Operation:
    route: str
    method: str
    params: tuple[str, ...]
    operation_id: str | None
    body_schema: dict | None
    public: bool
    required: frozenset[str] = field(default_factory=frozenset)

    def __str__(self) -> str:
        return f"{self.method.upper()} /{self.route}"


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


_SCHEMA: list[dict] = []


def _schema_cache() -> dict:
    """The schema, generated once per run (it takes about a second)."""
    if not _SCHEMA:
        _SCHEMA.append(_schema())
    return _SCHEMA[0]


def _resolve(schema: dict, node: dict) -> dict:
    """``node`` with ``$ref`` followed and a choice (``allOf``/``oneOf``/``anyOf``) taken at its first
    branch, keeping the node's own keywords (``nullable``, ``default``)."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
            continue
        choice = next((key for key in ("allOf", "oneOf", "anyOf") if key in node), None)
        if choice is None:
            return node
        rest = {key: value for key, value in node.items() if key != choice}
        node = {**_resolve(schema, node[choice][0]), **rest}


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def write_operations() -> list[Operation]:
    schema = _schema_cache()
    operations = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route in EXCLUDED or route.startswith("admin/"):
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is None:
            assert route in FUNCTION_VIEW_METHODS, (
                f"function view at {route}: add it to FUNCTION_VIEW_METHODS or EXCLUDED"
            )
            methods = FUNCTION_VIEW_METHODS[route]
            public = True
        else:
            methods = tuple(m for m in WRITE_METHODS if hasattr(view_class, m))
            public = AllowAny in getattr(view_class, "permission_classes", ())
        for method in methods:
            op = schema["paths"].get(_openapi_path(route), {}).get(method, {})
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body_schema = _resolve(schema, body) if body else None
            operations.append(
                Operation(
                    route=route,
                    method=method,
                    params=tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)),
                    operation_id=op.get("operationId"),
                    body_schema=body_schema,
                    public=public,
                    required=frozenset(body_schema.get("required", ())) if body_schema else frozenset(),
                )
            )
    return operations


OPERATIONS = write_operations()
JSON_OPERATIONS = [op for op in OPERATIONS if op.route not in NOT_JSON]


# --- building requests --------------------------------------------------------------------------


def _sample(schema: dict, node: dict):
    """A value the schema accepts, with every property present (optional ones too)."""
    node = _resolve(schema, node)
    if "enum" in node:
        return next(value for value in node["enum"] if value is not None)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {name: _sample(schema, prop) for name, prop in node.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema, node["items"])] * max(node.get("minItems", 1), 1)
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        if node.get("format") in FORMAT_SAMPLES:
            return FORMAT_SAMPLES[node["format"]]
        pattern = node.get("pattern")
        candidates = [text for text in STRING_SAMPLES if pattern is None or re.search(pattern, text)]
        assert candidates, f"no sample string matches {pattern!r}: add one to STRING_SAMPLES"
        return candidates[0]
    return {}  # any JSON value (a JSONField): an empty object is one


def _places(schema: dict, node: dict, pointer: str = "") -> list[tuple[str, str]]:
    """Every (pointer, "string" | "number") where the body holds a string or a number.

    A free-form object (a JSONField, a DictField) gets a key ``k`` of its own, since what is inside
    is stored too.
    """
    node = _resolve(schema, node)
    kind = node.get("type")
    if kind in ("integer", "number"):
        return [(pointer, "number")]
    if kind == "string" or "enum" in node:
        return [(pointer, "string")]
    if kind == "boolean":
        return []
    if kind == "array":
        return _places(schema, node["items"], f"{pointer}/0")
    if node.get("properties"):
        places = []
        for name, prop in node["properties"].items():
            places += _places(schema, prop, f"{pointer}/{name}")
        return places
    return [(f"{pointer}/k", "string"), (f"{pointer}/k", "number")]


def _set(document, pointer: str, value):
    *parents, last = pointer.lstrip("/").split("/")
    target = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def valid_body(op: Operation) -> dict:
    return _sample(_schema_cache(), op.body_schema) if op.body_schema else {}


def unstorable_bodies(op: Operation) -> list[tuple[str, str, str]]:
    """(what, raw JSON body, the pointer the answer names) for each unstorable value in each place."""
    if op.body_schema is None:
        places = [("/note", "string"), ("/count", "number")]  # what a client might send anyway
    else:
        places = _places(_schema_cache(), op.body_schema)
    bodies = []
    for pointer, kind in places:
        document = valid_body(op)
        _set(document, pointer, SENTINEL)
        text = json.dumps(document)
        if kind == "string":
            for what, raw in UNSTORABLE_TEXT.items():
                bodies.append((f"{what} at {pointer}", text.replace(f'"{SENTINEL}"', raw), pointer))
        else:
            bodies.append(
                (f"{UNSTORABLE_NUMBER} at {pointer}", text.replace(f'"{SENTINEL}"', UNSTORABLE_NUMBER), pointer)
            )
    return bodies


def out_of_schema_values(op: Operation) -> list[tuple[str, str, object]]:
    """(pointer, what, value) for each value the schema refuses at each place of the body: the wrong
    type, null where it is not nullable, one past each length, size and range limit, a value outside
    an enum, text that is not a date-time."""
    schema = _schema_cache()
    cases = []

    def visit(node: dict, pointer: str):
        node = _resolve(schema, node)
        kind = node.get("type")
        if kind is None and "enum" not in node:
            return  # any JSON value is allowed here
        if not node.get("nullable"):
            cases.append((pointer, "null", None))
        if "enum" in node:
            cases.append((pointer, "not one of the choices", "not-a-choice"))
            return
        if kind == "string":
            cases.append((pointer, "an object instead of text", {"not": "text"}))
            if "maxLength" in node:
                cases.append((pointer, "one character too many", "x" * (node["maxLength"] + 1)))
            if node.get("minLength", 0) > 0:
                cases.append((pointer, "empty text", ""))
            if node.get("format") == "date-time":
                cases.append((pointer, "not a date-time", "last tuesday"))
        elif kind in ("integer", "number"):
            cases.append((pointer, "text instead of a number", "many"))
            if "maximum" in node:
                cases.append((pointer, "one over the maximum", node["maximum"] + 1))
            cases.append((pointer, "more than a 64-bit column holds", 2**63))
            if "minimum" in node:
                cases.append((pointer, "one under the minimum", node["minimum"] - 1))
        elif kind == "boolean":
            cases.append((pointer, "text instead of true/false", "perhaps"))
        elif kind == "array":
            cases.append((pointer, "text instead of a list", "x"))
            if "maxItems" in node:
                cases.append((pointer, "one item too many", [_sample(schema, node["items"])] * (node["maxItems"] + 1)))
            if node.get("minItems", 0) > 0:
                cases.append((pointer, "an empty list", []))
            visit(node["items"], f"{pointer}/0")
        elif kind == "object":
            cases.append((pointer, "text instead of an object", "x"))
            for name, prop in node.get("properties", {}).items():
                visit(prop, f"{pointer}/{name}")

    for name, prop in op.body_schema.get("properties", {}).items():
        visit(prop, f"/{name}")
    return cases


# --- the world the requests run against -------------------------------------------------------------


class World:
    """One row of each kind a write URL can name, made on first use (a case makes only what its URL
    names), owned by or addressed to the admin so the admin may act on it."""

    def __init__(self, channel):
        self.channel = channel
        self.admin = make_user("admin", "admin")
        # Refund approvals are given as a supervisor or finance: the admin here holds both roles too.
        for role in ("supervisor", "finance"):
            self.admin.groups.add(make_user(f"holder-{role}", role).groups.get())
        self._made: dict[str, int | str] = {}

    def __getitem__(self, name: str) -> int | str:
        if name not in self._made:
            getattr(self, f"_make_{name}")()
        return self._made[name]

    def _make_channel_code(self):
        self._made["channel_code"] = self.channel.code

    def _make_user(self):
        self._made["user"] = make_user("token-holder", "operator").pk

    def _make_board_view(self):
        self._made["board_view"] = BoardView.objects.create(owner=self.admin, name="已付款").pk

    def _make_order(self):
        self._made["order"] = create_order(self.channel).pk

    def _make_ticket(self):
        ticket = ticket_services.ticket_open(
            title="Parcel stalled",
            queue="warehouse",
            priority="high",
            assignee_role="operator",
            due_at=None,
            order_id=None,
            actor=TEST_ACTOR,
        )
        self._made["ticket"] = ticket.pk

    def _make_notification(self):
        notification = inbox_services.inbox_notify(
            to_role="admin", title="Parcel stalled", body="", order_id=None, actor=TEST_ACTOR
        )
        self._made["notification"] = notification.pk

    def _make_flow(self):
        """A published, enabled webhook flow and one run of it (still pending)."""
        flow = flow_services.flow_create(owner=self.admin, definition=WEBHOOK_FLOW)
        version = flow_services.flow_publish(flow_id=flow.pk, user=self.admin)
        flow_services.flow_set_enabled(flow_id=flow.pk, enabled=True)
        flow.refresh_from_db()
        execution, _created = webhook_run_start(version=version, body={}, headers={})
        self._made.update(flow=flow.pk, webhook_token=flow.webhook_token, execution=execution.pk)

    _make_webhook_token = _make_execution = _make_flow

    def _make_connection(self):
        """A Shopify connection and one verified delivery it received."""
        connection = connection_create(
            data=ConnectionInput(
                connector="shopify",
                name="海外站",
                credentials={
                    "shop_domain": "tea-house.myshopify.com",
                    "access_token": "shpat_x",
                    "client_secret": "secret",
                },
                settings={},
            )
        )
        delivery = WebhookDelivery.objects.create(
            connection=connection, body=b"{}", verified=True, dedup_key="k", topic="orders/create", outcome="failed"
        )
        self._made.update(connection=connection.pk, connector_key="shopify", delivery=delivery.pk)

    _make_connector_key = _make_delivery = _make_connection

    def _make_refund(self):
        """A 299.00 refund of a paid order, waiting for a supervisor and finance."""
        from decimal import Decimal

        from commerce.refunds.services import RefundInput, refund_request
        from tests.factories import pay_through_gateway

        order = create_order(self.channel, external_id="BAD-INPUT-REFUND", lines=(("TEA-001", 2),))
        pay_through_gateway(order)
        refund, _ = refund_request(
            data=RefundInput(order_id=order.pk, amount=Decimal("299.00"), reason="quality"), actor=TEST_ACTOR
        )
        self._made["refund"] = refund.pk

    def _make_evidence(self):
        """A PNG on the refund (the one ``_make_refund`` makes)."""
        from commerce.refunds.evidence import evidence_add

        content = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
        evidence = evidence_add(refund_id=int(self["refund"]), content=content, name="a.png", actor=TEST_ACTOR)
        self._made["evidence"] = evidence.pk

    def _make_timeout_rule(self):
        from commerce.timeouts.models import TimeoutRule

        self._made["timeout_rule"] = TimeoutRule.objects.order_by("pk").values_list("pk", flat=True)[0]

    def _make_reconciliation_difference(self):
        """A paid order that Alipay's bill of 2026-12-01 shows short: an open difference."""
        from commerce.reconciliation.models import ReconciliationDifference
        from commerce.reconciliation.services import reconciliation_apply
        from tests.commerce.reconciliation.helpers import DAY, bills, paid_order, pay_line

        _order, payment = paid_order(self.channel, "BAD-INPUT-RECON")
        reconciliation_apply(day=DAY, bills=bills(pay_line(payment.out_trade_no, "150.00")), actor=TEST_ACTOR)
        self._made["reconciliation_difference"] = ReconciliationDifference.objects.get().pk

    def _make_alert(self):
        text = {"zh": "同步延迟", "en": "Sync delayed"}
        alert = alert_services.raise_alert(rule="tests", key="tests", severity="warning", title=text, message=text)
        self._made["alert"] = alert.pk

    def _make_risk_order(self):
        """An order a risk rule held (a virtual number), waiting for review."""
        from commerce.orders import services as order_services
        from tests.factories import order_input

        data = order_input(self.channel, external_id="BAD-INPUT-RISK")
        data = order_services.OrderInput(
            **{**data.__dict__, "customer": order_services.CustomerInput(name="张伟", phone="17012345678")}
        )
        self._made["risk_order"] = order_services.order_place(data=data, actor=TEST_ACTOR).order.pk

    def _make_screening_order(self):
        """A paid order on hold that the warehouse gate kept in the audit queue."""
        from commerce.orders import services as order_services
        from commerce.screening.services import screening_gate

        order = create_order(self.channel, external_id="BAD-INPUT-SCREEN", status="paid")
        order_services.order_hold(order_id=order.pk, reason="check", actor=TEST_ACTOR)
        screening_gate(order_id=order.pk)
        self._made["screening_order"] = order.pk

    def _make_risk_rule(self):
        from commerce.risk.models import RiskRule

        self._made["risk_rule"] = RiskRule.objects.order_by("pk").values_list("pk", flat=True)[0]

    def _make_blacklist_entry(self):
        from commerce.risk.models import BlacklistEntry

        self._made["blacklist_entry"] = BlacklistEntry.objects.create(kind="ip", value="192.0.2.1").pk

    def _make_parcel(self):
        """Two paid orders of one buyer and address, merged in one planned parcel."""
        from commerce.shipments.parcels import orders_merge

        ids = [create_order(self.channel, external_id=f"BAD-INPUT-PARCEL-{n}", status="paid").pk for n in range(2)]
        self._made["parcel"] = orders_merge(order_ids=ids, actor=TEST_ACTOR).pk

    def _make_template_slug(self):
        self._made["template_slug"] = "big-order-gift"


WEBHOOK_FLOW = {
    "format": "orderflow.flow/v1",
    "name": "Warehouse callback",
    "trigger": {"type": "webhook"},
    "nodes": [
        {
            "id": "tell",
            "type": "action",
            "action": "notify.inbox",
            "params": {"to_role": "operator", "title": "Called back", "body": ""},
        }
    ],
    "edges": [{"from": "trigger", "to": "tell"}],
}


@pytest.fixture
def world(channel, stocked):
    return World(channel)


@pytest.fixture
def admin_client(world):
    token, _created = Token.objects.get_or_create(user=world.admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _row_counts() -> dict[str, int]:
    """Rows in every table of every model, read in one query (one per table costs ~60 queries a case)."""
    models = [model for model in apps.get_models() if model._meta.managed and not model._meta.proxy]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(models, row, strict=True)}


def _url(op: Operation, world, *, unknown: int | None = None) -> str:
    """The URL with existing rows' ids, or with the ``unknown``-th unknown value for each."""
    path = _openapi_path(op.route)
    for param in op.params:
        assert param in KNOWN_IDS, f"{op}: add the URL parameter {param!r} to KNOWN_IDS"
        if unknown is None:
            value = world[KNOWN_IDS[param]]
        else:
            values = UNKNOWN_IDS.get(param, UNKNOWN_INTS)
            value = values[unknown % len(values)]
        path = path.replace(f"{{{param}}}", str(value))
    return path


def _send(client, op: Operation, url: str, body: str | bytes, content_type: str = "application/json"):
    return client.generic(op.method.upper(), url, data=body, content_type=content_type)


def _assert_error(response, status: int, code: str, where: str) -> dict:
    assert response.status_code == status, (where, response.status_code, response.content[:500])
    answer = response.json()
    assert set(answer) == {"code", "message", "details"}, (where, answer)
    assert answer["code"] == code, (where, answer)
    assert isinstance(answer["message"], str) and answer["message"], (where, answer)
    assert isinstance(answer["details"], dict), (where, answer)
    return answer


def _applies(op: Operation, case: str) -> bool:
    return (op.route, case) not in NOT_APPLICABLE


def _ids(operations):
    return [str(op) for op in operations]


# --- the cases ------------------------------------------------------------------------------------


def test_the_walk_finds_the_write_endpoints():
    found = {str(op) for op in OPERATIONS}

    assert {
        "POST /api/v1/orders/",
        "POST /api/v1/orders/<int:order_id>/transition/",
        "POST /api/v1/inventory/import/",
        "PUT /api/v1/flows/<int:flow_id>/",
        "PATCH /api/v1/flows/<int:flow_id>/",
        "DELETE /api/v1/flows/<int:flow_id>/",
        "POST /hooks/flows/<str:token>/",
        "DELETE /api/v1/auth/session/",
    } <= found
    assert len(found) == len(OPERATIONS)
    assert {op.route for op in OPERATIONS if op.public} == set(PUBLIC)


def test_the_schema_is_the_one_served(admin_client):
    response = admin_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(json.dumps(_schema()))


@pytest.mark.parametrize("op", JSON_OPERATIONS, ids=_ids(JSON_OPERATIONS))
def test_malformed_json(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()

    response = _send(admin_client, op, url, MALFORMED)

    _assert_error(response, 400, "malformed_json", str(op))
    assert _row_counts() == before


@pytest.mark.parametrize("op", [op for op in JSON_OPERATIONS if _applies(op, "not_an_object")], ids=str)
def test_a_json_value_that_is_not_an_object(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()
    for body in NOT_OBJECTS:
        response = _send(admin_client, op, url, json.dumps(body))

        answer = _assert_error(response, 400, "invalid", f"{op} with {body!r}")
        assert list(answer["details"]) == ["non_field_errors"], (str(op), answer)
    assert _row_counts() == before


@pytest.mark.parametrize("op", [op for op in JSON_OPERATIONS if op.required], ids=str)
def test_an_empty_object_names_every_required_field(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()

    response = _send(admin_client, op, url, "{}")

    answer = _assert_error(response, 400, "invalid", str(op))
    assert set(answer["details"]) == op.required, (str(op), answer)
    assert _row_counts() == before


@pytest.mark.parametrize("op", OPERATIONS, ids=_ids(OPERATIONS))
def test_a_body_over_the_limit(admin_client, world, op):
    uploads = op.route in UPLOADS
    limit = settings.ORDERFLOW_MAX_UPLOAD_BYTES if uploads else settings.ORDERFLOW_MAX_BODY_BYTES
    content_type = "multipart/form-data; boundary=xyz" if uploads else "application/json"
    body = b'{"text": "' + b"x" * (limit - 11) + b'"}'
    url = _url(op, world)
    before = _row_counts()

    response = _send(admin_client, op, url, body, content_type)

    answer = _assert_error(response, 413, "payload_too_large", str(op))
    assert answer["details"] == {"limit_bytes": limit, "content_length": limit + 1}
    assert _row_counts() == before


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.params], ids=str)
def test_an_unknown_id_in_the_url(admin_client, world, op):
    before = _row_counts()
    for unknown in range(len(UNKNOWN_INTS)):
        url = _url(op, world, unknown=unknown)

        response = _send(admin_client, op, url, json.dumps(valid_body(op)))

        _assert_error(response, 404, "not_found", f"{op} at {url}")
    assert _row_counts() == before


@pytest.mark.parametrize("op", JSON_OPERATIONS, ids=_ids(JSON_OPERATIONS))
def test_values_the_database_cannot_store(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()
    for what, body, pointer in unstorable_bodies(op):
        response = _send(admin_client, op, url, body)

        answer = _assert_error(response, 400, "invalid_json", f"{op}: {what}")
        reason = "non_finite_number" if what.startswith(UNSTORABLE_NUMBER) else "unstorable_text"
        assert answer["details"] == {"reason": reason, "pointer": pointer}, (str(op), what, answer)
    assert _row_counts() == before


@pytest.mark.parametrize("op", JSON_OPERATIONS, ids=_ids(JSON_OPERATIONS))
def test_deeply_nested_json(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()
    bodies = {
        "10,000 arrays": "[" * 10_000 + "]" * 10_000,
        "65 objects": '{"a": ' * 65 + "1" + "}" * 65,
    }
    for what, body in bodies.items():
        response = _send(admin_client, op, url, body)

        answer = _assert_error(response, 400, "invalid_json", f"{op}: {what}")
        assert answer["details"]["reason"] == "too_deep"
    assert _row_counts() == before


@pytest.mark.parametrize("op", [op for op in OPERATIONS if not op.public], ids=str)
def test_without_a_token_or_with_a_forged_one(world, op):
    url = _url(op, world)
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    before = _row_counts()

    without = _send(APIClient(), op, url, json.dumps(valid_body(op)))
    with_forged = _send(forged, op, url, json.dumps(valid_body(op)))

    _assert_error(without, 401, "not_authenticated", f"{op} without a token")
    _assert_error(with_forged, 401, "authentication_failed", f"{op} with a forged token")
    assert _row_counts() == before


@pytest.mark.parametrize("op", [op for op in JSON_OPERATIONS if _applies(op, "form_encoded")], ids=str)
def test_a_form_encoded_body(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()

    response = _send(admin_client, op, url, "note=hello", "application/x-www-form-urlencoded")

    _assert_error(response, 415, "unsupported_media_type", str(op))
    assert _row_counts() == before


@pytest.mark.parametrize("op", [op for op in JSON_OPERATIONS if op.body_schema], ids=str)
def test_each_field_outside_its_schema_is_named(admin_client, world, op):
    url = _url(op, world)
    before = _row_counts()
    for pointer, what, value in out_of_schema_values(op):
        document = valid_body(op)
        _set(document, pointer, value)

        response = _send(admin_client, op, url, json.dumps(document))

        answer = _assert_error(response, 400, "invalid", f"{op}: {what} at {pointer}")
        assert list(answer["details"]) == [pointer.split("/")[1]], (str(op), pointer, what, answer)
    assert _row_counts() == before
