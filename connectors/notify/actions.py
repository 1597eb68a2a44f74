"""The notification actions flows can use: one per channel, and ``notify.send`` with a fallback order.

Each names a connection (by id) of its channel and a recipient, usually a template such as
``{{ order.customer.phone }}`` — the runner renders every param with the engine's safe templating
before the action sees it, so the service does not render again. They are external (the network):
called with no transaction open.

The notification's idempotency key is ``<execution id>:<node id>`` (``run.key``): a step retried
after its worker died — its send committed as ``sent`` — finds the log row and sends nothing. The
provider's failures are not the step's: a failed send is left to the notification retry queue (a
fixed interval, ``retry_interval_seconds`` and ``max_retries`` per node) and the step succeeds with
``status: failed`` (being retried); a refusal for good (``dead``) fails the step, terminally.
A recipient or channel over its rate limit is skipped (``status: skipped``), not retried.

``notify.send`` tries its ``channels`` in order (e.g. WeChat template → SMS): a channel that fails
hands over to the next at once, and only the last one is retried by the queue; only the last one's
death emits ``notification.failed``.

**The WeChat recipient.** An openid belongs to one WeChat app, so a WeChat node left without an
``openid`` addresses the context order's customer by the openid they have with *the connection's*
appid (``CustomerWechatIdentity``, from WeChat Pay payments and own-store orders). A customer with
none for that app — none at all, or only a mini-program's when the connection is a service account —
is ``skipped`` with the ``reason`` in the output, and ``notify.send`` moves on to its next channel.
Openids never enter the flow's context: the node's output shows the recipient masked.

**Once per something.** ``once_per`` (e.g. ``{{ order.id }}``) makes the notification's key
``once:<flow>:<node>:<value>`` instead of the execution's: however many events run the flow (every
tracking scan of a parcel), one message goes out per value — the unique key, not a check, decides.
"""

from __future__ import annotations

import hashlib

from builder.catalog import ActionSpec, ConnectorSpec, register_connector
from commerce.customers.selectors import customer_wechat_appids, customer_wechat_openid
from commerce.orders.selectors import order_customer_id
from core.errors import DomainError
from runtime.actions import register
from runtime.actions.base import Action, ActionRun, object_schema, step_failure
from runtime.actions.work import context_order_id
from runtime.errors import TerminalFailure
from runtime.models import Execution

from ..base import NOTIFY
from ..models import Connection
from ..services.connections import connection_credentials
from .channels import (
    CHANNEL_NAMES,
    CHANNELS_BUILT,
    CONNECTOR_OF,
    DINGTALK,
    EMAIL,
    MARKDOWN,
    SMS,
    TEXT,
    WECHAT,
    WECOM,
)
from .channels import OutgoingMessage as Message
from .errors import NotificationRateLimited
from .masking import mask_recipient
from .models import NotificationLog
from .services import notification_send

GROUP = "notify"

