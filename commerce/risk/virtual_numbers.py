"""Mobile number ranges that are not a person's ordinary subscription, kept as a list in code.

Source: the MIIT numbering plan 《电信网编号计划（2017年版）》 and the MIIT's allocations of number
ranges for mobile resale (移动通信转售业务, "virtual operators"): 170 and 171 from 2013–2016, and
162 (China Telecom's resale range), 165 (China Mobile's) and 167 (China Unicom's) from 2017; and
the IoT ranges 140/141/144/146/148 (13-digit machine numbers live under 1064/1065, the 11-digit
ones here are SMS-only IoT lines without voice). Numbers in these ranges are sold without the
in-store identity checks of the big three's own ranges and are the ones order farms buy in bulk.

Maintained here: when the MIIT allocates a new resale or IoT range, add its prefix with the
announcement, and the ``phone.virtual`` fact of the risk rules follows.
"""

import re

# prefix → kind. The longest prefix that matches wins (none overlap today).
RANGES: dict[str, str] = {
    "170": "resale",  # 1700/1701/1702 China Telecom, 1703/1705/1706 China Mobile, 1704/1707-1709 China Unicom
    "171": "resale",  # China Unicom resale
    "162": "resale",  # China Telecom resale (2017)
    "165": "resale",  # China Mobile resale (2017)
    "167": "resale",  # China Unicom resale (2017)
    "140": "iot",
    "141": "iot",
    "144": "iot",
    "146": "iot",
    "148": "iot",
}

_NOT_DIGITS = re.compile(r"[^0-9]")


def mobile_number(phone: str) -> str:
    """The 11-digit mainland number in ``phone`` (spaces, dashes and a +86/0086/86 prefix removed), or ''."""
    digits = _NOT_DIGITS.sub("", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits if len(digits) == 11 and digits.startswith("1") else ""


def virtual_kind(phone: str) -> str:
    """``resale`` or ``iot`` when the number is in one of ``RANGES``, else ''."""
    number = mobile_number(phone)
    return RANGES.get(number[:3], "") if number else ""
