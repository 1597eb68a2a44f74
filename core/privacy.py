"""Personal data as people read it: phone numbers and IP addresses masked for those not allowed to see them."""

MASK = "****"


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``: the first three and last four characters kept.

    A number of eight characters or fewer keeps only its last two (``****12``), so that a mask never
    shows most of a short number; an empty one stays empty. Spaces and dashes inside the number
    count as characters: the mask is of what is stored, not of a normalised form.
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) > 8:
        return f"{phone[:3]}{MASK}{phone[-4:]}"
    return f"{MASK}{phone[-2:]}" if len(phone) > 4 else MASK


def mask_ip(ip: str | None) -> str | None:
    """``203.0.113.77`` → ``203.0.113.*``; an IPv6 address keeps its first three groups
    (``2001:db8:85a3:*``), the network rather than the household. None stays None."""
    if not ip:
        return ip
    if ":" in ip:
        groups = [g for g in ip.split(":") if g][:3]
        return ":".join(groups) + ":*"
    parts = ip.split(".")
    return ".".join(parts[:3]) + ".*" if len(parts) == 4 else MASK
