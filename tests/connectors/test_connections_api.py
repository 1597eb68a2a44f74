"""``/api/v1/connections/``: admin-only writes, credentials validated, sealed, never answered."""

import json
import logging

import pytest
from cryptography.fernet import Fernet

from connectors.models import Connection
from connectors.services.connections import connection_credentials, connections_reseal
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SECRET = "shpss_very-secret-value"
CREDENTIALS = {"shop_domain": "tea-house.myshopify.com", "access_token": "shpat_token-value", "client_secret": SECRET}


def create(role="admin", **overrides):
    body = {"connector": "shopify", "name": "茶馆", "credentials": CREDENTIALS, **overrides}
    return client_for(role).post("/api/v1/connections/", body, format="json")


def test_an_admin_creates_a_connection_whose_secrets_are_sealed_and_never_answered(caplog):
    caplog.set_level(logging.DEBUG)

    answer = create()

    assert answer.status_code == 201
    body = answer.json()
    assert body["connector"] == "shopify"
    assert body["credentials_set"] == ["access_token", "client_secret", "shop_domain"]
    assert body["health"] == {
        "status": "unknown",
        "last_success_at": None,
        "last_error_at": None,
        "last_error": "",
        "consecutive_failures": 0,
    }
    assert body["webhook_url"] == f"/hooks/shopify/{body['id']}/"
    stored = Connection.objects.get()
    for secret in (SECRET, "shpat_token-value"):
        assert secret not in answer.content.decode()
        assert secret not in stored.credentials_sealed
        assert secret not in caplog.text
        listed = client_for("operator").get("/api/v1/connections/").content.decode()
        assert secret not in listed
    assert connection_credentials(stored) == CREDENTIALS


def test_bad_credentials_name_the_field_and_create_nothing():
    answers = {
        "bad domain": create(credentials={**CREDENTIALS, "shop_domain": "not a domain"}),
        "missing secret": create(credentials={k: v for k, v in CREDENTIALS.items() if k != "client_secret"}),
        "unknown field": create(credentials={**CREDENTIALS, "extra": "x"}),
        "unknown connector": create(connector="nowhere"),
        "credentials not an object": create(credentials="secret"),
        "name too long": create(name="x" * 101),
    }

    assert {k: (a.status_code, a.json()["code"]) for k, a in answers.items()} == {
        "bad domain": (400, "invalid"),
        "missing secret": (400, "invalid"),
        "unknown field": (400, "invalid"),
        "unknown connector": (400, "invalid"),
        "credentials not an object": (400, "invalid"),
        "name too long": (400, "invalid"),
    }
    assert answers["bad domain"].json()["details"] == {
        "credentials.shop_domain": "does not match the 'pattern' rule of the schema"
    }
    assert answers["missing secret"].json()["details"] == {"credentials.client_secret": "required"}
    assert SECRET not in json.dumps([a.json() for a in answers.values()])
    assert Connection.objects.count() == 0


def test_the_same_name_twice_is_a_conflict():
    create()

    again = create()

    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert Connection.objects.count() == 1


def test_only_admins_write():
    for role in ("operator", "supervisor", "finance", "manager"):
        assert create(role=role).status_code == 403
    assert client_for(None).get("/api/v1/connections/").status_code == 401
    assert Connection.objects.count() == 0


def test_an_update_keeps_the_secrets_it_does_not_send():
    connection_id = create().json()["id"]

    answer = client_for("admin").patch(
        f"/api/v1/connections/{connection_id}/",
        {"name": "茶馆二店", "credentials": {"access_token": "shpat_new"}},
        format="json",
    )

    assert answer.status_code == 200
    assert answer.json()["name"] == "茶馆二店"
    assert connection_credentials(Connection.objects.get()) == {**CREDENTIALS, "access_token": "shpat_new"}


def test_resealing_moves_every_connection_to_the_new_key(settings):
    create()
    old_key = Fernet.generate_key().decode()
    settings.ORDERFLOW_SECRETS_KEY = old_key
    # Sealed under the derived key before; the old derived key must stay readable to rotate.
    from core.crypto import derived_key

    settings.ORDERFLOW_SECRETS_KEY = f"{old_key},{derived_key().decode()}"
    before = Connection.objects.get().credentials_sealed

    assert connections_reseal() == 1

    settings.ORDERFLOW_SECRETS_KEY = old_key  # the derived key retired
    stored = Connection.objects.get()
    assert stored.credentials_sealed != before
    assert connection_credentials(stored) == CREDENTIALS


def test_the_catalog_lists_each_connector_with_its_credential_schema():
    answer = client_for("manager").get("/api/v1/connectors/")

    shopify = next(c for c in answer.json() if c["key"] == "shopify")
    assert shopify["name"] == {"en": "Shopify", "zh": "Shopify"}
    assert shopify["kind"] == "platform"
    assert shopify["secret_fields"] == ["access_token", "client_secret"]
    assert "webhook" in shopify["features"]


def test_the_reseal_command_reports_what_it_resealed():
    from io import StringIO

    from django.core.management import call_command

    create()
    out = StringIO()

    call_command("reseal_credentials", stdout=out)

    assert out.getvalue() == "1 connection(s) resealed under the current key\n"


def test_settings_are_checked_against_the_connectors_settings_schema():
    answers = {
        "share over 100": create(settings={"stock_share_percent": 150}),
        "unknown setting": create(settings={"colour": "blue"}),
        "poll too often": create(settings={"poll_interval_seconds": 1}),
    }

    assert {k: a.json()["details"] for k, a in answers.items()} == {
        "share over 100": {"settings.stock_share_percent": "does not match the 'maximum' rule of the schema"},
        "unknown setting": {"settings": "does not match the 'additionalProperties' rule of the schema"},
        "poll too often": {"settings.poll_interval_seconds": "does not match the 'minimum' rule of the schema"},
    }
    assert Connection.objects.count() == 0
    ok = create(settings={"stock_share_percent": 40, "stock_cap": None, "channel": "shopify"})
    assert ok.json()["settings"] == {"stock_share_percent": 40, "stock_cap": None, "channel": "shopify"}
