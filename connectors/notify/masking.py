"""Recipients as logs and answers show them: enough to recognise, not enough to contact.

``138****5678`` for a mainland mobile number, ``a***@example.com`` for an e-mail address,
``oAbc****wxyz`` for a WeChat openid; anything else keeps its first and last characters.
"""

import re

_MOBILE = re.compile(r"^(\+?86)?(1\d{2})(\d{4})(\d{4})$")


def mask_recipient(recipient: str) -> str:
    value = recipient.strip()
    if not value:
        return ""
    mobile = _MOBILE.match(value.replace(" ", "").replace("-", ""))
    if mobile:
        return f"{mobile.group(2)}****{mobile.group(4)}"
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return f"{value[:1]}***{value[-1:]}"
    return f"{value[:4]}****{value[-4:]}"
