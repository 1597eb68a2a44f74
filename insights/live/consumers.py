"""``/ws/live/``: one WebSocket per logged-in browser, carrying the live messages of ``messages``.

The stream is one-way (what the client sends is ignored). A connection without a logged-in user
is refused with close code 4401, one whose user holds no role with 4403 — before the handshake
completes, so nothing is ever sent to it. Each message is sent only to users holding a role that
may read it (``messages.readers_of``).
"""

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.accounts.roles import roles_of

from .follower import Follower, follower_attach, follower_detach
from .messages import INBOX_CHANGED

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_UNAVAILABLE = 1011


class LiveConsumer(AsyncJsonWebsocketConsumer):
    follower: Follower | None = None
    user_id: int | None = None
    roles: frozenset[str] = frozenset()

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        roles = await database_sync_to_async(roles_of)(user)
        if not roles:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id, self.roles = user.pk, roles
        try:
            self.follower = await follower_attach()
        except Exception:
            logger.warning("live: the follower could not start", exc_info=True)
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        await self.channel_layer.group_add(self.follower.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        follower, self.follower = self.follower, None
        if follower is not None:
            await self.channel_layer.group_discard(follower.group, self.channel_name)
            await follower_detach(follower)

    async def receive_json(self, content, **kwargs) -> None:
        """The stream is one-way: what a client sends changes nothing."""

    async def live_batch(self, message: dict) -> None:
        for event in message["events"]:
            if event["roles"] is None or self.roles.intersection(event["roles"]):
                await self.send_json(event["detail"])
        if self.user_id in message["inbox_users"] or self.roles.intersection(message["inbox_roles"]):
            await self.send_json({"type": INBOX_CHANGED})
