"""E-mail: the sandbox's in-memory outbox, a Message-ID stable across attempts, the project's default
backend or the connection's own SMTP server, and the error mapping."""

import smtplib

import pytest
from django.core import mail

from connectors.base import ProviderError
from connectors.notify.actions import NOTIFY_EMAIL
from connectors.notify.channels import OutgoingMessage
from connectors.notify.email.client import message_id, provider_error
from connectors.notify.email.sandbox import EmailSimulator
from connectors.notify.models import NotificationLog
from connectors.notify.services import notification_send, provider_idempotency_key
from connectors.sandbox import sandbox_outage_set
from connectors.services.connections import ConnectionInput, connection_client, connection_create, connection_test
from tests.connectors.notify.conftest import sandbox_connection
from tests.connectors.notify.test_notify_actions import _run
from tests.factories import TEST_ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def email(db):
    return sandbox_connection("email", "邮件沙箱")


def _message(to="li.lei@example.com"):
    return OutgoingMessage(recipient=to, subject="您的订单已发货", text="订单 SO-1 已发货。")


def _live(**credentials):
    return connection_create(
        data=ConnectionInput(
            connector="email", name="SMTP", credentials={"from_address": "shop@example.com", **credentials}, settings={}
        )
    )


def test_a_message_lands_in_the_locmem_outbox_with_its_message_id(email):
    receipt = connection_client(email).send(_message(), idempotency_key="0123abcd")

    sent = EmailSimulator(email).messages()
    assert [(m.to, m.subject, m.body, m.from_email) for m in sent] == [
        (["li.lei@example.com"], "您的订单已发货", "订单 SO-1 已发货。", "notify@orderflow.example")
    ]
    assert sent[0].message()["Message-ID"] == "<0123abcd@orderflow.example>" == receipt.message_id


def test_the_message_id_is_the_same_on_every_attempt_of_a_notification(email, quiet_never):
    log = notification_send(connection=email, message=_message(), idempotency_key="41:mail", actor=TEST_ACTOR)
    NotificationLog.objects.filter(pk=log.pk).update(status=NotificationLog.QUEUED, lease_until=None)  # lost receipt

    notification_send(connection=email, message=_message(), idempotency_key="41:mail", actor=TEST_ACTOR)

    ids = [m.message()["Message-ID"] for m in EmailSimulator(email).messages()]
    assert ids == [message_id(provider_idempotency_key(log), "notify@orderflow.example")] * 2
    assert NotificationLog.objects.get().provider_message_id == ids[0]
    assert message_id("k", "Shop <shop@example.com>") == "<k@example.com>"


def test_an_outage_of_the_sandbox_is_retryable(email):
    sandbox_outage_set(email, down=True)

    with pytest.raises(ProviderError) as failed:
        connection_client(email).send(_message(), idempotency_key="k")

    assert (failed.value.code, failed.value.retryable) == ("unreachable", True)
    assert mail.outbox == []


def test_without_an_smtp_server_the_project_s_default_backend_sends(db):
    connection = _live()

    connection_client(connection).send(_message(), idempotency_key="k")  # the test settings' locmem backend

    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == ["<k@example.com>"]


def test_with_an_smtp_server_an_explicit_smtp_backend_is_built(db):
    client = connection_client(
        _live(smtp_host="127.0.0.1", smtp_port=9, smtp_username="shop", smtp_password="s3cret-pw", smtp_use_tls=False)
    )

    backend = client.backend()
    assert (backend.host, backend.port, backend.username, backend.password, backend.use_tls) == (
        "127.0.0.1",
        9,
        "shop",
        "s3cret-pw",
        False,
    )
    assert "s3cret-pw" not in repr(client)
    with pytest.raises(ProviderError) as failed:  # nothing listens there: refused at once
        client.send(_message(), idempotency_key="k")
    assert (failed.value.code, failed.value.retryable) == ("unreachable", True)


@pytest.mark.parametrize(
    ("exc", "code", "retryable"),
    [
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no such user")}), "recipient_refused", False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), "auth_failed", False),
        (smtplib.SMTPServerDisconnected("gone"), "disconnected", True),
        (smtplib.SMTPSenderRefused(451, b"try later", "shop@example.com"), "smtp_451", True),
        (smtplib.SMTPDataError(554, b"rejected"), "smtp_554", False),
        (TimeoutError(), "unreachable", True),
    ],
)
def test_smtp_errors_map_to_retryable_or_terminal(exc, code, retryable):
    error = provider_error(exc)
    assert (error.code, error.retryable) == (code, retryable)


def test_test_connection_of_the_sandbox_succeeds(email):
    assert connection_test(connection_id=email.pk).ok


def test_the_email_action_sends_once_per_node(email):
    params = {"connection": email.pk, "to": "li.lei@example.com", "subject": "发货通知", "text": "已发货"}

    first = NOTIFY_EMAIL.perform(params, _run())
    again = NOTIFY_EMAIL.perform(params, _run())

    assert first == again
    assert (first["status"], first["channel"], first["recipient"]) == ("sent", "email", "l***@example.com")
    assert len(EmailSimulator(email).messages()) == 1
