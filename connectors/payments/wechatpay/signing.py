"""WeChat Pay API v3 signatures and the notify resource's encryption (PROTOCOLS.md 3.1, 3.2).

* Notifies and API answers are signed by the platform: RSA-SHA256 (PKCS#1 v1.5) over
  ``"{Wechatpay-Timestamp}\\n{Wechatpay-Nonce}\\n{raw body}\\n"``, verified with the platform
  public key (the "WeChat Pay public key", or the platform certificate's key).
* Requests are signed by the merchant over ``"{METHOD}\\n{path?query}\\n{timestamp}\\n{nonce}\\n{body}\\n"``
  and sent as ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
  timestamp="…",serial_no="…"``.
* A notify's ``resource`` is AEAD_AES_256_GCM: key = the APIv3 key's UTF-8 bytes, nonce and
  associated data as UTF-8, ciphertext = base64(ciphertext ‖ 16-byte tag). Real APIv3 keys are
  32 bytes; the real wechatpay-go vector uses a 16-byte key (AES-128-GCM, the same AEAD), so any
  key length AES-GCM accepts (16, 24, 32) is used as given.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"
AES_KEY_LENGTHS = (16, 24, 32)


class BadKey(ValueError):
    pass


class Undecryptable(ValueError):
    pass


def private_key(text: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(text.strip().encode(), password=None)
    except (ValueError, TypeError):
        raise BadKey("not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BadKey("not an RSA private key")
    return key


def public_key(text: str) -> rsa.RSAPublicKey:
    """A PEM public key, or a PEM platform certificate (its key)."""
    data = text.strip().encode()
    key: object
    try:
        if b"BEGIN CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise BadKey("not a PEM public key or certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadKey("not an RSA public key")
    return key


def message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def request_message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{method}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"


def authorization(
    *, mchid: str, serial_no: str, key: rsa.RSAPrivateKey, method: str, path: str, timestamp: str, body: bytes
) -> str:
    nonce = secrets.token_hex(16).upper()
    signature = sign(key, request_message(method, path, timestamp, nonce, body))
    return (
        f'{SIGNATURE_TYPE} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')


def authorization_fields(header: str) -> dict[str, str] | None:
    scheme, _, rest = header.partition(" ")
    if scheme != SIGNATURE_TYPE:
        return None
    return dict(AUTH_FIELD.findall(rest))


def aes_key(apiv3_key: str) -> bytes:
    key = apiv3_key.encode()
    if len(key) not in AES_KEY_LENGTHS:
        raise BadKey("the APIv3 key must be 32 characters")
    return key


def decrypt(apiv3_key: str, nonce: str, ciphertext: str, associated_data: str = "") -> bytes:
    try:
        data = base64.b64decode(ciphertext, validate=True)
        return AESGCM(aes_key(apiv3_key)).decrypt(nonce.encode(), data, associated_data.encode())
    except (binascii.Error, ValueError, InvalidTag, BadKey):
        raise Undecryptable("the resource does not decrypt with this APIv3 key") from None


def encrypt(apiv3_key: str, nonce: str, plaintext: bytes, associated_data: str = "") -> str:
    return base64.b64encode(
        AESGCM(aes_key(apiv3_key)).encrypt(nonce.encode(), plaintext, associated_data.encode())
    ).decode()