_CONNECTION = {"type": "integer", "minimum": 1, "description": "The connection (its id) to send through."}
_RETRY = {
    "retry_interval_seconds": {
        "type": "integer",
        "minimum": 60,
        "maximum": 86400,
        "description": "A failed send is tried again after this many seconds (300 by default).",
    },
    "max_retries": {"type": "integer", "minimum": 0, "maximum": 10, "description": "At most this many times (3)."},
    "marketing": {"type": "boolean", "description": "A marketing message: held back during quiet hours."},
    "once_per": {
        "type": "string",
        "maxLength": 200,
        "description": "Send at most once per this value for this flow, e.g. {{ order.id }}: one message per order.",
    },
}
_VARIABLES = {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 20}
# What each channel's node takes besides the connection; the recipient is templated.
CHANNEL_PARAMS: dict[str, dict] = {
    SMS: {
        "phone": {"type": "string", "minLength": 1, "maxLength": 200, "description": "e.g. {{ order.customer.phone }}"},
        "template_code": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Aliyun TemplateCode"},
        "variables": _VARIABLES,
        "text": {"type": "string", "maxLength": 500, "description": "The message as the customer reads it (log)."},
    },
    WECHAT: {
        "openid": {
            "type": "string",
            "maxLength": 200,
            "description": "Leave empty for the order's customer: their openid with this connection's WeChat app.",
        },
        "template_id": {"type": "string", "minLength": 1, "maxLength": 64},
        "variables": _VARIABLES,
        "url": {"type": "string", "maxLength": 512},
    },
    WECOM: {
        "text": {"type": "string", "minLength": 1, "maxLength": 4096},
        "format": {"type": "string", "enum": [TEXT, MARKDOWN]},
        "mention_mobiles": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 20},
    },
    DINGTALK: {
        "text": {"type": "string", "minLength": 1, "maxLength": 20000},
        "title": {"type": "string", "maxLength": 100},
        "format": {"type": "string", "enum": [TEXT, MARKDOWN]},
        "mention_mobiles": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 20},
    },
    EMAIL: {
        "to": {"type": "string", "minLength": 3, "maxLength": 500},
        "subject": {"type": "string", "minLength": 1, "maxLength": 200},
        "text": {"type": "string", "minLength": 1, "maxLength": 100_000},
    },
}
REQUIRED = {
    SMS: ("phone", "template_code"),
    WECHAT: ("template_id",),
    WECOM: ("text",),
    DINGTALK: ("text",),
    EMAIL: ("to", "subject", "text"),
}
OUTPUT = object_schema(
    {
        "notification_id": {"type": ["integer", "null"]},
        "channel": {"type": "string"},
        "recipient": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "sent", "failed", "dead", "skipped"]},
        "attempts": {"type": "integer"},
        "reason": {"type": "string"},
    }
)


def message_of(channel: str, params: dict) -> Message:
    variables = {str(k): str(v) for k, v in (params.get("variables") or {}).items()}
    mentions = tuple(params.get("mention_mobiles") or ())
    if channel == SMS:
        return Message(
            recipient=params["phone"], template=params["template_code"], params=variables, text=params.get("text", "")
        )
    if channel == WECHAT:
        return Message(
            recipient=params["openid"], template=params["template_id"], params=variables, url=params.get("url", "")
        )
    if channel == EMAIL:
        return Message(recipient=params["to"], subject=params["subject"], text=params["text"])
    return Message(
        recipient="",
        text=params["text"],
        subject=params.get("title", ""),
        format=params.get("format", TEXT),
        mentions=mentions,
    )


def _connection(channel: str, connection_id: int) -> Connection:
    connection = Connection.objects.filter(pk=connection_id, connector=CONNECTOR_OF[channel], enabled=True).first()
    if connection is None:
        raise TerminalFailure(
            "no_notify_connection", f"connection {connection_id} is not an enabled {CHANNEL_NAMES[channel]} connection"
        )
    return connection


def _output(channel: str, log: NotificationLog | None, recipient: str, status: str = "", reason: str = "") -> dict:
    return {
        "notification_id": log.pk if log else None,
        "channel": channel,
        "recipient": log.recipient_masked if log else mask_recipient(recipient),
        "status": status or (log.status if log else "skipped"),
        "attempts": log.attempts if log else 0,
        **({"reason": reason} if reason else {}),
    }


def _customer_id(run: ActionRun) -> int | None:
    order = run.context.get("order")
    customer = order.get("customer") if isinstance(order, dict) else None
    found = customer.get("id") if isinstance(customer, dict) else None
    if isinstance(found, int) and not isinstance(found, bool):
        return found
    order_id = context_order_id(run)
    return order_customer_id(order_id=order_id) if order_id is not None else None


