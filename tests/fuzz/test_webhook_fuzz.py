"""The webhook endpoints, outside the OpenAPI schema, fuzzed with hypothesis against each verifier.

For every connector that receives webhooks (its sandbox connection, signing with the connection's
own secret as the provider would) and for a flow's webhook with an HMAC secret, two kinds of
generated calls:

- **forgeries of a genuine delivery**: the simulator's signed call with one change — bytes of the
  body flipped, inserted or cut, or a signature or signed timestamp header replaced, altered or
  dropped;
- **made-up calls**: arbitrary bytes, JSON or form bodies with arbitrary headers, among them the
  provider's own signature header names with arbitrary values.

Each answer must be below 500, and none may be taken as genuine: no delivery kept as verified,
no flow run started, no order created. The genuine delivery itself is accepted (so the verifier is
reached and works), checked first. ``ORDERFLOW_FUZZ_EXAMPLES`` sets the examples per case
(default 40; ``make test-fuzz`` runs 300).
"""

import hashlib
import hmac
import json
import os
from collections import Counter
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from django.conf import settings as settings_module
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.orders.models import Order
from connectors.models import WebhookDelivery
from connectors.registry import connector
from connectors.services.connections import ConnectionInput, connection_create
from runtime.models import Execution
from tests.factories import create_order
from tests.runtime.conftest import publish

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("ORDERFLOW_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
FLOW_SECRET = "whsec-fuzz-0123456789abcdef"
# Generated calls per verifier and kind, and their answers: written to var/fuzz/webhooks.json at the end.
TALLY: Counter = Counter()
ANSWERS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    summary = {
        "cases": sum(TALLY.values()),
        "by_verifier": {f"{kind} {key}": n for (kind, key), n in sorted(TALLY.items())},
        "answers": {str(status): n for status, n in sorted(ANSWERS.items())},
        "accepted_forgeries": 0,  # every case asserted it; a single one fails the test
        "server_errors": sum(n for status, n in ANSWERS.items() if status >= 500),
    }
    out = settings_module.BASE_DIR / "var" / "fuzz"
    out.mkdir(parents=True, exist_ok=True)
    (out / "webhooks.json").write_text(json.dumps(summary, indent=1))


def _genuine_shopify(simulator, order):
    return simulator.webhook(simulator.created_topic, simulator.orders_create(1)[0])


def _genuine_own_store(simulator, order):
    return simulator.webhook(simulator.created_topic, simulator.orders_create(1)[0])


def _genuine_alipay(simulator, order):
    return simulator.pay("FUZZ-ALIPAY-1", Decimal("398.00"))


def _genuine_wechatpay(simulator, order):
    return simulator.pay("FUZZ-WX-1", Decimal("398.00"))


def _genuine_kuaidi100(simulator, order):
    simulator.parcel_create("YT9000000000001")
    return simulator.push("YT9000000000001")


def _genuine_sf(simulator, order):
    simulator.advance("SF9000000000001")
    return simulator.push("SF9000000000001")


def _genuine_wms(simulator, order):
    """The warehouse got the order's pick list (as the WMS push would have left it) and picked it."""
    from connectors.models import SandboxRecord
    from connectors.warehouse.wms.sandbox import PICK_LIST

    pick_list = {"order_number": order.number, "lines": [{"sku": "TEA-001", "quantity": 1}]}
    data = {"pick_list_id": "PL-FUZZ-1", "pick_list": pick_list, "received_at": 0, "sent": [], "ship_lines": None}
    SandboxRecord.objects.create(connection=simulator.connection, kind=PICK_LIST, key=order.number, data=data)
    return simulator.event(order.number, "picked")


GENUINE = {
    "shopify": _genuine_shopify,
    "own_store": _genuine_own_store,
    "alipay": _genuine_alipay,
    "wechatpay": _genuine_wechatpay,
    "kuaidi100": _genuine_kuaidi100,
    "sf": _genuine_sf,
    "wms": _genuine_wms,
}
# The headers a provider's signature covers or carries. The others (Shopify's topic and webhook id,
# the own store's event id) are outside every provider's signature by the provider's design: a
# genuine body under another of those is a replay, which the order centre dedupes, not a forgery.
SIGNATURE_HEADERS = (
    "X-Shopify-Hmac-Sha256",
    "X-Hub-Signature-256",
    "X-Orderflow-Signature",
    "X-Orderflow-Timestamp",
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "X-WMS-Signature",
    "X-WMS-Timestamp",
)
_SIGNED = frozenset(name.lower() for name in SIGNATURE_HEADERS)


def _meta(headers) -> dict:
    meta = {}
    for name, value in headers.items():
        if name.lower() == "content-type":
            continue
        meta[f"HTTP_{name.upper().replace('-', '_')}"] = value
    return meta


def _post(url: str, body: bytes, headers) -> object:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/json")
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(url, data=body, content_type=content_type, **_meta(headers))


def _taken() -> tuple[int, int, int]:
    return (
        WebhookDelivery.objects.filter(verified=True).count(),
        Execution.objects.count(),
        Order.objects.count(),
    )


@st.composite
def _forgery(draw, body: bytes, headers: dict):
    """One change to a genuine call, never one that leaves it as it was."""
    headers = dict(headers)
    kind = draw(st.sampled_from(["flip", "insert", "cut", "header_replace", "header_alter", "header_drop"]))
    named = [name for name in headers if name.lower() in _SIGNED]
    if kind.startswith("header") and not named:
        kind = "flip"
    if kind == "flip":
        at = draw(st.integers(0, len(body) - 1))
        change = draw(st.integers(1, 255))
        body = body[:at] + bytes([body[at] ^ change]) + body[at + 1 :]
    elif kind == "insert":
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.binary(min_size=1, max_size=16)) + body[at:]
    elif kind == "cut":
        start = draw(st.integers(0, len(body) - 1))
        body = body[:start] + body[draw(st.integers(start + 1, len(body))) :]
    else:
        name = draw(st.sampled_from(named))
        if kind == "header_drop":
            del headers[name]
        elif kind == "header_replace":
            value = draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
            if value == headers[name]:
                value += "x"
            headers[name] = value
        else:
            value = headers[name]
            at = draw(st.integers(0, max(len(value) - 1, 0)))
            replacement = draw(
                st.characters(min_codepoint=33, max_codepoint=126).filter(lambda c: c != value[at : at + 1])
            )
            headers[name] = value[:at] + replacement + value[at + 1 :]
    return body, headers


