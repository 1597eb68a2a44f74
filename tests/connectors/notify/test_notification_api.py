"""``/api/v1/notifications/``: the notification log, newest first, filtered, recipients masked, bodies never."""

import pytest

from connectors.notify.aliyun_sms.sandbox import AliyunSmsSimulator
from connectors.notify.channels import OutgoingMessage
from connectors.notify.models import NotificationLog
from connectors.notify.services import notification_send
from tests.factories import TEST_ACTOR, create_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def _send(connection, key, phone="13812345678", order_id=None):
    return notification_send(
        connection=connection,
        message=OutgoingMessage(recipient=phone, template="SMS_154950909", params={"number": "SO-1"}),
        idempotency_key=key,
        actor=TEST_ACTOR,
        order_id=order_id,
    )


def test_the_log_lists_newest_first_masked_without_the_message(operator_client, sms):
    first, second = _send(sms, "a"), _send(sms, "b", phone="13900001111")

    answer = operator_client.get(URL)

    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [r["id"] for r in rows] == [second.pk, first.pk]
    assert [r["recipient_masked"] for r in rows] == ["139****1111", "138****5678"]
    assert "13812345678" not in answer.content.decode() and "message_sealed" not in rows[0]
    assert rows[0]["status"] == "sent" and rows[0]["connection"] == sms.pk and rows[0]["attempts"] == 1


def test_the_log_filters_by_status_channel_order_and_connection(operator_client, sms, channel, stocked):
    order = create_order(channel)
    sent = _send(sms, "a", order_id=order.pk)
    AliyunSmsSimulator(sms).fault_set("isv.MOBILE_NUMBER_ILLEGAL")
    refused = _send(sms, "b")

    def ids(query):
        answer = operator_client.get(URL, query)
        assert answer.status_code == 200, answer.json()
        return [r["id"] for r in answer.json()["results"]]

    assert refused.status in (NotificationLog.FAILED, NotificationLog.DEAD)
    assert ids({"status": "sent"}) == [sent.pk]
    assert ids({"status": refused.status}) == [refused.pk]
    assert ids({"order": order.pk}) == [sent.pk]
    assert ids({"channel": "sms", "connection": sms.pk}) == [refused.pk, sent.pk]
    assert ids({"connection": sms.pk + 1000}) == []


@pytest.mark.parametrize(
    "query, field",
    [
        ({"status": "delivered"}, "status"),
        ({"channel": "pigeon"}, "channel"),
        ({"order": "abc"}, "order"),
        ({"order": "0"}, "order"),
        ({"connection": "-1"}, "connection"),
        ({"channel": "s" * 1000}, "channel"),  # inside the URL limit (past it: 414)
    ],
)
def test_bad_filters_are_refused_by_name(operator_client, query, field):
    answer = operator_client.get(URL, query)

    assert answer.status_code == 400
    assert field in answer.json()["details"]