def customer_openid(connection: Connection, run: ActionRun) -> tuple[str, str]:
    """``(openid, "")`` of the context's customer with the connection's WeChat app, or ``("", why not)``."""
    appid = str(connection_credentials(connection).get("appid") or "")
    customer_id = _customer_id(run)
    if customer_id is None:
        return "", "no customer in the context to address"
    openid = customer_wechat_openid(customer_id=customer_id, appid=appid)
    if openid:
        return openid, ""
    others = customer_wechat_appids(customer_id=customer_id)
    if others:
        return "", (
            f"the customer has no openid for WeChat app {appid}, only for {', '.join(others)} "
            "(an openid is per app: a mini-program's cannot receive this account's template messages)"
        )
    return "", f"the customer has no openid for WeChat app {appid} (no WeChat payment or mini-program order seen)"


def once_key(params: dict, run: ActionRun) -> str | None:
    """``once:<flow>:<node>:<value>`` for a node with ``once_per`` in a real run, else None."""
    value = str(params.get("once_per") or "").strip()
    if not value or run.execution_id is None:
        return None
    flow_id = Execution.objects.filter(pk=run.execution_id).values_list("flow_id", flat=True).first()
    if len(value) > 64:
        value = hashlib.sha256(value.encode()).hexdigest()
    return f"once:{flow_id}:{run.node_id}:{value}"


def _send(channel: str, params: dict, run: ActionRun, *, key: str, last: bool = True) -> dict:
    connection = _connection(channel, params["connection"])
    if channel == WECHAT and not str(params.get("openid") or "").strip():
        openid, reason = customer_openid(connection, run)
        if not openid:
            return _output(channel, None, "", "skipped", reason)
        params = {**params, "openid": openid}
    message = message_of(channel, params)
    try:
        log = notification_send(
            connection=connection,
            message=message,
            idempotency_key=key,
            actor=run.actor,
            order_id=context_order_id(run),
            marketing=bool(params.get("marketing", False)),
            max_retries=params.get("max_retries") if last else 0,
            retry_interval_seconds=params.get("retry_interval_seconds"),
            announce_failure=last,
        )
    except NotificationRateLimited:
        return _output(channel, None, message.recipient, "skipped")
    except DomainError as exc:
        raise step_failure(exc) from None
    return _output(channel, log, message.recipient)


class NotifyChannel(Action):
    external = True
    channel: str = ""

    def perform(self, params: dict, run: ActionRun) -> dict:
        output = _send(self.channel, params, run, key=once_key(params, run) or run.key)
        if output["status"] == NotificationLog.DEAD:
            log = NotificationLog.objects.get(pk=output["notification_id"])
            raise TerminalFailure("notification_dead", f"the message was refused: {log.last_error}")
        return output

    def preview(self, params: dict, run: ActionRun) -> dict:
        recipient = params.get("openid") or "" if self.channel == WECHAT else message_of(self.channel, params).recipient
        return {
            "would": self.spec.key,
            "channel": self.channel,
            "recipient": mask_recipient(recipient) if recipient else "the order's customer",
        }


def _channel_action(channel: str, key: str, name_en: str, name_zh: str, icon: str, contacts_customer: bool):
    spec = ActionSpec(
        key=key,
        name_en=name_en,
        name_zh=name_zh,
        description_en=f"Sends a message through a {name_en} connection; a failed send is retried by the queue.",
        description_zh=f"通过{CHANNEL_NAMES[channel]}连接发送消息；发送失败由重试队列定时重发。",
        connector=GROUP,
        group=GROUP,
        icon=icon,
        contacts_customer=contacts_customer,
        params_schema=object_schema(
            {
                # The editor's connection picker offers only this channel's connections.
                "connection": {
                    **_CONNECTION,
                    "x-picker": "connection",
                    "x-picker-filter": {"connector": CONNECTOR_OF[channel]},
                },
                **CHANNEL_PARAMS[channel],
                **_RETRY,
            },
            required=("connection", *REQUIRED[channel]),
        ),
        output_schema=OUTPUT,
    )
    return type(f"Notify{channel.title()}", (NotifyChannel,), {"channel": channel, "spec": spec})()


