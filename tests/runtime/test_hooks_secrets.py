"""Flow webhooks with a sealed ``hmac_secret``: revealed only to check the signature."""

import json
import logging

import pytest
from cryptography.fernet import Fernet

from core.crypto import is_sealed, reveal
from runtime.models import Execution
from tests.runtime.test_webhooks import SECRET, _post, _sign, _webhook_flow

pytestmark = pytest.mark.django_db


def test_the_secret_is_stored_sealed_and_still_verifies(caplog):
    caplog.set_level(logging.DEBUG)
    flow = _webhook_flow()
    body = json.dumps({"status": "packed"}).encode()

    signed = _post(flow, body, HTTP_X_ORDERFLOW_SIGNATURE=_sign(body))
    forged = _post(flow, body, HTTP_X_ORDERFLOW_SIGNATURE=_sign(body, "whsec-guessed-000000"))

    stored = flow.current_version.document["trigger"]["hmac_secret"]
    assert is_sealed(stored) and reveal(stored) == SECRET
    assert SECRET not in json.dumps([flow.draft, flow.current_version.document])
    assert (signed.status_code, forged.status_code) == (202, 401)
    assert SECRET not in caplog.text


def test_a_secret_this_server_cannot_reveal_answers_503_and_logs_no_value(settings, caplog):
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    flow = _webhook_flow()
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    body = json.dumps({"status": "packed"}).encode()

    with caplog.at_level(logging.ERROR, logger="runtime.hooks"):
        response = _post(flow, body, HTTP_X_ORDERFLOW_SIGNATURE=_sign(body))

    assert response.status_code == 503
    assert response.json()["code"] == "secret_unreadable"
    assert Execution.objects.count() == 0
    assert f"flow {flow.pk} v1: the webhook secret cannot be revealed" in caplog.text
    assert SECRET not in caplog.text and "enc:v1:" not in caplog.text
