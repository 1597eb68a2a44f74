"""The notify actions: registered, sending once per node through the sandbox, and the classic recipe
through the real dispatcher — one SMS even when the parcel's "signed" push is delivered five times."""

import pytest
from django.utils import timezone

from builder.catalog import action_spec
from commerce.orders.models import Order
from connectors.notify.actions import NOTIFY_SMS, NotifySend
from connectors.notify.aliyun_sms.sandbox import AliyunSmsSimulator
from connectors.notify.models import NotificationLog
from connectors.sandbox import sandbox_outage_set
from runtime.actions import handler_for
from runtime.actions.base import ActionRun
from runtime.dispatch import outbox_drain
from runtime.errors import TerminalFailure
from runtime.models import Execution
from tests.connectors.couriers.conftest import kuaidi100_fixture, post_form
from tests.factories import TEST_ACTOR
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _run(node_id="tell", execution_id=41, order_id=None):
    return ActionRun(
        execution_id=execution_id,
        node_id=node_id,
        key=f"{execution_id}:{node_id}",
        actor=TEST_ACTOR,
        context={"order": {"id": order_id}} if order_id else {},
        now=timezone.now(),
    )


def _sms_params(sms, phone="13812345678"):
    return {"connection": sms.pk, "phone": phone, "template_code": "SMS_1", "variables": {"number": "SO-1"}}


def test_every_channel_s_action_is_registered_and_the_customer_facing_ones_rate_limited():
    keys = ["notify.sms", "notify.wechat", "notify.wecom", "notify.dingtalk", "notify.email", "notify.send"]

    assert [handler_for(key).spec.key for key in keys] == keys
    assert [action_spec(key).contacts_customer for key in keys] == [True, True, False, False, True, True]
    assert all(action_spec(key).connector == "notify" for key in keys)
    channel_enum = action_spec("notify.send").params_schema["properties"]["channels"]["items"]["properties"]["channel"]
    assert channel_enum["enum"] == ["sms", "wechat", "wecom", "dingtalk", "email"]


def test_the_sms_action_retried_after_a_crash_sends_nothing_again(sms):
    first = NOTIFY_SMS.perform(_sms_params(sms), _run())

    again = NOTIFY_SMS.perform(_sms_params(sms), _run())  # the runner's retry: the receipt was lost

    assert (
        first
        == again
        == {
            "notification_id": NotificationLog.objects.get().pk,
            "channel": "sms",
            "recipient": "138****5678",
            "status": "sent",
            "attempts": 1,
        }
    )
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_a_failed_send_is_left_to_the_queue_with_the_node_s_interval(sms):
    sandbox_outage_set(sms, down=True)

    output = NOTIFY_SMS.perform({**_sms_params(sms), "retry_interval_seconds": 120, "max_retries": 2}, _run())

    log = NotificationLog.objects.get()
    assert output["status"] == "failed"
    assert (log.retry_interval_seconds, log.max_retries) == (120, 2)


def test_a_refused_number_fails_the_step_terminally(sms):
    with pytest.raises(TerminalFailure) as failed:
        NOTIFY_SMS.perform(_sms_params(sms, phone="12345"), _run())

    assert failed.value.code == "notification_dead"


def test_a_connection_of_another_channel_is_refused(sms):
    with pytest.raises(TerminalFailure) as failed:
        handler_for("notify.dingtalk").perform({"connection": sms.pk, "text": "t"}, _run())

    assert failed.value.code == "no_notify_connection"


def test_notify_send_falls_back_to_the_next_channel_and_only_the_last_is_announced(sms):
    from tests.connectors.notify.conftest import sandbox_connection

    backup = sandbox_connection("aliyun_sms", "备用短信")
    sandbox_outage_set(sms, down=True)
    params = {"channels": [{"channel": "sms", **_sms_params(sms)}, {"channel": "sms", **_sms_params(backup)}]}

    output = NotifySend().perform(params, _run())

    assert output["sent_via"] == "sms"
    assert [a["status"] for a in output["attempts"]] == ["dead", "sent"]
    assert list(NotificationLog.objects.order_by("id").values_list("idempotency_key", "announce_failure")) == [
        ("41:tell:0", False),
        ("41:tell:1", True),
    ]
    assert len(AliyunSmsSimulator(backup).messages()) == 1