NOTIFY_SMS = _channel_action(SMS, "notify.sms", "SMS", "发送短信", "message", True)
NOTIFY_WECHAT = _channel_action(WECHAT, "notify.wechat", "WeChat template message", "微信模板消息", "wechat", True)
NOTIFY_WECOM = _channel_action(WECOM, "notify.wecom", "WeCom group robot", "企业微信群通知", "robot", False)
NOTIFY_DINGTALK = _channel_action(DINGTALK, "notify.dingtalk", "DingTalk group robot", "钉钉群通知", "robot", False)
NOTIFY_EMAIL = _channel_action(EMAIL, "notify.email", "E-mail", "发送邮件", "mail", True)

_ATTEMPT = {
    "type": "object",
    "required": ["channel", "connection"],
    "properties": {"channel": {"type": "string", "enum": list(CHANNELS_BUILT)}, "connection": _CONNECTION},
    "description": "One channel to try, with that channel's params (phone, template_code, openid…).",
}


class NotifySend(Action):
    """Tries ``channels`` in order until one is sent (or queued for retry, for the last)."""

    external = True
    spec = ActionSpec(
        key="notify.send",
        name_en="Notify with fallback",
        name_zh="多渠道通知（失败自动切换）",
        description_en="Tries each channel in order (e.g. WeChat template, then SMS) until one is sent.",
        description_zh="按顺序尝试各渠道（如先微信模板消息、再短信），直到一个发送成功。",
        connector=GROUP,
        group=GROUP,
        icon="send",
        contacts_customer=True,
        params_schema=object_schema(
            {"channels": {"type": "array", "items": _ATTEMPT, "minItems": 1, "maxItems": 4}, **_RETRY},
            required=("channels",),
        ),
        output_schema=object_schema({"sent_via": {"type": ["string", "null"]}, "attempts": {"type": "array"}}),
    )

    def perform(self, params: dict, run: ActionRun) -> dict:
        tried = []
        channels = params["channels"]
        key = once_key(params, run) or run.key
        for index, attempt in enumerate(channels):
            channel = attempt["channel"]
            missing = [name for name in REQUIRED[channel] if not attempt.get(name)]
            if missing:
                raise TerminalFailure("invalid_param", f"channels/{index}: {channel} needs {', '.join(missing)}")
            last = index == len(channels) - 1
            merged = {**{k: v for k, v in params.items() if k != "channels"}, **attempt}
            output = _send(channel, merged, run, key=f"{key}:{index}", last=last)
            tried.append(output)
            if output["status"] in (NotificationLog.SENT, NotificationLog.QUEUED) or (
                last and output["status"] == NotificationLog.FAILED
            ):
                return {"sent_via": channel, "attempts": tried}
        if tried and tried[-1]["status"] == NotificationLog.DEAD:
            raise TerminalFailure("notification_dead", "every channel refused the message")
        return {"sent_via": None, "attempts": tried}

    def preview(self, params: dict, run: ActionRun) -> dict:
        return {"would": self.spec.key, "channels": [a["channel"] for a in params["channels"]]}


# Only the actions of channels with a connector are offered: a node the palette shows must be able to
# run (channels.CHANNELS_BUILT).
_BY_CHANNEL = {
    SMS: NOTIFY_SMS,
    WECHAT: NOTIFY_WECHAT,
    WECOM: NOTIFY_WECOM,
    DINGTALK: NOTIFY_DINGTALK,
    EMAIL: NOTIFY_EMAIL,
}
NOTIFY_ACTIONS = (*(_BY_CHANNEL[channel] for channel in CHANNELS_BUILT), NotifySend())


def register_notify_actions() -> None:
    register_connector(ConnectorSpec(key=GROUP, name_en="Notifications", name_zh="消息通知", kind=NOTIFY))
    for action in NOTIFY_ACTIONS:
        register(action)
