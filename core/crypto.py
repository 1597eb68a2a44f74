"""Sealing secrets kept at rest (flow documents' webhook and signing secrets): Fernet, with rotation.

A sealed value is ``"enc:v1:" + <Fernet token>`` — a string, so it sits in a JSON document where
the plaintext used to be, and the prefix tells it apart from a plaintext at a glance.

Keys come from the setting ``ORDERFLOW_SECRETS_KEY`` (environment variable of the same name): one
urlsafe-base64 Fernet key (``Fernet.generate_key()``), or several separated by commas to rotate —
the first seals, every one of them reveals. Unset, the key is derived from ``SECRET_KEY`` with
HKDF-SHA256 (salt ``orderflow``, info ``orderflow.secrets.v1``), so a development install works
without configuration; keys derived from ``SECRET_KEY_FALLBACKS`` reveal too (never seal), so a
value sealed before ``SECRET_KEY`` changed stays readable while the old key is listed there, and
``reseal_credentials`` moves credentials to the current key. There is no built-in key here: the
settings refuse to load in production without ``SECRET_KEY``, and only a development install lists
the old built-in development key among its fallbacks (``orderflow.settings``). A deployment check
(``orderflow.W001``) asks production for ``ORDERFLOW_SECRETS_KEY`` of its own, so that rotating
``SECRET_KEY`` never touches stored secrets.

``reveal`` accepts only sealed values: a plaintext, a garbled token or one sealed under another key
raises ``SecretUnreadable`` — never a silent pass-through. Nothing here logs a value.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

PREFIX = "enc:v1:"


class SecretUnreadable(Exception):
    """A value that should be sealed cannot be revealed: not sealed, garbled, or sealed under another key."""

    code = "secret_unreadable"

    def __init__(self, reason: str):
        super().__init__(f"the stored secret cannot be revealed: {reason}")
        self.reason = reason


def derived_key(secret_key: str | None = None) -> bytes:
    """The Fernet key derived from ``secret_key`` (Django's ``SECRET_KEY`` by default) with HKDF-SHA256."""
    material = (secret_key if secret_key is not None else settings.SECRET_KEY).encode()
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"orderflow", info=b"orderflow.secrets.v1")
    return base64.urlsafe_b64encode(hkdf.derive(material))


@lru_cache(maxsize=1)
def _keyring(configured: str, secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if not keys:
        return MultiFernet([Fernet(derived_key(key)) for key in (secret_key, *fallbacks)])
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "ORDERFLOW_SECRETS_KEY must be one or more comma-separated urlsafe-base64 32-byte Fernet keys"
        ) from None


def _fernet() -> MultiFernet:
    return _keyring(
        getattr(settings, "ORDERFLOW_SECRETS_KEY", "") or "",
        settings.SECRET_KEY,
        tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())),
    )


def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting in ("ORDERFLOW_SECRETS_KEY", "SECRET_KEY", "SECRET_KEY_FALLBACKS"):
        _keyring.cache_clear()


setting_changed.connect(_forget_keys)


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plain: str) -> str:
    """``plain`` encrypted under the first key. Sealing an already sealed value is a bug and raises ``ValueError``."""
    if not isinstance(plain, str):
        raise TypeError("only strings are sealed")
    if is_sealed(plain):
        raise ValueError("the value is already sealed")
    return PREFIX + _fernet().encrypt(plain.encode()).decode("ascii")


def reveal(token) -> str:
    """The plaintext of a sealed value; ``SecretUnreadable`` for anything else."""
    if not is_sealed(token):
        raise SecretUnreadable("the value is not sealed")
    try:
        return _fernet().decrypt(token[len(PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable("the token is garbled or was sealed under another key") from None


def sealed_length(plain_bytes: int) -> int:
    """How many characters sealing a plaintext of ``plain_bytes`` UTF-8 bytes gives.

    A Fernet token is 57 bytes (version, timestamp, IV, HMAC) plus the AES-CBC ciphertext (the
    plaintext padded to the next whole 16-byte block), in base64 with padding.
    """
    token_bytes = 57 + 16 * (plain_bytes // 16 + 1)
    return len(PREFIX) + 4 * -(-token_bytes // 3)
