"""``notification_send`` and the retry queue: logged before the call, sent once, retried at a fixed
interval, dead after the last retry with ``notification.failed`` emitted once; rate limits, quiet
hours, masking and the reach rate."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from builder.events import event_context_schema
from commerce.outbox.models import OutboxEvent
from connectors.notify.aliyun_sms.sandbox import AliyunSmsSimulator
from connectors.notify.channels import OutgoingMessage
from connectors.notify.errors import NotificationRateLimited, NotificationTooLong
from connectors.notify.masking import mask_recipient
from connectors.notify.models import NotificationLog
from connectors.notify.selectors import notification_reach_rate
from connectors.notify.services import notification_send, notifications_retry_due
from connectors.notify.wecom_robot.sandbox import WeComRobotSimulator
from connectors.sandbox import sandbox_outage_set
from runtime.dispatch import event_context
from tests.connectors.notify.conftest import sandbox_connection
from tests.factories import TEST_ACTOR

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def _sms(phone=PHONE, **params) -> OutgoingMessage:
    return OutgoingMessage(recipient=phone, template="SMS_154950909", params=params or {"number": "SO-1"})


def _send(connection, key="41:notify", message=None, **kwargs) -> NotificationLog:
    return notification_send(
        connection=connection, message=message or _sms(), idempotency_key=key, actor=TEST_ACTOR, **kwargs
    )


def test_a_send_is_logged_masked_and_sent_once(sms):
    log = _send(sms)

    assert (log.status, log.channel, log.recipient_masked, log.template, log.attempts) == (
        "sent",
        "sms",
        "138****5678",
        "SMS_154950909",
        1,
    )
    assert log.provider_message_id.endswith("^0")
    assert PHONE not in str(log.provider_response) and PHONE not in log.message_sealed
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_the_same_key_after_a_committed_receipt_sends_nothing_again(sms):
    first = _send(sms)

    again = _send(sms)  # the flow step retried after its worker died with the receipt committed

    assert again.pk == first.pk
    assert (again.status, again.attempts) == ("sent", 1)
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_a_queued_row_whose_attempt_was_lost_is_sent_once_its_lease_has_passed(sms):
    log = _send(sms, key="lost")  # the message reached Aliyun…
    # …and the worker died before recording it: the row is queued, its lease passed.
    NotificationLog.objects.filter(pk=log.pk).update(status="queued", lease_until=timezone.now() - timedelta(seconds=1))

    assert notifications_retry_due() == 1
    log.refresh_from_db()
    # Aliyun deduplicates nothing, but it kept our key as the message's OutId: the retry asked
    # QuerySendDetails first, found the message, and recorded it without sending it again.
    assert (log.status, log.attempts, log.provider_response["found_by"]) == ("sent", 2, "QuerySendDetails")
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_a_second_attempt_whose_first_never_reached_aliyun_sends_once(sms):
    sandbox_outage_set(sms, down=True)
    log = _send(sms, key="never-reached")
    assert log.status == "failed"
    sandbox_outage_set(sms, down=False)

    assert notifications_retry_due(now=log.next_attempt_at) == 1
    log.refresh_from_db()
    assert (log.status, log.attempts, log.provider_message_id.endswith("^0")) == ("sent", 2, True)
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_a_robot_message_whose_outcome_was_lost_is_sent_again(db):
    """The group robots can neither deduplicate nor be asked: the one window where a message repeats."""
    wecom = sandbox_connection("wecom_robot", "仓库群")
    message = OutgoingMessage(recipient="", text="库存告警：SKU-1 低于安全线")
    log = _send(wecom, key="robot-lost", message=message)
    NotificationLog.objects.filter(pk=log.pk).update(status="queued", lease_until=timezone.now() - timedelta(seconds=1))

    assert notifications_retry_due() == 1
    assert NotificationLog.objects.get(pk=log.pk).status == "sent"
    assert len(WeComRobotSimulator(wecom).messages()) == 2


def test_an_outage_is_retried_three_times_at_the_fixed_interval_then_dead_and_announced_once(sms, settings):
    settings.ORDERFLOW_NOTIFY_RETRY_SECONDS = 300
    sandbox_outage_set(sms, down=True)
    start = timezone.now()

    log = _send(sms, now=start)
    seen = [(log.status, log.attempts)]
    gaps = [(log.next_attempt_at - log.updated_at).total_seconds()]
    for _ in range(4):
        assert notifications_retry_due(now=start) == 0  # nothing is due before its interval
        start = log.next_attempt_at
        assert notifications_retry_due(now=start) == 1
        log.refresh_from_db()
        seen.append((log.status, log.attempts))
        if log.next_attempt_at:
            gaps.append((log.next_attempt_at - log.updated_at).total_seconds())
        else:
            break

    assert seen == [("failed", 1), ("failed", 2), ("failed", 3), ("dead", 4)]
    assert [round(g) for g in gaps] == [300, 300, 300]
    assert notifications_retry_due(now=start + timedelta(hours=1)) == 0
    failed = list(OutboxEvent.objects.filter(name="notification.failed"))
    assert len(failed) == 1
    assert failed[0].payload["notification"] == {
        "id": log.pk,
        "channel": "sms",
        "connection_id": sms.pk,
        "recipient": "138****5678",
        "template": "SMS_154950909",
        "status": "dead",
        "attempts": 4,
        "last_error": "http_503: Aliyun SMS answered HTTP 503",
    }
    assert AliyunSmsSimulator(sms).messages() == []


def test_a_provider_back_up_before_the_last_retry_delivers(sms):
    sandbox_outage_set(sms, down=True)
    log = _send(sms)
    sandbox_outage_set(sms, down=False)

    notifications_retry_due(now=log.next_attempt_at)

    log.refresh_from_db()
    assert (log.status, log.attempts, log.last_error) == ("sent", 2, "")
    assert not OutboxEvent.objects.filter(name="notification.failed").exists()


def test_the_interval_and_retries_come_from_the_caller(sms):
    sandbox_outage_set(sms, down=True)

    log = _send(sms, max_retries=1, retry_interval_seconds=60)
    notifications_retry_due(now=log.next_attempt_at)

    assert round((log.next_attempt_at - log.updated_at).total_seconds()) == 60
    log.refresh_from_db()
    assert (log.status, log.attempts) == ("dead", 2)


def test_an_invalid_number_dies_at_once_and_the_event_carries_the_order(sms, channel, stocked):
    from tests.factories import create_order

    order = create_order(channel, lines=(("TEA-001", 1),))

    log = _send(sms, message=_sms("12345"), order_id=order.pk)

    assert (log.status, log.attempts) == ("dead", 1)
    event = OutboxEvent.objects.get(name="notification.failed")
    assert event.payload["order"]["id"] == order.pk
    schema = Draft202012Validator(event_context_schema("notification.failed"))
    assert list(schema.iter_errors({**event_context(event), "steps": {}})) == []


def test_a_message_over_the_channel_limit_is_refused_before_anything_is_written(sms):
    with pytest.raises(NotificationTooLong):
        _send(sms, message=_sms(number="x" * 36))
    with pytest.raises(NotificationTooLong):
        _send(sms, message=OutgoingMessage(recipient=PHONE, template="SMS_1", text="字" * 501))
    with pytest.raises(NotificationTooLong):
        _send(sms, message=OutgoingMessage(recipient=PHONE, template="SMS_1", text="字" * 21), max_length=20)

    assert NotificationLog.objects.count() == 0


def test_a_recipient_gets_at_most_n_per_hour(sms, settings):
    settings.ORDERFLOW_NOTIFY_PER_RECIPIENT_PER_HOUR = 2
    _send(sms, key="a")
    _send(sms, key="b")

    with pytest.raises(NotificationRateLimited):
        _send(sms, key="c")
    _send(sms, key="d", message=_sms("13900001111"))

    assert NotificationLog.objects.count() == 3
    later = timezone.now() + timedelta(hours=1, seconds=1)
    assert _send(sms, key="e", now=later).status == "sent"


def test_a_channel_gets_at_most_n_per_minute(sms, settings):
    settings.ORDERFLOW_NOTIFY_PER_CHANNEL_PER_MINUTE = 1
    _send(sms, key="a")

    with pytest.raises(NotificationRateLimited):
        _send(sms, key="b", message=_sms("13900001111"))


def test_a_marketing_message_in_quiet_hours_waits_for_the_morning(sms, settings):
    settings.ORDERFLOW_NOTIFY_QUIET_HOURS = (21, 8)
    night = datetime(2024, 5, 1, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai

    log = _send(sms, marketing=True, now=night)
    assert notifications_retry_due(now=night + timedelta(hours=1)) == 0

    assert (log.status, log.attempts) == ("queued", 0)
    assert log.next_attempt_at == datetime(2024, 5, 2, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert AliyunSmsSimulator(sms).messages() == []
    assert notifications_retry_due(now=log.next_attempt_at) == 1
    assert NotificationLog.objects.get(pk=log.pk).status == "sent"


def test_a_service_message_is_not_held_in_quiet_hours(sms, settings):
    settings.ORDERFLOW_NOTIFY_QUIET_HOURS = (21, 8)

    log = _send(sms, now=datetime(2024, 5, 1, 14, 30, tzinfo=UTC))

    assert log.status == "sent"


@pytest.mark.parametrize(
    ("recipient", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("alice@example.com", "a***@example.com"),
        ("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUpF****eS6o"),
        ("", ""),
    ],
)
def test_recipients_are_masked(recipient, masked):
    assert mask_recipient(recipient) == masked


def test_the_reach_rate_is_sent_over_attempted(sms):
    _send(sms, key="a")
    _send(sms, key="b", message=_sms("13900001111"))
    _send(sms, key="c", message=_sms("12345"))  # dead
    sandbox_outage_set(sms, down=True)
    _send(sms, key="d", message=_sms("13900002222"))  # failed, retrying

    reach = notification_reach_rate()

    assert (reach.attempted, reach.sent, reach.rate) == (4, 2, 0.5)
    assert notification_reach_rate(channel="email").rate is None
