"""Aliyun SMS (阿里云短信, Dysmsapi 2017-05-25): ``SendSms`` as a signed RPC ``GET``.

Common parameters (``AccessKeyId``, ``Action``, ``Format=JSON``, ``RegionId``,
``SignatureMethod=HMAC-SHA1``, ``SignatureNonce``, ``SignatureVersion=1.0``, ``Timestamp`` in ISO 8601
UTC, ``Version=2017-05-25``) plus ``PhoneNumbers``, ``SignName``, ``TemplateCode`` and
``TemplateParam`` (a JSON object), signed (``signing``) and sent with ``connectors.http.TIMEOUT``.

Aliyun answers ``{"Code":"OK","BizId":…,"RequestId":…}``, or an error ``Code``. ``QuerySendDetails``
(one number, one day) lists what was sent with each message's ``OutId``: ``sent_lookup`` uses it to
learn whether an attempt whose outcome was lost reached Aliyun, before anything is sent again. Flow control and
throttling (``isv.BUSINESS_LIMIT_CONTROL``, ``Throttling.User``…), 5xx and timeouts are retryable;
a bad number, template, signature or key (``isv.MOBILE_NUMBER_ILLEGAL``, ``isv.SMS_TEMPLATE_ILLEGAL``,
``SignatureDoesNotMatch``, ``InvalidAccessKeyId.NotFound``…) is not.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from ..channels import OutgoingMessage, SendReceipt
from . import signing

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
# Aliyun dates its send records (``SendDate``, ``yyyyMMdd``) in Beijing time.
BEIJING = timezone(timedelta(hours=8))
# QuerySendDetails: at most 50 records a page; one number rarely gets more than that in a day.
DETAILS_PAGE_SIZE = 50
# SendStatus of a detail record: 1 waiting for the receipt, 2 failed, 3 delivered.
SEND_FAILED = "2"
VERSION = "2017-05-25"
RETRYABLE_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.DAY_LIMIT_CONTROL",
        "Throttling.User",
        "Throttling",
        "ServiceUnavailable",
        "InternalError",
        "isp.SYSTEM_ERROR",
        "isp.RAM_PERMISSION_DENY",
    }
)


def credentials_of(connection: Connection) -> dict[str, Any]:
    from ...services.connections import connection_credentials

    return connection_credentials(connection)


def timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AliyunSmsClient:
    def __init__(self, connection: Connection, session: requests.Session):
        credentials = credentials_of(connection)
        self.session = session
        self.access_key_id = str(credentials["access_key_id"])
        self.access_key_secret = str(credentials["access_key_secret"])
        self.sign_name = str(credentials.get("sign_name", ""))
        self.endpoint = str(credentials.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/")
        self.region = str(credentials.get("region_id") or "cn-hangzhou")

    def __repr__(self) -> str:  # never the secret
        return f"AliyunSmsClient({self.access_key_id!r})"

    def signed_params(self, action: str, params: dict[str, str], now: datetime | None = None) -> dict[str, str]:
        signed = {
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": timestamp(now),
            "Version": VERSION,
            **params,
        }
        signed["Signature"] = signing.sign(signed, self.access_key_secret)
        return signed

    def call(self, action: str, params: dict[str, str]) -> dict:
        query = "&".join(
            f"{signing.percent(k)}={signing.percent(v)}" for k, v in self.signed_params(action, params).items()
        )
        try:
            response = self.session.get(f"{self.endpoint}/?{query}", timeout=TIMEOUT)
        except requests.Timeout:
            raise ProviderError("Aliyun SMS did not answer in time", retryable=True, code="timeout") from None
        except requests.RequestException as exc:
            raise ProviderError(
                f"Aliyun SMS cannot be reached ({type(exc).__name__})", retryable=True, code="unreachable"
            ) from None
        if response.status_code >= 500:
            raise ProviderError(
                f"Aliyun SMS answered HTTP {response.status_code}", retryable=True, code=f"http_{response.status_code}"
            )
        try:
            answer = response.json()
        except ValueError:
            raise ProviderError(
                "Aliyun SMS answered something that is not JSON", retryable=True, code="bad_answer"
            ) from None
        code = str(answer.get("Code", ""))
        if code != "OK":
            message = str(answer.get("Message", ""))[:200]
            raise ProviderError(
                f"Aliyun SMS refused the message: {code} {message}".strip(),
                retryable=code in RETRYABLE_CODES,
                code=code or "refused",
            )
        return answer

    def send(self, message: OutgoingMessage, *, idempotency_key: str) -> SendReceipt:
        """``SendSms`` to one number. Aliyun has no idempotency key: ``OutId`` carries ours; it
        deduplicates nothing, but ``sent_lookup`` finds the message by it."""
        answer = self.call(
            "SendSms",
            {
                "PhoneNumbers": message.recipient,
                "SignName": str(message.params.get("_sign_name") or self.sign_name),
                "TemplateCode": message.template,
                "TemplateParam": json.dumps(
                    {k: str(v) for k, v in message.params.items() if not k.startswith("_")},
                    ensure_ascii=False,
                    separators=(",", ":"),
                ),
                "OutId": idempotency_key,
            },
        )
        return SendReceipt(
            message_id=str(answer.get("BizId", "")),
            response={
                "Code": answer.get("Code"),
                "BizId": answer.get("BizId", ""),
                "RequestId": answer.get("RequestId", ""),
            },
        )

    def sent_lookup(self, message: OutgoingMessage, *, idempotency_key: str, since: datetime) -> SendReceipt | None:
        """Whether Aliyun accepted a message with ``OutId`` = ``idempotency_key`` for this number since
        ``since``: its receipt, or ``None``. A record whose delivery failed counts as not sent.

        Reads ``QuerySendDetails`` for each Beijing day from ``since`` to today (at most two: an
        attempt is retried within hours). Raises ``ProviderError`` when Aliyun cannot say."""
        first = since.astimezone(BEIJING).date()
        today = datetime.now(BEIJING).date()
        days = [first] if first >= today else [first, today]
        for day in days:
            answer = self.call(
                "QuerySendDetails",
                {
                    "PhoneNumber": message.recipient,
                    "SendDate": day.strftime("%Y%m%d"),
                    "PageSize": str(DETAILS_PAGE_SIZE),
                    "CurrentPage": "1",
                },
            )
            for record in _details(answer):
                if record.get("OutId") == idempotency_key and str(record.get("SendStatus")) != SEND_FAILED:
                    # A detail record names no BizId: the message is known by our OutId.
                    return SendReceipt(
                        message_id=f"OutId:{idempotency_key}",
                        response={
                            "Code": "OK",
                            "found_by": "QuerySendDetails",
                            "SendDate": str(record.get("SendDate", "")),
                            "SendStatus": str(record.get("SendStatus", "")),
                        },
                    )
        return None


def _details(answer: dict) -> list[dict]:
    records = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
    return [record for record in records if isinstance(record, dict)] if isinstance(records, list) else []


def check(client: AliyunSmsClient) -> None:
    """Test connection: ``QuerySendStatistics`` for today is the cheapest authenticated call."""
    today = datetime.now(UTC).strftime("%Y%m%d")
    client.call(
        "QuerySendStatistics", {"IsGlobe": "1", "StartDate": today, "EndDate": today, "PageIndex": "1", "PageSize": "1"}
    )
