"""Aliyun SMS (阿里云短信, Dysmsapi 2017-05-25): ``SendSms`` as a signed RPC ``GET``.

Common parameters (``AccessKeyId``, ``Action``, ``Format=JSON``, ``RegionId``,
``SignatureMethod=HMAC-SHA1``, ``SignatureNonce``, ``SignatureVersion=1.0``, ``Timestamp`` in ISO 8601
UTC, ``Version=2017-05-25``) plus ``PhoneNumbers``, ``SignName``, ``TemplateCode`` and
``TemplateParam`` (a JSON object), signed (``signing``) and sent with ``connectors.http.TIMEOUT``.

Aliyun answers ``{"Code":"OK","BizId":…,"RequestId":…}``, or an error ``Code``. Flow control and
throttling (``isv.BUSINESS_LIMIT_CONTROL``, ``Throttling.User``…), 5xx and timeouts are retryable;
a bad number, template, signature or key (``isv.MOBILE_NUMBER_ILLEGAL``, ``isv.SMS_TEMPLATE_ILLEGAL``,
``SignatureDoesNotMatch``, ``InvalidAccessKeyId.NotFound``…) is not.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from ...base import ProviderError
from ...http import TIMEOUT
from ..channels import OutgoingMessage, SendReceipt
from . import signing

if TYPE_CHECKING:
    from ...models import Connection

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
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
        """``SendSms`` to one number. Aliyun has no idempotency key: ``OutId`` carries ours, for
        the delivery report to be matched, and deduplicates nothing."""
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


def check(client: AliyunSmsClient) -> None:
    """Test connection: ``QuerySendStatistics`` for today is the cheapest authenticated call."""
    today = datetime.now(UTC).strftime("%Y%m%d")
    client.call(
        "QuerySendStatistics", {"IsGlobe": "1", "StartDate": today, "EndDate": today, "PageIndex": "1", "PageSize": "1"}
    )
