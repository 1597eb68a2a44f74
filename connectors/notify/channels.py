"""The notification channels: their names, their length limits, and what a channel's client is asked to send.

Each channel is one connector (``connectors/notify/<name>/``) whose client answers
``send(message, idempotency_key=…) -> SendReceipt`` and raises ``ProviderError`` (retryable or
terminal) when the provider refuses or cannot be reached. ``idempotency_key`` is stable across every
attempt of one notification: a provider that deduplicates on a key of the caller's (WeChat's
``client_msg_id``, an e-mail's ``Message-ID``) receives it, so a resend after a crash is dropped there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

SMS = "sms"
WECHAT = "wechat"
WECOM = "wecom"
DINGTALK = "dingtalk"
EMAIL = "email"
CHANNELS = (SMS, WECHAT, WECOM, DINGTALK, EMAIL)
CHANNEL_NAMES = {
    SMS: "短信",
    WECHAT: "微信模板消息",
    WECOM: "企业微信群机器人",
    DINGTALK: "钉钉群机器人",
    EMAIL: "邮件",
}

# The connector of each channel (``connectors/registry.py``).
CONNECTOR_OF = {
    SMS: "aliyun_sms",
    WECHAT: "wechat_mp",
    WECOM: "wecom_robot",
    DINGTALK: "dingtalk_robot",
    EMAIL: "email",
}
CHANNEL_OF = {connector: channel for channel, connector in CONNECTOR_OF.items()}
# The channels whose connector exists, and so whose actions the catalog offers (every one, now).
CHANNELS_BUILT = (SMS, WECHAT, WECOM, DINGTALK, EMAIL)

CHARS = "chars"
BYTES = "bytes"  # WeCom and DingTalk count a message's UTF-8 bytes


@dataclass(frozen=True)
class LengthLimit:
    maximum: int
    unit: str = CHARS

    def measure(self, text: str) -> int:
        return len(text.encode()) if self.unit == BYTES else len(text)


# What each provider accepts at most for one message's text: an Aliyun long SMS is cut at 500
# characters; WeCom's robot takes 2048 bytes of text (4096 of markdown: the smaller is kept);
# DingTalk's robot 20000 bytes; a WeChat template message's values together are kept under 1000.
LENGTH_LIMITS = {
    SMS: LengthLimit(500),
    WECHAT: LengthLimit(1000),
    WECOM: LengthLimit(2048, BYTES),
    DINGTALK: LengthLimit(20000, BYTES),
    EMAIL: LengthLimit(100_000),
}
# Aliyun refuses a template variable longer than 35 characters (isv.PARAM_LENGTH_LIMIT).
SMS_PARAM_MAX = 35

TEXT = "text"
MARKDOWN = "markdown"


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a channel's client sends it. ``recipient`` is a phone number (SMS), an openid
    (WeChat), an e-mail address, or empty for a group robot (its webhook is the recipient).
    ``template`` is the provider's template (Aliyun TemplateCode, WeChat template_id) and
    ``params`` its variables; ``text`` is the message itself where the channel sends text."""

    recipient: str
    text: str = ""
    template: str = ""
    params: dict = field(default_factory=dict)
    subject: str = ""
    format: str = TEXT
    url: str = ""
    mentions: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "recipient": self.recipient,
            "text": self.text,
            "template": self.template,
            "params": self.params,
            "subject": self.subject,
            "format": self.format,
            "url": self.url,
            "mentions": list(self.mentions),
        }

    @classmethod
    def from_dict(cls, data: dict) -> OutgoingMessage:
        return cls(**{**data, "mentions": tuple(data.get("mentions", ()))})


@dataclass(frozen=True)
class SendReceipt:
    """The provider accepted the message: its id for it (``BizId``, ``msgid``…) and its answer."""

    message_id: str
    response: dict


class Sender(Protocol):
    def send(self, message: OutgoingMessage, *, idempotency_key: str) -> SendReceipt: ...


@runtime_checkable
class SentLookup(Protocol):
    """A client that can ask its provider whether a message sent under ``idempotency_key`` since
    ``since`` was accepted (Aliyun SMS: ``QuerySendDetails`` by ``OutId``). For providers that
    deduplicate nothing, this is what keeps a resend after a lost outcome from repeating a message."""

    def sent_lookup(self, message: OutgoingMessage, *, idempotency_key: str, since: datetime) -> SendReceipt | None: ...


def rendered_text(message: OutgoingMessage) -> str:
    """The text the length limit counts: the text, else the template's variables one after another."""
    if message.text:
        return message.text
    return "".join(str(value) for value in message.params.values())
