"""WeChat template messages: the access-token lifecycle (kept, expired, refused and refreshed once),
deduplication on client_msg_id, the error mapping, and the sandbox round trip through the log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ProviderError
from connectors.notify.actions import NOTIFY_WECHAT
from connectors.notify.channels import OutgoingMessage
from connectors.notify.models import NotificationLog, ProviderAccessToken
from connectors.notify.services import notification_send, provider_idempotency_key
from connectors.notify.wechat_mp.client import TOKEN_MARGIN
from connectors.notify.wechat_mp.sandbox import SANDBOX_CREDENTIALS, WeChatMpSimulator
from connectors.services.connections import connection_client, connection_test
from tests.connectors.notify.conftest import sandbox_connection
from tests.connectors.notify.test_notify_actions import _run
from tests.factories import TEST_ACTOR

pytestmark = pytest.mark.django_db

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz0"


@pytest.fixture
def wechat(db):
    return sandbox_connection("wechat_mp", "服务号")


def _message(openid=OPENID):
    return OutgoingMessage(
        recipient=openid, template="TPL_shipped", params={"number": "SO-1", "courier": "顺丰"}, url="https://x.cn/o/1"
    )


def test_a_template_message_goes_through_the_sandbox_with_its_client_msg_id(wechat):
    receipt = connection_client(wechat).send(_message(), idempotency_key="a" * 32)

    assert receipt.message_id
    assert WeChatMpSimulator(wechat).messages() == [
        {
            "touser": OPENID,
            "template_id": "TPL_shipped",
            "url": "https://x.cn/o/1",
            "data": {"number": {"value": "SO-1"}, "courier": {"value": "顺丰"}},
            "client_msg_id": "a" * 32,
        }
    ]


def test_the_token_is_kept_sealed_and_shared_until_its_margin(wechat):
    simulator = WeChatMpSimulator(wechat)
    connection_client(wechat).send(_message(), idempotency_key="k1")
    connection_client(wechat).send(_message(), idempotency_key="k2")  # another client: another process

    assert simulator.tokens_issued() == 1
    kept = ProviderAccessToken.objects.get(connection=wechat)
    assert kept.expires_at > timezone.now() + timedelta(hours=1)
    client = connection_client(wechat)
    assert client.access_token() not in kept.token_sealed

    # Within the margin of its expiry the token is replaced before a send can be refused with it.
    near_expiry = kept.expires_at - TOKEN_MARGIN + timedelta(seconds=1)
    client.access_token(now=near_expiry)
    assert simulator.tokens_issued() == 2


@pytest.mark.parametrize("spoil", ["token_expire", "token_revoke"])
def test_a_refused_token_is_refreshed_once_and_the_send_retried(wechat, spoil):
    simulator = WeChatMpSimulator(wechat)
    client = connection_client(wechat)
    client.send(_message(), idempotency_key="first")
    getattr(simulator, spoil)()  # 42001 expired / 40001 not the latest

    client.send(_message(), idempotency_key="second")

    assert simulator.tokens_issued() == 2
    assert [m["client_msg_id"] for m in simulator.messages()] == ["first", "second"]


def test_a_token_refused_again_after_the_refresh_is_not_retried_twice(wechat):
    simulator = WeChatMpSimulator(wechat)
    simulator.fault_set(40001, times=2)

    with pytest.raises(ProviderError) as refused:
        connection_client(wechat).send(_message(), idempotency_key="k")

    assert refused.value.code == "40001"
    assert simulator.tokens_issued() == 2  # the first, and one refresh
    assert simulator.messages() == []


def test_wechat_drops_a_repeated_client_msg_id(wechat):
    simulator = WeChatMpSimulator(wechat)
    first = connection_client(wechat).send(_message(), idempotency_key="same")
    again = connection_client(wechat).send(_message(), idempotency_key="same")
    other = connection_client(wechat).send(_message("oOtherOpenid000000000000000"), idempotency_key="same")

    assert first.message_id == again.message_id != other.message_id
    assert len(simulator.messages()) == 2


@pytest.mark.parametrize(("errcode", "retryable"), [(45009, True), (-1, True), (43004, False), (40037, False)])
def test_the_error_codes_map_to_retryable_or_terminal(wechat, errcode, retryable):
    WeChatMpSimulator(wechat).fault_set(errcode, times=1)

    with pytest.raises(ProviderError) as refused:
        connection_client(wechat).send(_message(), idempotency_key="k")

    assert (refused.value.code, refused.value.retryable) == (str(errcode), retryable)


def test_a_follower_who_left_is_refused_for_good(wechat):
    WeChatMpSimulator(wechat).unsubscribe(OPENID)

    with pytest.raises(ProviderError) as refused:
        connection_client(wechat).send(_message(), idempotency_key="k")

    assert (refused.value.code, refused.value.retryable) == ("43004", False)


def test_a_wrong_secret_fails_the_connection_test_without_naming_the_secret(wechat):
    assert connection_test(connection_id=wechat.pk).ok

    client = connection_client(wechat)
    client.secret = "wrong-secret-0000000000"
    with pytest.raises(ProviderError) as refused:
        client.token_refresh()
    assert (refused.value.code, refused.value.retryable) == ("40125", False)
    assert client.secret not in refused.value.message
    assert SANDBOX_CREDENTIALS["secret"] not in repr(client)


def test_a_resend_after_a_lost_attempt_carries_the_same_client_msg_id_and_is_dropped(wechat, quiet_never):
    log = notification_send(connection=wechat, message=_message(), idempotency_key="41:tell", actor=TEST_ACTOR)
    # The worker died after WeChat took the message: the row is queued again, its lease passed.
    NotificationLog.objects.filter(pk=log.pk).update(status=NotificationLog.QUEUED, lease_until=None)

    again = notification_send(connection=wechat, message=_message(), idempotency_key="41:tell", actor=TEST_ACTOR)

    assert (again.status, again.attempts) == ("sent", 2)
    messages = WeChatMpSimulator(wechat).messages()
    assert [m["client_msg_id"] for m in messages] == [provider_idempotency_key(log)]


def test_the_wechat_action_sends_once_per_node(wechat):
    params = {"connection": wechat.pk, "openid": OPENID, "template_id": "TPL_1", "variables": {"number": "SO-1"}}

    first = NOTIFY_WECHAT.perform(params, _run())
    again = NOTIFY_WECHAT.perform(params, _run())

    assert first == again
    assert (first["status"], first["channel"], first["recipient"]) == ("sent", "wechat", "oAbC****xYz0")
    assert len(WeChatMpSimulator(wechat).messages()) == 1
