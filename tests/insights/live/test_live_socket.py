"""``/ws/live/`` through the deployed ASGI application: who may connect, and what reaches whom."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from commerce.inbox.services import inbox_mark_read, inbox_notify
from commerce.orders.services import order_transition
from tests.factories import TEST_ACTOR, create_order, make_user
from tests.insights.live.conftest import session_cookie
from tests.orderflow.test_asgi import deployed_application

ORIGIN = (b"origin", b"http://testserver")


def communicator(*headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(deployed_application(), "/ws/live/", headers=[ORIGIN, *headers])


async def receive_until(socket: WebsocketCommunicator, wanted, *, timeout: float = 10) -> list[dict]:
    """Messages until one for which ``wanted(message)`` holds (it included), or fails after ``timeout``."""
    seen: list[dict] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"nothing wanted arrived; got {seen}")
        message = await socket.receive_json_from(timeout=left)
        seen.append(message)
        if wanted(message):
            return seen


def test_a_status_change_reaches_a_subscribed_client(channel_layer, channel, stocked):
    operator = make_user("op", "operator")
    order = create_order(channel, external_id="LIVE-1", status="paid")
    cookie = session_cookie(operator)

    async def scenario():
        socket = communicator((b"cookie", cookie))
        connected, _ = await socket.connect(timeout=10)
        assert connected
        await database_sync_to_async(order_transition)(order_id=order.pk, to="processing", actor=TEST_ACTOR)
        seen = await receive_until(socket, lambda m: m["type"] == "order.status_changed")
        await socket.disconnect()
        return seen

    seen = async_to_sync(scenario)()

    change = seen[-1]
    assert change["order"] == {
        "id": order.pk,
        "number": order.number,
        "status": "processing",
        "channel": "tmall",
        "total_amount": "199.00",
    }
    assert isinstance(change["id"], int) and change["occurred_at"].endswith("Z")
    assert set(change) == {"type", "id", "occurred_at", "order"}


def test_an_anonymous_client_is_refused(channel_layer):
    async def scenario():
        socket = communicator()
        return await socket.connect(timeout=10)

    connected, code = async_to_sync(scenario)()

    assert connected is False
    assert code == 4401


def test_a_forged_session_is_refused(channel_layer):
    async def scenario():
        socket = communicator((b"cookie", b"sessionid=not-a-session-0123456789"))
        return await socket.connect(timeout=10)

    assert async_to_sync(scenario)() == (False, 4401)


def test_a_user_without_a_role_is_refused(channel_layer):
    cookie = session_cookie(make_user("nobody", None))

    async def scenario():
        socket = communicator((b"cookie", cookie))
        return await socket.connect(timeout=10)

    assert async_to_sync(scenario)() == (False, 4403)


def test_a_page_of_another_site_cannot_open_the_socket(channel_layer):
    cookie = session_cookie(make_user("op", "operator"))

    async def scenario():
        socket = WebsocketCommunicator(
            deployed_application(),
            "/ws/live/",
            headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)],
        )
        return await socket.connect(timeout=10)

    connected, _ = async_to_sync(scenario)()

    assert connected is False


def test_the_api_token_opens_the_socket(channel_layer, channel, stocked):
    manager = make_user("boss", "manager")
    token = Token.objects.create(user=manager)

    async def scenario():
        socket = communicator((b"authorization", f"Token {token.key}".encode()))
        connected, _ = await socket.connect(timeout=10)
        assert connected
        await database_sync_to_async(create_order)(channel, external_id="LIVE-T")
        seen = await receive_until(socket, lambda m: m["type"] == "order.created")
        await socket.disconnect()
        return seen

    assert async_to_sync(scenario)()[-1]["order"]["channel"] == "tmall"


def test_a_wrong_token_is_refused(channel_layer):
    async def scenario():
        socket = communicator((b"authorization", b"Token 0000000000000000000000000000000000000000"))
        return await socket.connect(timeout=10)

    assert async_to_sync(scenario)() == (False, 4401)


def test_the_inbox_changes_for_the_role_it_is_addressed_to_and_for_its_reader(channel_layer, channel, stocked):
    operator = make_user("op", "operator")
    finance = make_user("fin", "finance")
    operator_cookie, finance_cookie = session_cookie(operator), session_cookie(finance)

    async def scenario():
        ops = communicator((b"cookie", operator_cookie))
        fin = communicator((b"cookie", finance_cookie))
        assert (await ops.connect(timeout=10))[0]
        assert (await fin.connect(timeout=10))[0]
        note = await database_sync_to_async(inbox_notify)(
            to_role="operator", title="Parcel stalled", body="", order_id=None, actor=TEST_ACTOR
        )
        await receive_until(ops, lambda m: m == {"type": "inbox.changed"})
        await database_sync_to_async(inbox_mark_read)(notification_id=note.pk, user=operator, roles=["operator"])
        await receive_until(ops, lambda m: m == {"type": "inbox.changed"})
        finance_got = await fin.receive_nothing(timeout=0.5)
        await ops.disconnect()
        await fin.disconnect()
        return finance_got

    assert async_to_sync(scenario)() is True


def test_kpis_changed_is_throttled_while_orders_change(channel_layer, channel, stocked):
    cookie = session_cookie(make_user("op", "operator"))

    async def scenario():
        socket = communicator((b"cookie", cookie))
        assert (await socket.connect(timeout=10))[0]
        loop = asyncio.get_running_loop()
        arrived = []
        writing = True

        async def read():  # beside the writes, so that each message is timed as it comes
            while writing or loop.time() < quiet_until:
                # (a receive that times out would cancel the consumer: look first)
                if not await socket.receive_nothing(timeout=0.02):
                    arrived.append((loop.time(), await socket.receive_json_from()))

        quiet_until = float("inf")
        reader = asyncio.ensure_future(read())
        for n in range(10):
            await database_sync_to_async(create_order)(channel, external_id=f"KPI-{n}")
            await asyncio.sleep(0.03)
        quiet_until = loop.time() + 1.5
        writing = False
        await reader
        await socket.disconnect()
        return arrived

    arrived = async_to_sync(scenario)()

    created = [at for at, m in arrived if m["type"] == "order.created"]
    kpis = [at for at, m in arrived if m == {"type": "kpis.changed"}]
    assert len(created) == 10
    assert 1 <= len(kpis) < 10  # the spacing itself: test_follower.py
    assert kpis[-1] >= created[-1] - 0.05  # the last change is announced too


@pytest.mark.postgres
def test_on_postgresql_a_notify_wakes_the_follower_long_before_its_safety_look(settings, channel, stocked):
    settings.ORDERFLOW_LIVE_SAFETY_POLL_SECONDS = 30
    cookie = session_cookie(make_user("op", "operator"))
    order = create_order(channel, external_id="LIVE-PG", status="paid")

    async def scenario():
        socket = communicator((b"cookie", cookie))
        assert (await socket.connect(timeout=10))[0]
        await asyncio.sleep(1)  # the listening connection is up (its first wake-up looked already)
        started = asyncio.get_running_loop().time()
        await database_sync_to_async(order_transition)(order_id=order.pk, to="processing", actor=TEST_ACTOR)
        await receive_until(socket, lambda m: m["type"] == "order.status_changed", timeout=5)
        waited = asyncio.get_running_loop().time() - started
        await socket.disconnect()
        return waited

    assert async_to_sync(scenario)() < 3
