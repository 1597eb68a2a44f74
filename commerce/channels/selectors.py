from commerce.db import objects_where

from .models import Channel


def channel_by_code(code: str) -> Channel | None:
    """The active channel with this code, or ``None``. Read on every order the channels send."""
    found = objects_where(Channel, "code = %s AND active = %s", [code, True], prepare=True)
    return found[0] if found else None
