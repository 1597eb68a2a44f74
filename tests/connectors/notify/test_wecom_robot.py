"""WeCom group robot: the webhook round trip through the sandbox, its errors, and the action."""

import pytest

from connectors.base import ProviderError
from connectors.notify.actions import NOTIFY_WECOM
from connectors.notify.channels import MARKDOWN, OutgoingMessage
from connectors.notify.wecom_robot.sandbox import WeComRobotSimulator
from connectors.services.connections import connection_client, connection_test
from tests.connectors.notify.conftest import sandbox_connection
from tests.connectors.notify.test_notify_actions import _run

pytestmark = pytest.mark.django_db


@pytest.fixture
def wecom(db):
    return sandbox_connection("wecom_robot", "仓库群")


def test_text_with_mentions_and_markdown_go_through_the_sandbox(wecom):
    client = connection_client(wecom)

    text = client.send(OutgoingMessage(recipient="", text="SO-1 超时", mentions=("13800138000",)), idempotency_key="a")
    client.send(OutgoingMessage(recipient="", text="## 超时\n> SO-1", format=MARKDOWN), idempotency_key="b")

    assert text.response == {"errcode": 0, "errmsg": "ok"}
    assert WeComRobotSimulator(wecom).messages() == [
        {"msgtype": "text", "text": {"content": "SO-1 超时", "mentioned_mobile_list": ["13800138000"]}},
        {"msgtype": "markdown", "markdown": {"content": "## 超时\n> SO-1"}},
    ]


def test_an_invalid_key_is_terminal_and_never_named_in_the_error(wecom):
    client = connection_client(wecom)
    client.key = "not-the-robot-s-key-0000"

    with pytest.raises(ProviderError) as refused:
        client.send(OutgoingMessage(recipient="", text="x"), idempotency_key="k")

    assert (refused.value.code, refused.value.retryable) == ("93000", False)
    assert client.key not in refused.value.message
    assert "key" not in repr(client)


def test_the_rate_limit_is_retryable(wecom):
    WeComRobotSimulator(wecom).fault_set(45009)

    with pytest.raises(ProviderError) as limited:
        connection_client(wecom).send(OutgoingMessage(recipient="", text="x"), idempotency_key="k")

    assert (limited.value.code, limited.value.retryable) == ("45009", True)


def test_test_connection_posts_to_the_sandbox(wecom):
    assert connection_test(connection_id=wecom.pk).ok
    assert len(WeComRobotSimulator(wecom).messages()) == 1


def test_the_wecom_action_posts_once_per_node(wecom):
    params = {"connection": wecom.pk, "text": "SO-1 已超时", "mention_mobiles": ["13800138000"]}

    first = NOTIFY_WECOM.perform(params, _run())
    again = NOTIFY_WECOM.perform(params, _run())

    assert first == again
    assert (first["status"], first["channel"]) == ("sent", "wecom")
    assert len(WeComRobotSimulator(wecom).messages()) == 1
