"""A local Alipay gateway: answers ``gateway.do`` as Alipay does and makes the notifies Alipay sends.

HTTP (``handle``, reached through ``connectors.sandbox.SandboxAdapter`` at the gateway's origin):
``POST /gateway.do`` with the signed common parameters. The request's signature is checked with the
test app's public key (``fixtures/sandbox/app_public_key.pem``) — a connection whose app key was
changed gets Alipay's ``isv.invalid-signature`` — and every answer is signed with the test
"Alipay" private key (``ali_private_key.pem``, fzlee/alipay's test certs, TEST-ONLY) over the exact
text of ``<method>_response`` it sends. Methods: ``alipay.trade.query``, ``alipay.trade.refund``
(idempotent on ``out_trade_no`` + ``out_request_no``: the money moves once, a repeat answers
``fund_change: N``; refunds never pass the paid amount) and ``alipay.trade.fastpay.refund.query``.

State lives in ``SandboxRecord`` rows of the connection: kind ``alipay_trade`` (key: out_trade_no),
``alipay_refund`` (key: out_trade_no|out_request_no), ``alipay_fault`` (failures on demand).

``pay(out_trade_no, amount)`` is the buyer paying: the trade becomes ``TRADE_SUCCESS`` and the signed
``trade_status_sync`` notify is returned as a ``WebhookCall`` — or ``None`` with ``drop_notify``,
a callback lost on the way (the payment sweep must find the payment by itself).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from django.db import transaction

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from . import bill as alipay_bill
from . import signing
from .client import BILL_URL_QUERY, CHINA, DEFAULT_GATEWAY, QUERY, REFUND, REFUND_QUERY, alipay_credentials

KEYS = Path(__file__).parent / "fixtures" / "sandbox"
SANDBOX_APP_ID = "2021000000000000"
SELLER_ID = "2088102177000000"
SANDBOX_CREDENTIALS = {
    "app_id": SANDBOX_APP_ID,
    "app_private_key": (KEYS / "app_private_key.pem").read_text(),
    "alipay_public_key": (KEYS / "ali_public_key.pem").read_text(),
    "sign_type": "RSA2",
    "gateway_url": DEFAULT_GATEWAY,
}
TRADE = "alipay_trade"
REFUND_RECORD = "alipay_refund"
FAULT = "alipay_fault"
REFUND_TIMEOUT = "refund_timeout"  # the refund is made, then the answer is lost (a client timeout)
QUERY_DOWN = "query_down"  # trade queries answer 503
BILL_NOT_READY = "bill_not_ready"  # the bill download query answers isp.bill_not_exist (not published yet)
BILL_HOST = "http://dwbillcenter.alipay.com"
BILL_PATH = "/downloadBillFile.resource"
BILL_TOKEN_SECONDS = 30  # Alipay's download URLs expire within seconds
BILL_EXTRA = "alipay_bill_line"  # a line the bill shows that no trade made (tests craft bills with them)


def _now() -> str:
    return datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")


class AlipaySimulator:
    def __init__(self, connection: Connection):
        self.connection = connection
        credentials = alipay_credentials(connection)
        parts = urlsplit(str(credentials.get("gateway_url") or DEFAULT_GATEWAY))
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.other_base_urls = (BILL_HOST,)
        self.app_id = str(credentials.get("app_id") or SANDBOX_APP_ID)
        self.alipay_key = signing.private_key((KEYS / "ali_private_key.pem").read_text())
        self.app_public_key = signing.public_key((KEYS / "app_public_key.pem").read_text())

    # -- what the buyer and the tests do -------------------------------------------------------

    def pay(self, out_trade_no: str, amount: Decimal | str, *, drop_notify: bool = False) -> WebhookCall | None:
        """The buyer pays ``amount`` for the trade: it becomes ``TRADE_SUCCESS``; returns the signed notify."""
        amount = f"{Decimal(str(amount)):.2f}"
        now = _now()
        trade = {
            "trade_no": "2024" + "".join(secrets.choice("0123456789") for _ in range(24)),
            "out_trade_no": out_trade_no,
            "trade_status": "TRADE_SUCCESS",
            "total_amount": amount,
            "gmt_create": now,
            "send_pay_date": now,
            "refunded": "0.00",
        }
        SandboxRecord.objects.update_or_create(
            connection=self.connection, kind=TRADE, key=out_trade_no, defaults={"data": trade}
        )
        call = self.notify(out_trade_no)
        return None if drop_notify else call

    def close(self, out_trade_no: str, amount: Decimal | str = "0.00") -> None:
        """The trade is closed unpaid (``TRADE_CLOSED``)."""
        SandboxRecord.objects.update_or_create(
            connection=self.connection,
            kind=TRADE,
            key=out_trade_no,
            defaults={
                "data": {
                    "trade_no": "",
                    "out_trade_no": out_trade_no,
                    "trade_status": "TRADE_CLOSED",
                    "total_amount": f"{Decimal(str(amount)):.2f}",
                    "refunded": "0.00",
                }
            },
        )

    def notify(self, out_trade_no: str, *, notify_id: str | None = None, **overrides: str) -> WebhookCall:
        """The ``trade_status_sync`` notify of the trade as it stands, signed (rule V1)."""
        trade = self.trade_data(out_trade_no) or {}
        params = {
            "notify_time": _now(),
            "notify_type": signing.TRADE_STATUS_SYNC,
            "notify_id": notify_id or "2024" + secrets.token_hex(15),
            "app_id": self.app_id,
            "auth_app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": trade.get("trade_no", ""),
            "out_trade_no": out_trade_no,
            "buyer_id": "2088102177846880",
            "buyer_logon_id": "buy***@example.com",
            "seller_id": SELLER_ID,
            "trade_status": trade.get("trade_status", "WAIT_BUYER_PAY"),
            "total_amount": trade.get("total_amount", "0.00"),
            "receipt_amount": trade.get("total_amount", "0.00"),
            "buyer_pay_amount": trade.get("total_amount", "0.00"),
            "gmt_create": trade.get("gmt_create", _now()),
            "gmt_payment": trade.get("send_pay_date", ""),
            "fund_bill_list": json.dumps(
                [{"amount": trade.get("total_amount", "0.00"), "fundChannel": "ALIPAYACCOUNT"}], separators=(",", ":")
            ),
            **overrides,
        }
        params["sign"] = signing.notify_sign(params, self.alipay_key)
        return WebhookCall(
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            body=urlencode(params).encode(),
        )

    def fault_set(self, fault: str, *, on: bool = True) -> None:
        if on:
            SandboxRecord.objects.get_or_create(connection=self.connection, kind=FAULT, key=fault)
        else:
            SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=fault).delete()

    def trade_data(self, out_trade_no: str) -> dict | None:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=TRADE, key=out_trade_no).first()
        return record.data if record else None

    def refunds(self, out_trade_no: str) -> list[dict]:
        return [
            r.data
            for r in SandboxRecord.objects.filter(
                connection=self.connection, kind=REFUND_RECORD, key__startswith=f"{out_trade_no}|"
            )
        ]

    # -- the gateway ---------------------------------------------------------------------------

    def _fault(self, fault: str) -> bool:
        return SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=fault).exists()

    def answer(self, method: str, payload: dict) -> SimResponse:
        body = signing.response_sign(payload, method, self.alipay_key)
        return SimResponse(200, body, {"Content-Type": "text/html;charset=utf-8"})

    def handle(self, request: SimRequest) -> SimResponse:
        if request.url.startswith(BILL_HOST + "/"):
            return self.bill_download(request)
        if request.method != "POST" or request.path != "/gateway.do":
            return SimResponse(404, b"Not Found", {"Content-Type": "text/plain"})
        try:
            params = request.form()
        except UnicodeDecodeError:
            params = {}
        method = params.get("method", "")
        if method not in (QUERY, REFUND, REFUND_QUERY, BILL_URL_QUERY):
            error = {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}
            return SimResponse.json(200, {"error_response": error})
        if params.get("app_id") != self.app_id or not signing.rsa_verify(
            self.app_public_key, signing.request_content(params), params.get("sign", "")
        ):
            return self.answer(
                method,
                {
                    "code": "40002",
                    "msg": "Invalid Arguments",
                    "sub_code": "isv.invalid-signature",
                    "sub_msg": "验签出错",
                },
            )
        try:
            biz = json.loads(params.get("biz_content", "{}"))
        except ValueError:
            biz = None
        if method == BILL_URL_QUERY and isinstance(biz, dict):
            return self.answer(method, self.bill_url(biz))
        if not isinstance(biz, dict) or not biz.get("out_trade_no"):
            return self.answer(method, {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.missing-biz"})
        if method == QUERY:
            if self._fault(QUERY_DOWN):
                return SimResponse(503, b"Service Unavailable", {"Content-Type": "text/plain"})
            return self.answer(method, self.query(biz))
        if method == REFUND:
            answer = self.refund(biz)
            if self._fault(REFUND_TIMEOUT):
                self.fault_set(REFUND_TIMEOUT, on=False)  # one lost answer, then the gateway answers again
                raise requests.ReadTimeout("the sandbox made the refund and dropped its answer")
            return self.answer(method, answer)
        return self.answer(method, self.refund_query(biz))

    def query(self, biz: dict) -> dict:
        trade = self.trade_data(str(biz["out_trade_no"]))
        if trade is None:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_NOT_EXIST",
                "sub_msg": "交易不存在",
            }
        answer = {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "trade_status": trade["trade_status"],
            "total_amount": trade["total_amount"],
            "buyer_logon_id": "buy***@example.com",
            "buyer_user_id": "2088102177846880",
        }
        if trade.get("send_pay_date"):
            answer["send_pay_date"] = trade["send_pay_date"]
            answer["receipt_amount"] = trade["total_amount"]
            answer["buyer_pay_amount"] = trade["total_amount"]
        return answer

    def refund(self, biz: dict) -> dict:
        out_trade_no = str(biz["out_trade_no"])
        out_request_no = str(biz.get("out_request_no") or out_trade_no)
        try:
            amount = Decimal(str(biz.get("refund_amount")))
        except ArithmeticError:
            return {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-refund-amount"}
        with transaction.atomic():
            record = (
                SandboxRecord.objects.select_for_update()
                .filter(connection=self.connection, kind=TRADE, key=out_trade_no)
                .first()
            )
            if record is None:
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
            trade = record.data
            done = SandboxRecord.objects.filter(
                connection=self.connection, kind=REFUND_RECORD, key=f"{out_trade_no}|{out_request_no}"
            ).first()
            base = {
                "code": "10000",
                "msg": "Success",
                "trade_no": trade["trade_no"],
                "out_trade_no": out_trade_no,
                "buyer_logon_id": "buy***@example.com",
                "buyer_user_id": "2088102177846880",
            }
            if done is not None:  # the same request again: Alipay answers it, and moves nothing
                return {**base, "fund_change": "N", "refund_fee": trade["refunded"], "gmt_refund_pay": done.data["at"]}
            if trade["trade_status"] not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
            refunded = Decimal(trade["refunded"]) + amount
            if amount <= 0 or refunded > Decimal(trade["total_amount"]):
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}
            at = _now()
            SandboxRecord.objects.create(
                connection=self.connection,
                kind=REFUND_RECORD,
                key=f"{out_trade_no}|{out_request_no}",
                data={"out_request_no": out_request_no, "refund_amount": f"{amount:.2f}", "at": at},
            )
            trade["refunded"] = f"{refunded:.2f}"
            if refunded == Decimal(trade["total_amount"]):
                trade["trade_status"] = "TRADE_CLOSED"
            record.data = trade
            record.save(update_fields=["data", "updated_at"])
        return {**base, "fund_change": "Y", "refund_fee": trade["refunded"], "gmt_refund_pay": at}

    def refund_query(self, biz: dict) -> dict:
        out_trade_no = str(biz["out_trade_no"])
        out_request_no = str(biz.get("out_request_no") or out_trade_no)
        done = SandboxRecord.objects.filter(
            connection=self.connection, kind=REFUND_RECORD, key=f"{out_trade_no}|{out_request_no}"
        ).first()
        answer = {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no, "out_request_no": out_request_no}
        if done is not None:
            answer.update(refund_status="REFUND_SUCCESS", refund_amount=done.data["refund_amount"])
        return answer

    # -- the trade bill ----------------------------------------------------------------------------

    def _bill_token(self, bill_date: str, stamp: str) -> str:
        key = self.app_id.encode() + b"|sandbox-bill"
        return hmac.new(key, f"{bill_date}|{stamp}".encode(), hashlib.sha256).hexdigest()[:32]

    def bill_url(self, biz: dict) -> dict:
        """``alipay.data.dataservice.bill.downloadurl.query``: a bill of a finished day, else
        ``isp.bill_not_exist`` (today's or a future day's bill does not exist yet; nor any day's
        while the ``bill_not_ready`` fault is set: Alipay publishes a day's bill in the morning)."""
        try:
            day = date.fromisoformat(str(biz.get("bill_date", "")))
        except ValueError:
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "isp.bill_date_error",
                "sub_msg": "日期格式错误",
            }
        if biz.get("bill_type") not in ("trade", "signcustomer"):
            return {"code": "40004", "msg": "Business Failed", "sub_code": "isp.bill_type_error"}
        if day >= datetime.now(CHINA).date() or self._fault(BILL_NOT_READY):
            return {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "isp.bill_not_exist",
                "sub_msg": "账单不存在",
            }
        stamp = str(int(time.time()))
        name = f"{SELLER_ID}_{day:%Y%m%d}.csv.zip"
        query = urlencode(
            {
                "bizType": "trade",
                "userId": SELLER_ID,
                "fileType": "csv.zip",
                "bizDates": f"{day:%Y%m%d}",
                "downloadFileName": name,
                "fileId": f"/trade/{SELLER_ID}/{day:%Y%m%d}.csv.zip",
                "timestamp": stamp,
                "token": self._bill_token(f"{day:%Y%m%d}", stamp),
            }
        )
        return {"code": "10000", "msg": "Success", "bill_download_url": f"{BILL_HOST}{BILL_PATH}?{query}"}

    def bill_download(self, request: SimRequest) -> SimResponse:
        day_text, stamp = request.param("bizDates"), request.param("timestamp")
        fresh = stamp.isdigit() and 0 <= time.time() - int(stamp) <= BILL_TOKEN_SECONDS
        if (
            request.path != BILL_PATH
            or not fresh
            or not hmac.compare_digest(request.param("token"), self._bill_token(day_text, stamp))
        ):
            return SimResponse(403, "下载链接已失效".encode(), {"Content-Type": "text/plain;charset=utf-8"})
        day = datetime.strptime(day_text, "%Y%m%d").date()
        name, data = alipay_bill.bill_build(SELLER_ID, day, self.bill_rows(day), exported=datetime.now(CHINA))
        return SimResponse(
            200,
            data,
            {"Content-Type": "application/oct-stream", "Content-Disposition": f"attachment;filename={name}"},
        )

    def bill_rows(self, day: date) -> list[alipay_bill.AlipayBillRow]:
        """The day's bill from the sandbox's own trades and refunds (Beijing time), plus any line a
        test added with ``bill_line_add``."""
        prefix = day.isoformat()
        rows: list[alipay_bill.AlipayBillRow] = []
        trades = {r.key: r.data for r in SandboxRecord.objects.filter(connection=self.connection, kind=TRADE)}
        for trade in trades.values():
            paid = str(trade.get("send_pay_date") or "")
            if paid.startswith(prefix) and trade.get("trade_no"):
                amount = Decimal(trade["total_amount"])
                rows.append(
                    alipay_bill.AlipayBillRow(
                        trade["trade_no"], trade["out_trade_no"], alipay_bill.TRADE, "Orderflow",
                        trade.get("gmt_create", paid), paid, amount, amount, memo=str(trade.get("memo", "")),
                    )
                )  # fmt: skip
        for record in SandboxRecord.objects.filter(connection=self.connection, kind=REFUND_RECORD).order_by("seq"):
            if not str(record.data.get("at", "")).startswith(prefix):
                continue
            out_trade_no = record.key.split("|", 1)[0]
            trade = trades.get(out_trade_no, {})
            refunded = Decimal(record.data["refund_amount"])
            rows.append(
                alipay_bill.AlipayBillRow(
                    str(trade.get("trade_no", "")), out_trade_no, alipay_bill.REFUND, "Orderflow", record.data["at"],
                    record.data["at"], Decimal(str(trade.get("total_amount", "0"))), -refunded,
                    out_request_no=record.data["out_request_no"],
                )
            )  # fmt: skip
        for record in SandboxRecord.objects.filter(
            connection=self.connection, kind=BILL_EXTRA, key__startswith=prefix
        ).order_by("seq"):
            data = record.data
            rows.append(
                alipay_bill.AlipayBillRow(
                    data["trade_no"], data["out_trade_no"], data["kind"], "Orderflow", data["at"], data["at"],
                    Decimal(data["amount"]), Decimal(data["received"]), data.get("out_request_no", ""),
                    data.get("memo", ""),
                )
            )  # fmt: skip
        return sorted(rows, key=lambda r: (r.finished, r.trade_no, r.out_request_no))

    def bill_line_add(
        self,
        *,
        at: datetime,
        out_trade_no: str,
        amount: Decimal | str,
        refund: bool = False,
        out_request_no: str = "",
        memo: str = "",
    ) -> None:
        """A line the day's bill shows that no trade of the sandbox made: a payment taken outside
        Orderflow, a refund made in the merchant console (tests craft every difference with these)."""
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        local = at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        trade_no = "2024" + "".join(secrets.choice("0123456789") for _ in range(24))
        SandboxRecord.objects.create(
            connection=self.connection,
            kind=BILL_EXTRA,
            key=f"{local[:10]}|{trade_no}",
            data={
                "trade_no": trade_no,
                "out_trade_no": out_trade_no,
                "kind": alipay_bill.REFUND if refund else alipay_bill.TRADE,
                "at": local,
                "amount": f"{amount:.2f}",
                "received": f"{-amount if refund else amount:.2f}",
                "out_request_no": out_request_no,
                "memo": memo,
            },
        )
