"""JSON no column can hold, and nesting past the bound, are refused before any view sees them.

Each class — a NUL character or a lone surrogate in a string or a key, a number that overflows to
infinity, the NaN/Infinity literals, nesting deeper than ``MAX_DEPTH`` — is sent to a
representative set of endpoints (the token login, an order, a flow created and updated, a ticket
comment, a test run, a flow's webhook, connectors' webhooks): each answers 400 with the error body
naming the place, and nothing changes. Then every JSON-accepting URL of the URL configuration gets
every poison body, with and without credentials: no answer is a 5xx.
"""

import base64
import copy
import hashlib
import hmac
import json
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api.parsers import MAX_DEPTH, InvalidJson
from tests.api.test_bad_input import KNOWN_IDS, OPERATIONS, WEBHOOK_FLOW, World
from tests.connectors.conftest import vector
from tests.factories import order_payload

pytestmark = pytest.mark.django_db

SENTINEL = "__poison__"
# (what, raw JSON put where SENTINEL stands, reason, pointer suffix: "" = the sentinel's place, None = its object)
POISONS = [
    ("NUL in a string", '"a\\u0000b"', "unstorable_text", ""),
    ("a lone high surrogate", '"\\ud800"', "unstorable_text", ""),
    ("a lone low surrogate", '"x\\udc00"', "unstorable_text", ""),
    ("NUL in a key", '{"k\\u0000": 1}', "unstorable_text", ""),
    ("a lone surrogate in a key", '{"\\udbff": 1}', "unstorable_text", ""),
    ("a number that overflows", "1e400", "non_finite_number", ""),
    ("a negative number that overflows", "-1e999", "non_finite_number", ""),
    ("NaN", "NaN", "non_finite_number", ""),
    ("Infinity", "Infinity", "non_finite_number", ""),
    ("-Infinity", "-Infinity", "non_finite_number", ""),
    ("nesting past the bound", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "too_deep", None),
    ("nesting that exhausts the parser", "[" * 20_000 + "]" * 20_000, "too_deep", None),
]


def _row_counts() -> dict[str, int]:
    """Rows in every table of every model, read in one query."""
    models = [model for model in apps.get_models() if model._meta.managed and not model._meta.proxy]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(models, row, strict=True)}


