"""Sealing secrets at rest: ``core.crypto``."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core.crypto import PREFIX, SecretUnreadable, derived_key, is_sealed, reveal, seal


def test_a_sealed_value_is_prefixed_hides_the_plaintext_and_reveals_it():
    token = seal("whsec-0123456789abcdef")

    assert token.startswith("enc:v1:")
    assert "whsec" not in token
    assert is_sealed(token)
    assert reveal(token) == "whsec-0123456789abcdef"


def test_sealing_twice_gives_different_tokens_of_the_same_secret():
    first, second = seal("same secret"), seal("same secret")

    assert first != second
    assert reveal(first) == reveal(second) == "same secret"


def test_a_sealed_value_is_not_sealed_again():
    with pytest.raises(ValueError, match="already sealed"):
        seal(seal("secret"))


def test_without_a_configured_key_the_key_is_derived_from_secret_key(settings):
    settings.ORDERFLOW_SECRETS_KEY = ""
    token = seal("secret")

    assert Fernet(derived_key(settings.SECRET_KEY)).decrypt(token[len(PREFIX) :].encode()) == b"secret"


def test_a_new_secret_key_makes_derived_tokens_unreadable(settings):
    settings.ORDERFLOW_SECRETS_KEY = ""
    token = seal("secret")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    with pytest.raises(SecretUnreadable, match="sealed under another key"):
        reveal(token)


def test_rotation_the_first_key_seals_and_every_key_reveals(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ORDERFLOW_SECRETS_KEY = old
    under_old = seal("secret")
    settings.ORDERFLOW_SECRETS_KEY = f"{new}, {old}"
    under_new = seal("secret")

    assert reveal(under_old) == reveal(under_new) == "secret"
    assert Fernet(new.encode()).decrypt(under_new[len(PREFIX) :].encode()) == b"secret"
    settings.ORDERFLOW_SECRETS_KEY = new
    with pytest.raises(SecretUnreadable):
        reveal(under_old)


@pytest.mark.parametrize(
    "value, reason",
    [
        ("plain legacy secret", "not sealed"),
        (None, "not sealed"),
        ("enc:v1:not-a-token", "garbled"),
        ("enc:v1:ü", "garbled"),
    ],
)
def test_anything_but_a_sealed_value_is_refused_clearly(value, reason):
    with pytest.raises(SecretUnreadable, match=reason) as refused:
        reveal(value)

    assert refused.value.code == "secret_unreadable"


def test_a_tampered_token_is_refused():
    token = seal("secret")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]

    with pytest.raises(SecretUnreadable, match="garbled"):
        reveal(tampered)


def test_a_malformed_configured_key_is_a_configuration_error(settings):
    settings.ORDERFLOW_SECRETS_KEY = "not-a-fernet-key"

    with pytest.raises(ImproperlyConfigured, match="ORDERFLOW_SECRETS_KEY"):
        seal("secret")
