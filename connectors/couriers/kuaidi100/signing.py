"""Kuaidi100's two signatures (PROTOCOLS.md 4.1; official python-demo and java-demo ``SignUtils``).

* push callback: ``sign = UPPER(MD5(param + salt))`` — ``param`` is the form field's JSON text
  exactly as received, ``salt`` the one given at subscribe;
* realtime query: ``sign = UPPER(MD5(param + key + customer))``;
* electronic waybill (``api.kuaidi100.com/label/order``): ``sign = UPPER(MD5(param + t + key + secret))``
  with ``t`` the request's timestamp in ms (official php-demo ``ele_*.php``).

MD5 over the UTF-8 bytes, as hex in upper case.
"""

import hashlib
import hmac


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()  # noqa: S324 - the provider's scheme


def push_sign(param: str, salt: str) -> str:
    return _md5_upper(param + salt)


def query_sign(param: str, key: str, customer: str) -> str:
    return _md5_upper(param + key + customer)


def push_sign_valid(param: str, salt: str, offered: str) -> bool:
    """Constant-time comparison; the offered hex is compared case-insensitively."""
    return hmac.compare_digest(push_sign(param, salt).encode(), offered.strip().upper().encode())


def label_sign(param: str, t: str, key: str, secret: str) -> str:
    return _md5_upper(param + t + key + secret)


def label_sign_valid(param: str, t: str, key: str, secret: str, offered: str) -> bool:
    return hmac.compare_digest(label_sign(param, t, key, secret).encode(), offered.strip().upper().encode())
