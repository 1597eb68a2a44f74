"""A local WeChat Pay API v3: transaction query, domestic refunds, and the notifications WeChat Pay sends.

HTTP (``handle``, reached through ``connectors.sandbox.SandboxAdapter`` at ``base_url``):
``GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…``,
``POST /v3/refund/domestic/refunds`` (idempotent on ``out_refund_no``: the money moves once, a repeat
answers the refund already made; refunds never pass the paid total) and
``GET /v3/refund/domestic/refunds/{out_refund_no}``. The merchant's ``Authorization`` signature is
checked with the test merchant public key (else 401 ``SIGN_ERROR``); every answer is signed with the
synthetic TEST-ONLY platform key (``fixtures/sandbox/``) exactly as notifications are.

``pay(out_trade_no, amount)`` makes the transaction ``SUCCESS`` and returns the signed
``TRANSACTION.SUCCESS`` notification (resource encrypted with the connection's APIv3 key) — or
``None`` with ``drop_notify``. ``probe()`` is WeChat's ``WECHATPAY/SIGNTEST/`` probe.

State: ``SandboxRecord`` kinds ``wechat_trade`` (key out_trade_no), ``wechat_refund`` (key
out_refund_no), ``wechat_fault``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlencode

import requests
from django.db import transaction

from ...models import Connection, SandboxRecord
from ...sandbox import SimRequest, SimResponse, WebhookCall
from . import bill as wechat_bill
from . import signing
from .client import DEFAULT_BASE_URL, wechatpay_credentials, yuan_to_fen

KEYS = Path(__file__).parent / "fixtures" / "sandbox"
PLATFORM_SERIAL = "PUB_KEY_ID_0000000000000000000000000000"
SANDBOX_CREDENTIALS = {
    "mchid": "1900000100",
    "merchant_serial_no": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    "merchant_private_key": (KEYS / "merchant_private_key_TESTONLY.pem").read_text(),
    "apiv3_key": "TestAPIv3Key0123456789abcdefABCD",
    "platform_public_key": (KEYS / "synthetic_platform_public_key_TESTONLY.pem").read_text(),
    "platform_serial": PLATFORM_SERIAL,
    "base_url": DEFAULT_BASE_URL,
}
TRADE = "wechat_trade"
REFUND = "wechat_refund"
FAULT = "wechat_fault"
REFUND_TIMEOUT = "refund_timeout"
BILL_NOT_READY = "bill_not_ready"  # the tradebill answers NO_STATEMENT_EXIST (not generated yet)
CHINA = timezone(timedelta(hours=8))
TRADE_PATH = "/v3/pay/transactions/out-trade-no/"
REFUNDS_PATH = "/v3/refund/domestic/refunds"
TRADEBILL_PATH = "/v3/bill/tradebill"
DOWNLOAD_PATH = "/v3/billdownload/file"
BILL_EXTRA = "wechat_bill_line"  # a line the bill shows that no trade made (tests craft bills with them)
APPID = "wxd678efh567hg6787"
PAYER_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def sandbox_openid(appid: str, buyer: str) -> str:
    """A stable openid of the form WeChat issues (``o`` + 27 base64url characters) for ``buyer``
    under ``appid``: different for each app, as WeChat's are."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(f"{appid}:{buyer}".encode()).digest()).decode()
    return "o" + digest[:27]


def _now() -> str:
    return datetime.now(CHINA).replace(microsecond=0).isoformat()


