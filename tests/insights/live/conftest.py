import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.db import connection as db
from django.test import Client

from insights.live import follower
from tests.conftest import redis_server_url


@pytest.fixture(autouse=True)
def _committed_for_real(transactional_db):
    """The follower reads in a thread of its own and sees only what is committed: these tests
    commit for real, and the database is emptied after each. PostgreSQL empties it with TRUNCATE,
    which the audit trail's append-only trigger allows; SQLite with DELETE, which the trigger
    refuses — there it is set aside for that one DELETE and put back as it was."""
    yield
    if db.vendor == "sqlite":
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_auditentry_no_delete'"
            )
            (trigger,) = cursor.fetchone()
            cursor.execute("DROP TRIGGER audit_auditentry_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute(trigger)


@pytest.fixture(autouse=True)
def _quick_follower(settings):
    """Looks every 50 ms (SQLite) and a new kpis.changed at most every 0.3 s, so tests are short."""
    settings.ORDERFLOW_LIVE_POLL_SECONDS = 0.05
    settings.ORDERFLOW_LIVE_SAFETY_POLL_SECONDS = 0.5
    settings.ORDERFLOW_LIVE_KPIS_SECONDS = 0.3
    yield
    assert follower.followers_running() == 0, "a follower outlived its last client"


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings):
    """Channels' in-memory layer (the embedded default), or the Redis layer (with ``REDIS_URL``)."""
    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        url = redis_server_url("TEST_LIVE_REDIS_URL", "redis://127.0.0.1:6379/12")
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
        }
    channel_layers.backends.clear()
    yield request.param
    layer = channel_layers.backends.get("default")
    if layer is not None and hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    channel_layers.backends.clear()


def session_cookie(user) -> bytes:
    """The ``Cookie`` header of a browser logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()
