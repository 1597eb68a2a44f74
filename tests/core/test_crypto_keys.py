"""Which keys seal and reveal stored secrets (``core.crypto``) now that SECRET_KEY is never built in.

Without ``ORDERFLOW_SECRETS_KEY`` the key derived from ``SECRET_KEY`` seals, and keys derived from
``SECRET_KEY_FALLBACKS`` only reveal: data sealed before a key change stays readable while the old
key is listed, and ``reseal_credentials`` moves connections' credentials to the current key. A
development install lists the old built-in key there (so its existing data stays readable);
production does not.
"""

import io

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.management import call_command

from core.crypto import PREFIX, SecretUnreadable, derived_key, reveal, seal

BUILT_IN = "dev-only-insecure-key-change-me-in-production-0123456789"
NEW_KEY = "a-new-secret-key-" + "n" * 50


def test_the_test_settings_are_a_development_install_with_the_built_in_key_as_fallback_only():
    assert django_settings.DEVELOPMENT is True
    assert django_settings.SECRET_KEY != BUILT_IN
    assert BUILT_IN in django_settings.SECRET_KEY_FALLBACKS


def test_a_value_sealed_under_an_old_key_is_revealed_through_the_fallbacks(settings):
    settings.ORDERFLOW_SECRETS_KEY = ""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = BUILT_IN, []
    old = seal("whsec-old")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [BUILT_IN]

    new = seal("whsec-new")

    assert reveal(old) == "whsec-old"
    assert Fernet(derived_key(NEW_KEY)).decrypt(new[len(PREFIX) :].encode()) == b"whsec-new"


def test_without_the_fallback_as_in_production_the_old_value_is_unreadable(settings):
    settings.ORDERFLOW_SECRETS_KEY = ""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = BUILT_IN, []
    old = seal("whsec-old")
    settings.SECRET_KEY = NEW_KEY

    with pytest.raises(SecretUnreadable):
        reveal(old)


def test_a_configured_secrets_key_does_not_reveal_with_fallbacks(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS, settings.ORDERFLOW_SECRETS_KEY = BUILT_IN, [], ""
    derived = seal("whsec-old")
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    settings.SECRET_KEY_FALLBACKS = [BUILT_IN]

    with pytest.raises(SecretUnreadable):
        reveal(derived)


@pytest.mark.django_db
def test_reseal_credentials_moves_connections_off_the_old_key(settings):
    from connectors.models import Connection
    from connectors.services.connections import ConnectionInput, connection_create, connection_credentials

    settings.ORDERFLOW_SECRETS_KEY = ""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = BUILT_IN, []
    credentials = {"shop_domain": "a.myshopify.com", "access_token": "shpat_x", "client_secret": "s"}
    connection = connection_create(
        data=ConnectionInput(connector="shopify", name="a", credentials=credentials, settings={})
    )
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [BUILT_IN]

    call_command("reseal_credentials", stdout=io.StringIO())
    settings.SECRET_KEY_FALLBACKS = []

    assert connection_credentials(Connection.objects.get(pk=connection.pk)) == credentials