class WechatPaySimulator:
    def __init__(self, connection: Connection):
        self.connection = connection
        credentials = wechatpay_credentials(connection)
        self.base_url = str(credentials.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
        self.mchid = str(credentials.get("mchid") or SANDBOX_CREDENTIALS["mchid"])
        self.apiv3_key = str(credentials.get("apiv3_key") or SANDBOX_CREDENTIALS["apiv3_key"])
        self.platform_key = signing.private_key((KEYS / "synthetic_platform_private_key_TESTONLY.pem").read_text())
        self.merchant_public_key = signing.public_key((KEYS / "merchant_public_key_TESTONLY.pem").read_text())

    # -- what the buyer and the tests do -------------------------------------------------------

    def pay(
        self,
        out_trade_no: str,
        amount: Decimal | str,
        *,
        drop_notify: bool = False,
        appid: str = APPID,
        openid: str = PAYER_OPENID,
        trade_type: str = "NATIVE",
    ) -> WebhookCall | None:
        """The buyer pays: ``openid`` is who they are to ``appid`` (a JSAPI payment inside a service
        account's pages names the service account; a mini-program's payment, the mini-program)."""
        trade = {
            "appid": appid,
            "mchid": self.mchid,
            "out_trade_no": out_trade_no,
            "transaction_id": "4200" + "".join(secrets.choice("0123456789") for _ in range(24)),
            "trade_type": trade_type,
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "attach": "",
            "success_time": _now(),
            "payer": {"openid": openid},
            "amount": {
                "total": yuan_to_fen(Decimal(str(amount))),
                "payer_total": yuan_to_fen(Decimal(str(amount))),
                "currency": "CNY",
                "payer_currency": "CNY",
            },
            "refunded": 0,
        }
        SandboxRecord.objects.update_or_create(
            connection=self.connection, kind=TRADE, key=out_trade_no, defaults={"data": trade}
        )
        call = self.notify(out_trade_no)
        return None if drop_notify else call

    def trade_data(self, out_trade_no: str) -> dict | None:
        record = SandboxRecord.objects.filter(connection=self.connection, kind=TRADE, key=out_trade_no).first()
        return record.data if record else None

    def refunds(self) -> list[dict]:
        return [r.data for r in SandboxRecord.objects.filter(connection=self.connection, kind=REFUND)]

    def notify(self, out_trade_no: str, *, event_id: str | None = None, **overrides) -> WebhookCall:
        trade = {k: v for k, v in (self.trade_data(out_trade_no) or {}).items() if k != "refunded"}
        trade.update(overrides)
        return self._signed_event("TRANSACTION.SUCCESS", "支付成功", "transaction", trade, event_id)

    def _signed_event(
        self, event_type: str, summary: str, original_type: str, resource: dict, event_id: str | None
    ) -> WebhookCall:
        """A notification as WeChat Pay sends it: the resource AES-256-GCM encrypted, the body signed."""
        nonce = secrets.token_hex(6)
        body = {
            "id": event_id or str(uuid.uuid4()),
            "create_time": _now(),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": signing.encrypt(
                    self.apiv3_key, nonce, json.dumps(resource, ensure_ascii=False).encode(), original_type
                ),
                "associated_data": original_type,
                "nonce": nonce,
            },
        }
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return WebhookCall(headers={"Content-Type": "application/json", **self.signed_headers(raw)}, body=raw)

    def refund_notify(self, out_refund_no: str, *, event_id: str | None = None) -> WebhookCall:
        """The signed ``REFUND.SUCCESS`` notification of a refund the sandbox made."""
        refund = SandboxRecord.objects.get(connection=self.connection, kind=REFUND, key=out_refund_no).data
        resource = {
            "mchid": self.mchid,
            "out_trade_no": refund["out_trade_no"],
            "transaction_id": refund["transaction_id"],
            "out_refund_no": out_refund_no,
            "refund_id": refund["refund_id"],
            "refund_status": refund["status"],
            "success_time": refund["success_time"],
            "user_received_account": refund["user_received_account"],
            "amount": {k: refund["amount"][k] for k in ("total", "refund", "payer_total", "payer_refund")},
        }
        return self._signed_event("REFUND.SUCCESS", "退款成功", "refund", resource, event_id)

    def probe(self) -> WebhookCall:
        call = self.notify("probe", event_id=str(uuid.uuid4()))
        headers = {**call.headers, "Wechatpay-Signature": signing.PROBE_PREFIX + secrets.token_hex(16)}
        return WebhookCall(headers=headers, body=call.body)

    def fault_set(self, fault: str, *, on: bool = True) -> None:
        if on:
            SandboxRecord.objects.get_or_create(connection=self.connection, kind=FAULT, key=fault)
        else:
            SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=fault).delete()

    def signed_headers(self, body: bytes, *, stamp: int | None = None) -> dict[str, str]:
        timestamp = str(stamp if stamp is not None else int(time.time()))
        nonce = secrets.token_hex(16).upper()
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signing.sign(self.platform_key, signing.message(timestamp, nonce, body)),
            "Wechatpay-Serial": PLATFORM_SERIAL,
            "Wechatpay-Signature-Type": signing.SIGNATURE_TYPE,
            "Request-ID": str(uuid.uuid4()),
        }

    # -- the API ---------------------------------------------------------------------------------

    def answer(self, status: int, payload: dict) -> SimResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return SimResponse(status, body, {"Content-Type": "application/json", **self.signed_headers(body)})

    def _authorized(self, request: SimRequest) -> bool:
        fields = signing.authorization_fields(request.headers.get("Authorization", ""))
        if not fields or fields.get("mchid") != self.mchid:
            return False
        path = request.url[len(self.base_url) :] if request.url.startswith(self.base_url) else request.path
        data = signing.request_message(
            request.method, path, fields.get("timestamp", ""), fields.get("nonce_str", ""), request.body
        )
        return signing.verify(self.merchant_public_key, data, fields.get("signature", ""))

    def handle(self, request: SimRequest) -> SimResponse:
        if not self._authorized(request):
            return self.answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        if request.method == "GET" and request.path == TRADEBILL_PATH:
            return self.tradebill(request)
        if request.method == "GET" and request.path == DOWNLOAD_PATH:
            return self.bill_download(request)
        if request.method == "GET" and request.path.startswith(TRADE_PATH):
            trade = self.trade_data(unquote(request.path[len(TRADE_PATH) :]))
            if trade is None:
                return self.answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            return self.answer(200, {k: v for k, v in trade.items() if k != "refunded"})
        if request.method == "POST" and request.path == REFUNDS_PATH:
            try:
                body = json.loads(request.body)
            except ValueError:
                return self.answer(400, {"code": "PARAM_ERROR", "message": "请求体不是 JSON"})
            status, answer = self.refund(body if isinstance(body, dict) else {})
            if (
                status == 200
                and SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=REFUND_TIMEOUT).exists()
            ):
                self.fault_set(REFUND_TIMEOUT, on=False)
                raise requests.ReadTimeout("the sandbox made the refund and dropped its answer")
            return self.answer(status, answer)
        if request.method == "GET" and request.path.startswith(REFUNDS_PATH + "/"):
            record = SandboxRecord.objects.filter(
                connection=self.connection, kind=REFUND, key=unquote(request.path[len(REFUNDS_PATH) + 1 :])
            ).first()
            if record is None:
                return self.answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
            return self.answer(200, record.data)
        return self.answer(404, {"code": "NOT_FOUND", "message": "无此接口"})

    def refund(self, body: dict) -> tuple[int, dict]:
        out_refund_no = str(body.get("out_refund_no", ""))
        out_trade_no = str(body.get("out_trade_no", ""))
        amount = body["amount"] if isinstance(body.get("amount"), dict) else {}
        refund = amount.get("refund")
        if not out_refund_no or not out_trade_no or not isinstance(refund, int) or refund <= 0:
            return 400, {"code": "PARAM_ERROR", "message": "参数错误"}
        with transaction.atomic():
            record = (
                SandboxRecord.objects.select_for_update()
                .filter(connection=self.connection, kind=TRADE, key=out_trade_no)
                .first()
            )
            if record is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
            done = SandboxRecord.objects.filter(connection=self.connection, kind=REFUND, key=out_refund_no).first()
            if done is not None:  # the same out_refund_no again: the refund already made, nothing moves
                return 200, done.data
            trade = record.data
            if trade["trade_state"] not in ("SUCCESS", "REFUND"):
                return 403, {"code": "TRADE_STATE_ERROR", "message": "订单状态错误"}
            if trade["refunded"] + refund > trade["amount"]["total"]:
                return 403, {"code": "NOT_ENOUGH", "message": "退款金额超过可退金额"}
            data = {
                "refund_id": "5030" + "".join(secrets.choice("0123456789") for _ in range(24)),
                "out_refund_no": out_refund_no,
                "transaction_id": trade["transaction_id"],
                "out_trade_no": out_trade_no,
                "channel": "ORIGINAL",
                "user_received_account": "支付用户零钱",
                "success_time": _now(),
                "create_time": _now(),
                "status": "SUCCESS",
                "funds_account": "AVAILABLE",
                "amount": {
                    "total": trade["amount"]["total"],
                    "refund": refund,
                    "payer_total": trade["amount"]["total"],
                    "payer_refund": refund,
                    "currency": "CNY",
                },
            }
            SandboxRecord.objects.create(connection=self.connection, kind=REFUND, key=out_refund_no, data=data)
            trade["refunded"] += refund
            trade["trade_state"] = "REFUND"
            record.data = trade
            record.save(update_fields=["data", "updated_at"])
        return 200, data

    # -- the trade bill ----------------------------------------------------------------------------

    def _bill_token(self, bill_date: str) -> str:
        return hmac.new(self.apiv3_key.encode(), f"tradebill|{bill_date}".encode(), hashlib.sha256).hexdigest()[:40]

    def tradebill(self, request: SimRequest) -> SimResponse:
        """``GET /v3/bill/tradebill``: a finished day's bill (``NO_STATEMENT_EXIST`` for today or later,
        and for any day while the ``bill_not_ready`` fault is set: WeChat Pay generates it after 10:00)."""
        try:
            day = date.fromisoformat(request.param("bill_date"))
        except ValueError:
            return self.answer(400, {"code": "PARAM_ERROR", "message": "bill_date 格式错误"})
        if request.param("bill_type", "ALL") not in ("ALL", "SUCCESS", "REFUND"):
            return self.answer(400, {"code": "PARAM_ERROR", "message": "bill_type 取值错误"})
        not_ready = SandboxRecord.objects.filter(connection=self.connection, kind=FAULT, key=BILL_NOT_READY).exists()
        if day >= datetime.now(CHINA).date() or not_ready:
            return self.answer(400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
        data = self.bill_file(day)
        query = urlencode({"token": self._bill_token(day.isoformat()), "bill_date": day.isoformat()})
        return self.answer(
            200,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(data).hexdigest(),
                "download_url": f"{self.base_url}{DOWNLOAD_PATH}?{query}",
            },
        )

    def bill_download(self, request: SimRequest) -> SimResponse:
        """The file itself: asked with the merchant's signature, answered without WeChat Pay's."""
        bill_date = request.param("bill_date")
        if not hmac.compare_digest(request.param("token"), self._bill_token(bill_date)):
            body = json.dumps({"code": "INVALID_REQUEST", "message": "token 无效"}).encode()
            return SimResponse(400, body, {"Content-Type": "application/json"})
        data = self.bill_file(date.fromisoformat(bill_date))
        return SimResponse(200, data, {"Content-Type": "application/octet-stream"})

    def bill_file(self, day: date) -> bytes:
        return wechat_bill.bill_build(self.bill_rows(day), appid=APPID, mchid=self.mchid)

    def bill_rows(self, day: date) -> list[wechat_bill.WechatBillRow]:
        """The day's lines from the sandbox's own transactions and refunds (Beijing time), plus any
        line a test added with ``bill_line_add``."""
        prefix = day.isoformat()
        rows: list[wechat_bill.WechatBillRow] = []
        for record in SandboxRecord.objects.filter(connection=self.connection, kind=TRADE).order_by("seq"):
            trade = record.data
            if not str(trade.get("success_time", "")).startswith(prefix):
                continue
            total = (Decimal(trade["amount"]["total"]) / 100).quantize(Decimal("0.01"))
            rows.append(
                wechat_bill.WechatBillRow(
                    at=_bill_time(trade["success_time"]), transaction_id=trade["transaction_id"],
                    out_trade_no=trade["out_trade_no"], state=wechat_bill.SUCCESS,
                    currency=trade["amount"].get("currency", "CNY"), settled=total, total=total,
                    subject="Orderflow", attach=str(trade.get("attach", "")), fee=f"{total * Decimal('0.006'):.5f}",
                )
            )  # fmt: skip
        for record in SandboxRecord.objects.filter(connection=self.connection, kind=REFUND).order_by("seq"):
            refund = record.data
            if not str(refund.get("success_time", "")).startswith(prefix):
                continue
            amount = (Decimal(refund["amount"]["refund"]) / 100).quantize(Decimal("0.01"))
            total = (Decimal(refund["amount"]["total"]) / 100).quantize(Decimal("0.01"))
            rows.append(
                wechat_bill.WechatBillRow(
                    at=_bill_time(refund["success_time"]), transaction_id=refund["transaction_id"],
                    out_trade_no=refund["out_trade_no"], state=wechat_bill.REFUND, currency="CNY",
                    settled=Decimal("0.00"), total=total, refund_id=refund["refund_id"],
                    out_refund_no=refund["out_refund_no"], refund=amount, refund_asked=amount,
                    refund_status="SUCCESS", subject="Orderflow", fee=f"{-amount * Decimal('0.006'):.5f}",
                )
            )  # fmt: skip
        for record in SandboxRecord.objects.filter(
            connection=self.connection, kind=BILL_EXTRA, key__startswith=prefix
        ).order_by("seq"):
            data = record.data
            refund = data["state"] == wechat_bill.REFUND
            amount = Decimal(data["amount"])
            rows.append(
                wechat_bill.WechatBillRow(
                    at=data["at"], transaction_id=data["transaction_id"], out_trade_no=data["out_trade_no"],
                    state=data["state"], currency=data["currency"],
                    settled=Decimal("0.00") if refund else amount, total=amount,
                    refund_id=data.get("refund_id", ""), out_refund_no=data.get("out_refund_no", ""),
                    refund=amount if refund else Decimal("0.00"), refund_asked=amount if refund else Decimal("0.00"),
                    refund_status="SUCCESS" if refund else "", subject="Orderflow", attach=data.get("attach", ""),
                    fee="0.00000",
                )
            )  # fmt: skip
        return sorted(rows, key=lambda r: (r.at, r.transaction_id, r.out_refund_no))

    def bill_line_add(
        self,
        *,
        at: datetime,
        out_trade_no: str,
        amount: Decimal | str,
        refund: bool = False,
        out_refund_no: str = "",
        attach: str = "",
        currency: str = "CNY",
    ) -> None:
        """A line the day's bill shows that no transaction of the sandbox made (tests craft bills)."""
        local = at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        transaction_id = "4200" + "".join(secrets.choice("0123456789") for _ in range(24))
        SandboxRecord.objects.create(
            connection=self.connection,
            kind=BILL_EXTRA,
            key=f"{local[:10]}|{transaction_id}",
            data={
                "at": local,
                "transaction_id": transaction_id,
                "out_trade_no": out_trade_no,
                "state": wechat_bill.REFUND if refund else wechat_bill.SUCCESS,
                "currency": currency,
                "amount": f"{Decimal(str(amount)):.2f}",
                "refund_id": "5030" + transaction_id[4:] if refund else "",
                "out_refund_no": out_refund_no,
                "attach": attach,
            },
        )


def _bill_time(rfc3339: str) -> str:
    """``2024-05-01T10:00:00+08:00`` → ``2024-05-01 10:00:00`` (the bill's Beijing time)."""
    return datetime.fromisoformat(rfc3339).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