_HEADER_VALUE = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120)
_MADE_UP_HEADERS = st.dictionaries(
    st.sampled_from(SIGNATURE_HEADERS) | st.from_regex(r"X-[A-Za-z][A-Za-z-]{0,20}", fullmatch=True),
    _HEADER_VALUE,
    max_size=6,
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
_MADE_UP_BODY = st.one_of(
    st.binary(max_size=2048),
    _JSON.map(lambda value: __import__("json").dumps(value).encode()),
    st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=8).map(
        lambda form: "&".join(f"{k}={v}" for k, v in form.items()).encode("utf-8", "surrogatepass")
    ),
)
_CONTENT_TYPE = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"])


def _sandbox(key: str):
    found = connector(key)
    connection = connection_create(
        data=ConnectionInput(connector=key, name=f"fuzz {key}", credentials={}, settings={}, sandbox=True)
    )
    return connection, found.sandbox(connection)


def _assert_not_taken(answer, before, what, kind="made-up"):
    TALLY[(kind, what)] += 1
    ANSWERS[answer.status_code] += 1
    assert answer.status_code < 500, (what, answer.status_code, answer.content[:300])
    assert _taken() == before, (what, "a forged or made-up call was taken as genuine", answer.status_code)


@pytest.mark.parametrize("key", sorted(GENUINE))
def test_no_forgery_of_a_genuine_delivery_is_accepted(key, channel, stocked):
    connection, simulator = _sandbox(key)
    url = f"/hooks/{key}/{connection.pk}/"
    genuine = GENUINE[key](simulator, create_order(channel, external_id="FUZZ-GENUINE"))
    genuine_body, genuine_headers = bytes(genuine.body), dict(genuine.headers)

    before = _taken()
    first = _post(url, genuine_body, genuine_headers)
    assert first.status_code < 300, (key, first.status_code, first.content[:300])
    assert WebhookDelivery.objects.filter(verified=True).count() == before[0] + 1
    tallies = {"cases": 0}

    @FUZZ
    @given(_forgery(genuine_body, genuine_headers))
    def forged(change):
        body, headers = change
        if key in SIGNED_FORM_FIELDS and _same_signed_form(key, body, genuine_body):
            return  # the signed fields unchanged (other bytes for them, an unsigned field changed): no forgery
        before = _taken()
        answer = _post(url, body, headers)
        tallies["cases"] += 1
        _assert_not_taken(answer, before, key, "forged")

    forged()
    assert tallies["cases"] > 0


