from .models import Channel


def channel_by_code(code: str) -> Channel | None:
    """The active channel with this code, or ``None``. Read on every order the channels send."""
    return Channel.objects.filter(code=code, active=True).first()


def channel_list():
    """Every channel, active or not, by code — few rows: a shop has a handful of channels."""
    return Channel.objects.order_by("code")
