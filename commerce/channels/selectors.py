from .models import Channel


def channel_by_code(code: str) -> Channel | None:
    return Channel.objects.filter(code=code, active=True).first()
