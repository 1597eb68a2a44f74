"""DingTalk robot: the documented "加签" algorithm against a worked example, and the sandbox round trip."""

import pytest

from connectors.base import ProviderError
from connectors.notify.actions import NOTIFY_DINGTALK
from connectors.notify.channels import MARKDOWN, OutgoingMessage
from connectors.notify.dingtalk_robot import signing
from connectors.notify.dingtalk_robot.sandbox import DingTalkRobotSimulator
from connectors.services.connections import connection_client
from tests.connectors.notify.conftest import sandbox_connection
from tests.connectors.notify.test_notify_actions import _run

pytestmark = pytest.mark.django_db

# Derived from DingTalk's documented algorithm, computed independently of this code with OpenSSL:
#   printf '%s\n%s' 1577262236757 SECabc123 | openssl dgst -sha256 -hmac SECabc123 -binary | base64
TIMESTAMP = 1577262236757
SECRET = "SECabc123"
SIGNATURE = "sP2tUmwYDrLqnFjDuYnBJi0Od0TLi424Z2c6qlTmCao="


@pytest.fixture
def dingtalk(db):
    return sandbox_connection("dingtalk_robot", "运营群")


def test_the_worked_example_signs_as_computed_from_the_documented_algorithm():
    assert signing.signature(TIMESTAMP, SECRET) == SIGNATURE
    assert signing.sign(TIMESTAMP, SECRET) == "sP2tUmwYDrLqnFjDuYnBJi0Od0TLi424Z2c6qlTmCao%3D"
    assert signing.verify(str(TIMESTAMP), SECRET, SIGNATURE)


def test_a_one_byte_change_breaks_the_signature():
    assert not signing.verify(str(TIMESTAMP + 1), SECRET, SIGNATURE)
    assert not signing.verify(str(TIMESTAMP), "SECabc124", SIGNATURE)
    assert not signing.verify(str(TIMESTAMP), SECRET, "sP2tUmwYDrLqnFjDuYnBJi0Od0TLi424Z2c6qlTmCaP=")


def test_a_message_goes_through_the_sandbox_signed(dingtalk):
    receipt = connection_client(dingtalk).send(
        OutgoingMessage(
            recipient="", text="## 超时未发货\nSO-1", subject="超时", format=MARKDOWN, mentions=("13800138000",)
        ),
        idempotency_key="k",
    )

    assert receipt.response == {"errcode": 0, "errmsg": "ok"}
    assert DingTalkRobotSimulator(dingtalk).messages() == [
        {
            "msgtype": "markdown",
            "markdown": {"title": "超时", "text": "## 超时未发货\nSO-1"},
            "at": {"atMobiles": ["13800138000"], "isAtAll": False},
        }
    ]


def test_a_wrong_secret_or_a_stale_timestamp_is_refused(dingtalk):
    client = connection_client(dingtalk)
    client.secret = "SECwrong"
    with pytest.raises(ProviderError) as refused:
        client.send(OutgoingMessage(recipient="", text="x"), idempotency_key="k")
    assert (refused.value.code, refused.value.retryable) == ("310000", False)

    stale = connection_client(dingtalk)
    response = stale.session.post(stale.url(TIMESTAMP), json={"msgtype": "text", "text": {"content": "x"}})
    assert response.json() == {"errcode": 310000, "errmsg": "sign not match"}
    assert DingTalkRobotSimulator(dingtalk).messages() == []


def test_the_dingtalk_action_posts_once_per_node(dingtalk):
    params = {"connection": dingtalk.pk, "text": "SO-1 已超时"}

    first = NOTIFY_DINGTALK.perform(params, _run())
    again = NOTIFY_DINGTALK.perform(params, _run())

    assert first == again
    assert (first["status"], first["channel"], first["recipient"]) == ("sent", "dingtalk", "")
    assert len(DingTalkRobotSimulator(dingtalk).messages()) == 1
