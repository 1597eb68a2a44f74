"""A local Aliyun SMS endpoint: verifies each request's signature and answers as Dysmsapi does.

``GET /?Action=SendSms&…`` (at ``https://dysmsapi.aliyuncs.com``): a bad signature answers
``SignatureDoesNotMatch`` (HTTP 400), an unknown ``AccessKeyId`` ``InvalidAccessKeyId.NotFound``; a
number that is not a mainland mobile ``isv.MOBILE_NUMBER_ILLEGAL``; a ``TemplateParam`` that is not
a JSON object ``isv.INVALID_JSON_PARAM``; otherwise ``{"Code":"OK","BizId":…}`` and the message is
kept (``SandboxRecord`` kind ``sms``, key ``BizId``). ``QuerySendDetails`` (``PhoneNumber``,
``SendDate`` as ``yyyyMMdd`` in Beijing time, ``PageSize`` ≤ 50, ``CurrentPage``) lists the kept
messages of that number and day as Aliyun's ``SmsSendDetailDTOs``, each delivered
(``SendStatus`` 3) with its ``OutId``. A fault set on demand (``fault_set(code)``,
e.g. ``isv.BUSINESS_LIMIT_CONTROL``) answers that code until it is cleared.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse
from . import signing
from .client import BEIJING, DEFAULT_ENDPOINT, DETAILS_PAGE_SIZE, credentials_of

SANDBOX_CREDENTIALS = {
    "access_key_id": "LTAI-orderflow-sandbox",
    "access_key_secret": "sandbox-access-key-secret-0123456789",
    "sign_name": "Orderflow",
}
MESSAGE = "sms"
FAULT = "sms_fault"
_MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
_SEND_DATE = re.compile(r"^\d{8}$")
DELIVERED = 3


class AliyunSmsSimulator:
    def __init__(self, connection: Connection):
        self.connection = connection
        credentials = credentials_of(connection)
        parts = urlsplit(str(credentials.get("endpoint") or DEFAULT_ENDPOINT))
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.access_key_id = SANDBOX_CREDENTIALS["access_key_id"]
        self.access_key_secret = SANDBOX_CREDENTIALS["access_key_secret"]

    def messages(self) -> list[dict]:
        return [r.data for r in SandboxRecord.objects.filter(connection=self.connection, kind=MESSAGE)]

    def fault_set(self, code: str, *, on: bool = True) -> None:
        if on:
            SandboxRecord.objects.get_or_create(connection=self.connection, kind=FAULT, key=code)
        else:
            SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=code).delete()

    def _error(self, code: str, message: str, status: int = 200) -> SimResponse:
        return SimResponse.json(status, {"Code": code, "Message": message, "RequestId": secrets.token_hex(8).upper()})

    def handle(self, request: SimRequest) -> SimResponse:
        params = {name: values[0] for name, values in request.query.items()}
        if request.method != "GET" or request.path not in ("", "/"):
            return SimResponse(404, b"Not Found", {"Content-Type": "text/plain"})
        if params.get("AccessKeyId") != self.access_key_id:
            return self._error("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        if not signing.verify(params, self.access_key_secret, request.method):
            return self._error("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", 400)
        action = params.get("Action")
        if action == "QuerySendStatistics":
            return SimResponse.json(200, {"Code": "OK", "Message": "OK", "Data": {"TotalSize": len(self.messages())}})
        if action == "QuerySendDetails":
            return self._send_details(params)
        if action != "SendSms":
            return self._error("InvalidAction.NotFound", "Specified api is not found.", 404)
        fault = SandboxRecord.objects.filter(connection=self.connection, kind=FAULT).first()
        if fault is not None:
            return self._error(fault.key, "The sandbox was asked to answer this.")
        phone = params.get("PhoneNumbers", "")
        if not _MOBILE.match(phone):
            return self._error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not params.get("SignName"):
            return self._error("isv.SMS_SIGNATURE_ILLEGAL", "短信签名不合法")
        if not params.get("TemplateCode"):
            return self._error("isv.SMS_TEMPLATE_ILLEGAL", "短信模板不合法")
        try:
            variables = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            variables = None
        if not isinstance(variables, dict):
            return self._error("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        biz_id = f"{secrets.randbelow(10**15):015d}^0"
        sent_at = datetime.now(BEIJING)
        SandboxRecord.objects.create(
            connection=self.connection,
            kind=MESSAGE,
            key=biz_id,
            data={
                "phone": phone,
                "sign_name": params["SignName"],
                "template": params["TemplateCode"],
                "params": variables,
                "out_id": params.get("OutId", ""),
                "send_date": sent_at.strftime("%Y%m%d"),
                "sent_at": sent_at.strftime("%Y-%m-%d %H:%M:%S"),
            },
        )
        return SimResponse.json(
            200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": secrets.token_hex(8).upper()}
        )

    def _send_details(self, params: dict[str, str]) -> SimResponse:
        phone = params.get("PhoneNumber", "")
        day = params.get("SendDate", "")
        if not _MOBILE.match(phone):
            return self._error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not _SEND_DATE.match(day):
            return self._error("isv.INVALID_PARAMETERS", "SendDate 须为 yyyyMMdd")
        try:
            page_size = int(params.get("PageSize", ""))
            page = int(params.get("CurrentPage", ""))
        except ValueError:
            return self._error("isv.INVALID_PARAMETERS", "PageSize 与 CurrentPage 须为整数")
        if not (1 <= page_size <= DETAILS_PAGE_SIZE and page >= 1):
            return self._error("isv.INVALID_PARAMETERS", "PageSize 须在 1 到 50 之间")
        sent = [m for m in self.messages() if m.get("phone") == phone and m.get("send_date") == day]
        shown = sent[(page - 1) * page_size : page * page_size]
        details = [
            {
                "PhoneNum": m["phone"],
                "SendStatus": DELIVERED,
                "ErrCode": "DELIVERED",
                "TemplateCode": m["template"],
                "Content": f"【{m['sign_name']}】" + "，".join(f"{k}:{v}" for k, v in m["params"].items()),
                "SendDate": m.get("sent_at", ""),
                "ReceiveDate": m.get("sent_at", ""),
                "OutId": m.get("out_id", ""),
            }
            for m in shown
        ]
        return SimResponse.json(
            200,
            {
                "Code": "OK",
                "Message": "OK",
                "RequestId": secrets.token_hex(8).upper(),
                "TotalCount": str(len(sent)),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
            },
        )
