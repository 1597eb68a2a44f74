"""Personal data as people read it: phone numbers masked for those not allowed to see them."""

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
