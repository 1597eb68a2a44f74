"""Flow webhooks: ``POST /hooks/flows/<token>/`` with optional HMAC verification before any parsing."""

import hashlib
import hmac
import json

import pytest
from django.test import Client

from commerce.inbox.models import Notification
from runtime.models import Execution
from tests.runtime.conftest import action, publish

pytestmark = pytest.mark.django_db

SECRET = "whsec-0123456789abcdef"


def _webhook_flow(secret: str | None = SECRET, enabled: bool = True):
    trigger = {"type": "webhook", **({"hmac_secret": secret} if secret else {})}
    return publish(
        {
            "format": "orderflow.flow/v1",
            "name": "Warehouse callback",
            "trigger": trigger,
            "nodes": [
                action(
                    "tell",
                    "notify.inbox",
                    {"to_role": "operator", "title": "Warehouse says {{ webhook.body.status }}", "body": ""},
                )
            ],
            "edges": [{"from": "trigger", "to": "tell"}],
        },
        enabled=enabled,
    )


def _sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(flow, body: bytes, **headers):
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/hooks/flows/{flow.webhook_token}/", data=body, content_type="application/json", **headers
    )


def test_a_correctly_signed_call_starts_a_run(q_sync, django_capture_on_commit_callbacks):
    flow = _webhook_flow()
    body = json.dumps({"status": "packed"}).encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(flow, body, HTTP_X_ORDERFLOW_SIGNATURE=_sign(body), HTTP_X_WAREHOUSE="sh-main")

    execution = Execution.objects.get(flow=flow)
    assert response.status_code == 202
    assert response.json() == {"execution": execution.pk, "status": "pending", "created": True}
    assert execution.status == "succeeded"
    assert execution.context["webhook"]["body"] == {"status": "packed"}
    assert execution.context["webhook"]["headers"]["X-Warehouse"] == "sh-main"
    assert "X-Orderflow-Signature" not in execution.context["webhook"]["headers"]
    assert Notification.objects.get().title == "Warehouse says packed"


@pytest.mark.parametrize(
    "signature",
    [None, "sha256=" + "0" * 64, _sign(b'{"status": "lost"}'), _sign(b'{"status": "packed"}', "another-secret-000")],
    ids=["missing", "zeros", "other-body", "other-secret"],
)
def test_a_missing_or_wrong_signature_is_refused_and_starts_nothing(signature):
    flow = _webhook_flow()
    headers = {"HTTP_X_ORDERFLOW_SIGNATURE": signature} if signature else {}

    response = _post(flow, b'{"status": "packed"}', **headers)

    assert response.status_code == 401
    assert response.json() == {
        "code": "bad_signature",
        "message": "The X-Orderflow-Signature header is missing or does not match the body.",
        "details": {"header": "X-Orderflow-Signature"},
    }
    assert Execution.objects.count() == 0


def test_the_signature_is_checked_before_the_body_is_parsed():
    flow = _webhook_flow()

    response = _post(flow, b"{not json", HTTP_X_ORDERFLOW_SIGNATURE="sha256=bad")

    assert response.status_code == 401


def test_a_signed_body_that_is_not_json_is_a_bad_request():
    flow = _webhook_flow()

    response = _post(flow, b"{not json", HTTP_X_ORDERFLOW_SIGNATURE=_sign(b"{not json"))

    assert (response.status_code, response.json()["code"]) == (400, "malformed_json")
    assert Execution.objects.count() == 0


def test_a_body_over_one_megabyte_is_refused():
    flow = _webhook_flow()
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'

    response = _post(flow, body, HTTP_X_ORDERFLOW_SIGNATURE=_sign(body))

    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert Execution.objects.count() == 0


def test_a_flow_without_a_secret_accepts_unsigned_calls():
    flow = _webhook_flow(secret=None)

    response = _post(flow, b'{"status": "packed"}')

    assert response.status_code == 202
    assert Execution.objects.filter(flow=flow).count() == 1


def test_an_unknown_token_or_a_disabled_flow_is_not_found():
    disabled = _webhook_flow(enabled=False)
    body = b"{}"

    assert Client().post("/hooks/flows/no-such-token/", data=body, content_type="application/json").status_code == 404
    assert _post(disabled, body, HTTP_X_ORDERFLOW_SIGNATURE=_sign(body)).status_code == 404


def test_a_repeated_delivery_with_the_same_idempotency_key_starts_one_run():
    flow = _webhook_flow()
    body = b'{"status": "packed"}'
    headers = {"HTTP_X_ORDERFLOW_SIGNATURE": _sign(body), "HTTP_IDEMPOTENCY_KEY": "delivery-1"}

    first, second = _post(flow, body, **headers), _post(flow, body, **headers)

    assert [first.status_code, second.status_code] == [202, 202]
    assert first.json()["execution"] == second.json()["execution"]
    assert [first.json()["created"], second.json()["created"]] == [True, False]
    assert Execution.objects.count() == 1


def test_only_post_is_accepted():
    flow = _webhook_flow()

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/hooks/flows/{flow.webhook_token}/")

    assert (response.status_code, response["Allow"], response.json()["code"]) == (405, "POST", "method_not_allowed")