def _url(op, world) -> str:
    """The operation's URL with the ids of rows the world made."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(world[KNOWN_IDS[match.group(1)]]), op.route)


def _poisoned(body: dict, pointer: str, raw: str) -> str:
    body = copy.deepcopy(body)
    *parents, last = pointer.lstrip("/").split("/")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = SENTINEL
    else:
        target[last] = SENTINEL
    return json.dumps(body).replace(f'"{SENTINEL}"', raw)


def _assert_refused(response, reason: str, pointer: str | None, where: str):
    assert response.status_code == 400, (where, response.status_code, response.content[:300])
    answer = response.json()
    assert set(answer) == {"code", "message", "details"}, (where, answer)
    assert answer["code"] == "invalid_json", (where, answer)
    assert answer["message"], where
    assert answer["details"]["reason"] == reason, (where, answer)
    if reason != "too_deep":
        assert answer["details"]["pointer"] == pointer, (where, answer)


@pytest.fixture
def world(channel, stocked):
    return World(channel)


@pytest.fixture
def admin(world):
    token, _created = Token.objects.get_or_create(user=world.admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _draft_flow(world) -> int:
    from builder import services as flow_services

    return flow_services.flow_create(owner=world.admin, definition=WEBHOOK_FLOW).pk


# Each: (name, method, URL maker, a valid body, the place poisoned in it)
REPRESENTATIVE = [
    (
        "token login",
        "post",
        lambda w: "/api/v1/auth/token/",
        lambda w: {"username": "admin", "password": "x"},
        "/username",
    ),
    ("order create", "post", lambda w: "/api/v1/orders/", lambda w: order_payload(), "/customer/name"),
    ("order create, a line", "post", lambda w: "/api/v1/orders/", lambda w: order_payload(), "/lines/0/quantity"),
    ("flow create", "post", lambda w: "/api/v1/flows/", lambda w: {"definition": WEBHOOK_FLOW}, "/definition/name"),
    (
        "flow update",
        "put",
        lambda w: f"/api/v1/flows/{_draft_flow(w)}/",
        lambda w: {"definition": WEBHOOK_FLOW},
        "/definition/nodes/0/params/title",
    ),
    (
        "ticket comment",
        "post",
        lambda w: f"/api/v1/tickets/{w['ticket']}/comments/",
        lambda w: {"body": "looked at it"},
        "/body",
    ),
    (
        "test run",
        "post",
        lambda w: f"/api/v1/flows/{w['flow']}/test-run/",
        lambda w: {"event": {"type": "order.paid", "payload": {"note": "x"}}},
        "/event/payload/note",
    ),
]


@pytest.mark.parametrize(("what", "raw", "reason", "_suffix"), POISONS, ids=[p[0] for p in POISONS])
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "pointer"), REPRESENTATIVE, ids=[r[0] for r in REPRESENTATIVE]
)
def test_a_representative_endpoint_refuses_it_where_it_is(
    admin, world, name, method, url, body, pointer, what, raw, reason, _suffix
):
    address = url(world)
    before = _row_counts()

    response = admin.generic(
        method.upper(), address, data=_poisoned(body(world), pointer, raw), content_type="application/json"
    )

    _assert_refused(response, reason, pointer, f"{name}: {what}")
    assert _row_counts() == before


@pytest.mark.parametrize(("what", "raw", "reason", "_suffix"), POISONS, ids=[p[0] for p in POISONS])
def test_a_flows_webhook_refuses_it_where_it_is(world, what, raw, reason, _suffix):
    token = world["webhook_token"]
    before = _row_counts()

    response = Client().post(
        f"/hooks/flows/{token}/",
        data=_poisoned({"order": {"note": "x"}}, "/order/note", raw),
        content_type="application/json",
    )

    _assert_refused(response, reason, "/order/note", what)
    assert _row_counts() == before


SHOPIFY = vector("shopify", "webhook_hmac_synthetic.json")


@pytest.fixture
def shopify(db):
    from connectors.services.connections import ConnectionInput, connection_create

    return connection_create(
        data=ConnectionInput(
            connector="shopify",
            name="海外站",
            credentials={
                "shop_domain": SHOPIFY["headers"]["X-Shopify-Shop-Domain"],
                "access_token": "shpat_test",
                "client_secret": SHOPIFY["client_secret"],
            },
            settings={},
        )
    )


def _shopify_headers(body: bytes) -> dict:
    headers = {name: value for name, value in SHOPIFY["headers"].items() if name != "Content-Type"}
    headers["X-Shopify-Hmac-Sha256"] = base64.b64encode(
        hmac.new(SHOPIFY["client_secret"].encode(), body, hashlib.sha256).digest()
    ).decode()
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


@pytest.mark.parametrize(("what", "raw", "reason", "_suffix"), POISONS, ids=[p[0] for p in POISONS])
def test_a_signed_connector_delivery_is_refused_as_the_provider_expects(shopify, what, raw, reason, _suffix):
    from connectors.models import WebhookDelivery

    original = json.loads(SHOPIFY["raw_body_utf8"])
    body = _poisoned(original, "/customer/first_name", raw).encode()

    response = Client().post(
        f"/hooks/shopify/{shopify.pk}/", data=body, content_type="application/json", **_shopify_headers(body)
    )

    _assert_refused(response, reason, "/customer/first_name", what)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.verified, bytes(delivery.body)) == ("rejected", False, body)


def test_an_unsigned_poisoned_delivery_is_refused_by_its_signature_first(shopify):
    body = b'{"customer": {"first_name": "\\u0000"}}' + b"[" * 20_000

    response = Client().post(f"/hooks/shopify/{shopify.pk}/", data=body, content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (401, "bad_signature")


SF = vector("sf_express", "msgdigest_vector.json")


@pytest.fixture
def sf(db):
    from connectors.services.connections import ConnectionInput, connection_create

    return connection_create(
        data=ConnectionInput(
            connector="sf",
            name="顺丰",
            credentials={"partner_id": "TEST_SF_PARTNER", "check_word": SF["checkWord"]},
            settings={"push": True},
        )
    )


def _sf_push(msg_data: str, **extra) -> bytes:
    from connectors.couriers.sf.signing import msg_digest

    timestamp = "1714640000000"
    fields = {
        "partnerID": "TEST_SF_PARTNER",
        "timestamp": timestamp,
        "msgData": msg_data,
        "msgDigest": msg_digest(msg_data, timestamp, SF["checkWord"]),
        **extra,
    }
    return urlencode(fields).encode()


@pytest.mark.parametrize(("what", "raw", "reason", "_suffix"), POISONS, ids=[p[0] for p in POISONS])
def test_a_signed_form_push_with_poisoned_json_is_refused(sf, what, raw, reason, _suffix):
    msg_data = _poisoned({"Body": {"WaybillRoute": [{"mailno": "x"}]}}, "/Body/WaybillRoute/0/mailno", raw)

    response = Client().post(
        f"/hooks/sf/{sf.pk}/", data=_sf_push(msg_data), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400, (what, response.content[:300])
    answer = response.json()
    assert answer["code"] == "invalid_json"
    assert answer["details"]["msgData"]["reason"] == reason


def test_a_form_push_with_a_nul_field_is_refused_not_stored(sf):
    from connectors.models import WebhookDelivery

    body = _sf_push('{"Body": {"WaybillRoute": []}}', note="a\x00b")

    response = Client().post(f"/hooks/sf/{sf.pk}/", data=body, content_type="application/x-www-form-urlencoded")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_text")
    assert response.json()["details"] == {"params": ["note"]}
    assert WebhookDelivery.objects.get().outcome == "rejected"


# --- every JSON-accepting URL, every poison, with and without credentials ---------------------------

JSON_OPERATIONS = [op for op in OPERATIONS if op.route not in ("api/v1/inventory/import/", "api/v1/order-imports/")]


def test_the_walk_covers_the_public_json_endpoints():
    routes = {op.route for op in JSON_OPERATIONS}

    assert {
        "api/v1/auth/token/",
        "api/v1/auth/session/",
        "hooks/flows/<str:token>/",
        "hooks/<slug:connector>/<int:connection_id>/",
        "api/v1/orders/",
        "api/v1/flows/<int:flow_id>/test-run/",
    } <= routes


@pytest.mark.parametrize("op", JSON_OPERATIONS, ids=[str(op) for op in JSON_OPERATIONS])
def test_no_poison_body_gives_a_server_error_anywhere(admin, world, op):
    url = _url(op, world)
    bodies = [json.dumps({"note": SENTINEL}).replace(f'"{SENTINEL}"', raw) for _what, raw, _r, _s in POISONS]
    bodies += [raw for _what, raw, _r, _s in POISONS]  # the poison as the whole body
    before = _row_counts()
    for client in (admin, APIClient()):
        for body in bodies:
            response = client.generic(op.method.upper(), url, data=body, content_type="application/json")

            assert response.status_code < 500, (str(op), body[:80], response.status_code, response.content[:300])
            if response["Content-Type"].startswith("application/json") and response.status_code >= 400:
                assert set(response.json()) == {"code", "message", "details"}, (str(op), response.content[:300])
    after = _row_counts()
    if op.route.startswith("hooks/<slug:connector>"):  # a connector keeps every refused delivery, as rejected
        from connectors.models import WebhookDelivery

        assert set(WebhookDelivery.objects.exclude(outcome="failed").values_list("outcome", flat=True)) == {"rejected"}
        del before["connectors.WebhookDelivery"], after["connectors.WebhookDelivery"]
    assert after == before


@pytest.mark.parametrize(
    ("raised", "code"),
    [(RecursionError(), "invalid_json"), (InvalidJson(), "invalid_json")],
)
def test_a_connector_that_lets_bad_json_through_still_answers_the_providers_400(shopify, monkeypatch, raised, code):
    """The framework's net under every connector's parse (connectors.services.deliveries)."""
    from connectors.models import WebhookDelivery
    from connectors.platforms.shopify.webhook import ShopifyInbound

    def parse(self, request, connection):
        raise raised

    monkeypatch.setattr(ShopifyInbound, "parse", parse)
    body = SHOPIFY["raw_body_utf8"].encode()

    response = Client().post(
        f"/hooks/shopify/{shopify.pk}/", data=body, content_type="application/json", **_shopify_headers(body)
    )

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert WebhookDelivery.objects.get().outcome == "rejected"