def test_notify_send_falls_back_from_wechat_to_sms_when_the_follower_left(sms):
    from connectors.notify.wechat_mp.sandbox import WeChatMpSimulator
    from tests.connectors.notify.conftest import sandbox_connection

    wechat = sandbox_connection("wechat_mp", "服务号")
    WeChatMpSimulator(wechat).unsubscribe("oAbCdEfGhIjKlMnOpQrStUvWxYz0")
    params = {
        "channels": [
            {
                "channel": "wechat",
                "connection": wechat.pk,
                "openid": "oAbCdEfGhIjKlMnOpQrStUvWxYz0",
                "template_id": "TPL_shipped",
                "variables": {"number": "SO-1"},
            },
            {"channel": "sms", **_sms_params(sms)},
        ]
    }

    output = NotifySend().perform(params, _run())

    assert output["sent_via"] == "sms"
    assert [(a["channel"], a["status"]) for a in output["attempts"]] == [("wechat", "dead"), ("sms", "sent")]
    assert NotificationLog.objects.get(channel="wechat").last_error.startswith("43004")
    assert WeChatMpSimulator(wechat).messages() == []
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_the_classic_recipe_texts_the_customer_once_for_five_signed_pushes(sms, kuaidi100, parcel, shipped_order):
    flow = publish(
        event_flow(
            "shipment.signed",
            [
                action("complete", "order.transition", {"to": "completed", "reason": "parcel signed for"}),
                action(
                    "text",
                    "notify.sms",
                    {
                        "connection": sms.pk,
                        "phone": "{{ order.customer.phone }}",
                        "template_code": "SMS_154950909",
                        "variables": {"number": "{{ order.number }}"},
                    },
                ),
            ],
        )
    )
    post_form("kuaidi100", kuaidi100, kuaidi100_fixture("push.polling"))
    outbox_drain(run_inline=10)

    for _ in range(5):
        post_form("kuaidi100", kuaidi100, kuaidi100_fixture("push.shutdown"))
        outbox_drain(run_inline=10)

    assert Order.objects.get(pk=shipped_order.pk).status == "completed"
    assert Execution.objects.get(flow=flow).status == "succeeded"
    messages = AliyunSmsSimulator(sms).messages()
    assert [(m["phone"], m["template"], m["params"]) for m in messages] == [
        ("13800138000", "SMS_154950909", {"number": shipped_order.number})
    ]
    log = NotificationLog.objects.get()
    assert (log.status, log.order_id, log.recipient_masked) == ("sent", shipped_order.pk, "138****8000")


SERVICE_APPID = "wx0rderf10wsandbox"  # the wechat_mp sandbox connection's appid
MINI_APPID = "wx5f3c9a1b2d4e6f70"


def _customer_order():
    from tests.factories import ChannelFactory, ProductFactory, StockItemFactory, create_order

    ProductFactory(sku="TEA-001")
    StockItemFactory(sku="TEA-001", on_hand=10)
    return create_order(ChannelFactory(code="own"))


def _wechat_first(wechat, sms):
    return {
        "channels": [
            {"channel": "wechat", "connection": wechat.pk, "template_id": "TPL_shipped", "variables": {"n": "1"}},
            {"channel": "sms", **_sms_params(sms)},
        ]
    }


def test_wechat_without_an_openid_addresses_the_customer_by_the_openid_of_the_connection_s_app(sms):
    from commerce.customers.services import customer_wechat_identity_record
    from connectors.notify.wechat_mp.sandbox import WeChatMpSimulator
    from tests.connectors.notify.conftest import sandbox_connection

    wechat = sandbox_connection("wechat_mp", "服务号")
    order = _customer_order()
    for appid, openid in (
        (MINI_APPID, "oMiniProgram0000000000000001"),
        (SERVICE_APPID, "oServiceAcct0000000000000001"),
    ):
        customer_wechat_identity_record(customer_id=order.customer_id, appid=appid, openid=openid, source="wechatpay")

    output = NotifySend().perform(_wechat_first(wechat, sms), _run(order_id=order.pk))

    assert output["sent_via"] == "wechat"
    assert output["attempts"][0]["recipient"] == "oSer****0001"
    assert [m["touser"] for m in WeChatMpSimulator(wechat).messages()] == ["oServiceAcct0000000000000001"]
    assert AliyunSmsSimulator(sms).messages() == []


def test_a_customer_known_only_to_the_mini_program_gets_the_sms_with_the_reason_recorded(sms):
    from commerce.customers.services import customer_wechat_identity_record
    from connectors.notify.wechat_mp.sandbox import WeChatMpSimulator
    from tests.connectors.notify.conftest import sandbox_connection

    wechat = sandbox_connection("wechat_mp", "服务号")
    order = _customer_order()
    customer_wechat_identity_record(
        customer_id=order.customer_id, appid=MINI_APPID, openid="oMiniProgram0000000000000001", source="own_store"
    )

    output = NotifySend().perform(_wechat_first(wechat, sms), _run(order_id=order.pk))

    assert output["sent_via"] == "sms"
    skipped = output["attempts"][0]
    assert (skipped["channel"], skipped["status"], skipped["notification_id"]) == ("wechat", "skipped", None)
    assert skipped["reason"].startswith(
        f"the customer has no openid for WeChat app {SERVICE_APPID}, only for {MINI_APPID}"
    )
    assert "oMini" not in str(output)
    assert WeChatMpSimulator(wechat).messages() == []
    assert len(AliyunSmsSimulator(sms).messages()) == 1


def test_once_per_sends_one_message_however_many_executions_run_the_node(sms):
    from tests.runtime.conftest import event_flow, publish

    flow = publish(event_flow("order.paid", [action("tell", "notify.sms", _sms_params(sms))]))
    executions = [
        Execution.objects.create(
            flow=flow, flow_version=flow.current_version, context={}, trigger_type="event", subject_key=f"k{n}"
        )
        for n in range(3)
    ]

    outputs = [
        NOTIFY_SMS.perform({**_sms_params(sms), "once_per": "42"}, _run(execution_id=execution.pk))
        for execution in executions
    ]

    assert {o["notification_id"] for o in outputs} == {NotificationLog.objects.get().pk}
    assert NotificationLog.objects.get().idempotency_key == f"once:{flow.pk}:tell:42"
    assert len(AliyunSmsSimulator(sms).messages()) == 1
