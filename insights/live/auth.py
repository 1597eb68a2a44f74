"""Who is on the other end of a WebSocket: the Django session (the browser app logs in with it,
``orderflow.web.views.SessionApi``), or, for clients that are not browsers, the API token in an
``Authorization: Token <key>`` header of the handshake — the same token as the REST API's."""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth import get_user_model

TOKEN_PREFIX = b"token "


@database_sync_to_async
def _user_of_token(key: str):
    return get_user_model().objects.filter(auth_token__key=key, is_active=True).first()


class TokenHeaderAuthMiddleware(BaseMiddleware):
    """Sets ``scope["user"]`` from an ``Authorization: Token <key>`` header when no session user is there."""

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            header = dict(scope.get("headers", [])).get(b"authorization", b"")
            if header[: len(TOKEN_PREFIX)].lower() == TOKEN_PREFIX:
                key = header[len(TOKEN_PREFIX) :].strip().decode("latin-1")
                found = await _user_of_token(key) if key else None
                if found is not None:
                    scope = dict(scope, user=found)
        return await super().__call__(scope, receive, send)


def LiveAuthStack(inner):  # noqa: N802  (named like Channels' AuthMiddlewareStack)
    return AuthMiddlewareStack(TokenHeaderAuthMiddleware(inner))