@pytest.mark.parametrize("key", sorted(GENUINE))
def test_made_up_calls_are_refused_without_a_server_error(key, stocked):
    connection, _simulator = _sandbox(key)
    url = f"/hooks/{key}/{connection.pk}/"

    @FUZZ
    @given(_MADE_UP_BODY, _MADE_UP_HEADERS, _CONTENT_TYPE)
    def made_up(body, headers, content_type):
        before = _taken()
        answer = _post(url, body, {**headers, "Content-Type": content_type})
        _assert_not_taken(answer, before, key)

    made_up()


# Form-posting providers sign some fields of the form: Alipay every field but ``sign_type`` (which
# must say RSA2), Kuaidi100 ``param`` (MD5 with the salt in ``sign``), SF ``msgData`` and
# ``timestamp`` (``msgDigest`` with the check word, ``partnerID`` compared). ``requestID`` and
# ``serviceCode`` of SF, say, are outside the signature by SF's design.
SIGNED_FORM_FIELDS = {
    "alipay": None,  # all fields
    "kuaidi100": ("param", "sign"),
    "sf": ("partnerID", "timestamp", "msgDigest", "msgData"),
}


def _same_signed_form(key: str, body: bytes, genuine: bytes) -> bool:
    """Whether ``body`` carries the genuine form's signed fields, with the same values (the same
    fields percent-encoded in other bytes, ``%2a`` for ``%2A``, are the same delivery)."""

    def signed(raw: bytes):
        fields = parse_qsl(raw.decode(), keep_blank_values=True)
        wanted = SIGNED_FORM_FIELDS[key]
        return sorted((name, value) for name, value in fields if wanted is None or name in wanted)

    try:
        return signed(body) == signed(genuine)
    except UnicodeDecodeError:
        return False


def _flow():
    return publish(
        {
            "format": "orderflow.flow/v1",
            "name": "Warehouse callback",
            "trigger": {"type": "webhook", "hmac_secret": FLOW_SECRET},
            "nodes": [
                {
                    "id": "tell",
                    "type": "action",
                    "action": "notify.inbox",
                    "params": {"to_role": "operator", "title": "Called back", "body": ""},
                }
            ],
            "edges": [{"from": "trigger", "to": "tell"}],
        },
        enabled=True,
    )


def _flow_signature(body: bytes) -> str:
    return "sha256=" + hmac.new(FLOW_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_a_flow_webhook_takes_no_forged_or_made_up_call():
    flow = _flow()
    url = f"/hooks/flows/{flow.webhook_token}/"
    genuine_body = b'{"status": "packed", "order": "OF1"}'
    genuine_headers = {"Content-Type": "application/json", "X-Orderflow-Signature": _flow_signature(genuine_body)}
    assert _post(url, genuine_body, genuine_headers).status_code == 202
    assert Execution.objects.count() == 1

    @FUZZ
    @given(_forgery(genuine_body, genuine_headers) | st.tuples(_MADE_UP_BODY, _MADE_UP_HEADERS))
    def forged(change):
        body, headers = change
        before = _taken()
        answer = _post(url, body, headers)
        _assert_not_taken(answer, before, "flow", "forged or made-up")
        assert answer.status_code in (400, 401, 413), answer.content[:300]
        assert set(answer.json()) == {"code", "message", "details"}

    forged()
