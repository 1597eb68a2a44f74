"""SF 丰桥's ``msgDigest`` (PROTOCOLS.md 4.2, verified against SF's documented example).

``msgDigest = Base64(MD5_bytes(URLEncoder.encode(msgData + timestamp + checkWord, "UTF-8")))`` with
Java's ``URLEncoder``: letters, digits and ``. - * _`` kept, a space as ``+``, every other byte as
``%XX`` in upper case (``~`` too, which Python's ``quote_plus`` would keep).
"""

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def java_url_encode(text: str) -> str:
    return quote_plus(text, safe="*", encoding="utf-8").replace("~", "%7E")


def msg_digest(msg_data: str, timestamp: str, check_word: str) -> str:
    encoded = java_url_encode(msg_data + timestamp + check_word)
    return base64.b64encode(hashlib.md5(encoded.encode("ascii")).digest()).decode()  # noqa: S324 - SF's scheme


def msg_digest_valid(msg_data: str, timestamp: str, check_word: str, offered: str) -> bool:
    return hmac.compare_digest(msg_digest(msg_data, timestamp, check_word).encode(), offered.strip().encode())
