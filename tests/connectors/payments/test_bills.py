"""The gateways' trade bills: the real formats parsed from fixtures, and a day reconciled through
the sandboxes, which serve bills built from their own trades."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from commerce.payments.services import payment_attempt_create, payment_confirm
from commerce.reconciliation import categories as c
from commerce.reconciliation.models import BillLine, ReconciliationDifference
from commerce.reconciliation.services import reconciliation_run
from connectors.base import ProviderError
from connectors.models import SandboxRecord
from connectors.payments.alipay import bill as alipay_bill
from connectors.payments.alipay.sandbox import AlipaySimulator
from connectors.payments.bills import alipay_lines, wechat_lines
from connectors.payments.gateway import gateway_client
from connectors.payments.wechatpay import bill as wechat_bill
from connectors.payments.wechatpay.sandbox import WechatPaySimulator
from tests.factories import TEST_ACTOR, create_order

from .conftest import sandbox_connection

pytestmark = pytest.mark.django_db

PAYMENTS = Path(__file__).resolve().parents[3] / "connectors" / "payments"
ALIPAY_BILL = PAYMENTS / "alipay" / "fixtures" / "bill" / "20881021770000000156_20240501.csv.zip"
WECHAT_BILL = PAYMENTS / "wechatpay" / "fixtures" / "bill" / "tradebill_ALL_2024-05-01.csv"
CHINA = ZoneInfo("Asia/Shanghai")


def test_the_alipay_bill_zip_is_read_from_its_gbk_file():
    rows, summary = alipay_bill.bill_parse(ALIPAY_BILL.read_bytes())

    assert summary == {"trades": 2, "trades_received": "257.50", "refunds": 1, "refunds_received": "-20.00"}
    assert [(r.kind, r.out_trade_no, r.amount, r.received, r.out_request_no) for r in rows] == [
        ("交易", "OF2405010000000001-1", Decimal("199.00"), Decimal("199.00"), ""),
        ("交易", "ALI-MANUAL-0501", Decimal("58.50"), Decimal("58.50"), ""),
        ("退款", "OF2405010000000001-1", Decimal("199.00"), Decimal("-20.00"), "RFQ41"),
    ]
    assert rows[1].memo == "补单 OF2405010000000002"
    assert rows[2].finished_at == datetime(2024, 5, 1, 18, 20, 33, tzinfo=CHINA)
    lines = alipay_lines(rows, 3)
    assert [(line.kind, line.amount, line.out_request_no) for line in lines] == [
        ("payment", Decimal("199.00"), ""),
        ("payment", Decimal("58.50"), ""),
        ("refund", Decimal("20.00"), "RFQ41"),
    ]


def test_the_wechat_pay_bill_is_read_with_its_backticks_and_summary():
    rows, summary = wechat_bill.bill_parse(WECHAT_BILL.read_bytes())

    assert summary["总交易单数"] == "3" and summary["手续费总金额"] == "0.82000"
    assert [(r.state, r.out_trade_no, r.total, r.refund, r.out_refund_no) for r in rows] == [
        ("SUCCESS", "OF2405010000000003-1", Decimal("100.00"), Decimal("0.00"), ""),
        ("SUCCESS", "OF2405010000000004-1", Decimal("66.00"), Decimal("0.00"), ""),
        ("REFUND", "OF2405010000000003-1", Decimal("100.00"), Decimal("30.00"), "RFQ42"),
    ]
    assert rows[1].attach == "门店自提 OF2405010000000004"
    assert [(line.kind, line.amount, line.trade_no) for line in wechat_lines(rows, 4)] == [
        ("payment", Decimal("100.00"), "4200002145202405013356823641"),
        ("payment", Decimal("66.00"), "4200002145202405013356823642"),
        ("refund", Decimal("30.00"), "4200002145202405013356823641"),
    ]


def test_a_bill_whose_lines_disagree_with_its_totals_is_refused():
    text = WECHAT_BILL.read_text().replace("`3,`166.00", "`4,`166.00")
    with pytest.raises(wechat_bill.BillMalformed, match="its summary says 4"):
        wechat_bill.bill_parse(text.encode())
    rows, _summary = alipay_bill.bill_parse(ALIPAY_BILL.read_bytes())
    altered = alipay_bill.detail_text("2088", date(2024, 5, 1), rows, exported=timezone.now())
    with pytest.raises(alipay_bill.BillMalformed, match="totals say 3 and 1"):
        alipay_bill.detail_parse(altered.replace("#交易合计：2笔", "#交易合计：3笔"))
    with pytest.raises(alipay_bill.BillMalformed, match="not a ZIP"):
        alipay_bill.bill_parse(b"<html>error</html>")
    with pytest.raises(wechat_bill.BillMalformed, match="no summary"):
        wechat_bill.bill_parse(WECHAT_BILL.read_bytes().split("总交易单数".encode())[0])


def test_the_sandbox_writes_what_the_parser_reads():
    rows = [
        alipay_bill.AlipayBillRow(
            "2024A",
            "OF1-1",
            "交易",
            "茶",
            "2024-05-01 10:00:00",
            "2024-05-01 10:00:01",
            Decimal("9.90"),
            Decimal("9.90"),
        )
    ]
    _name, data = alipay_bill.bill_build("2088", date(2024, 5, 1), rows, exported=timezone.now())

    assert alipay_bill.bill_parse(data)[0] == rows


# --- a day through the sandboxes -----------------------------------------------------------------


def _yesterday() -> date:
    return timezone.now().astimezone(CHINA).date() - timedelta(days=1)


def paid_through(simulator, connection, order, *, when: datetime, billed_amount=None):
    """The buyer paid (the sandbox's trade) and Orderflow confirmed it, both at ``when``."""
    payment = payment_attempt_create(
        order_id=order.pk, gateway=connection.connector, actor=TEST_ACTOR, connection_id=connection.pk
    )
    simulator.pay(payment.out_trade_no, billed_amount or payment.amount, drop_notify=True)
    record = SandboxRecord.objects.get(connection=connection, key=payment.out_trade_no)
    local = when.astimezone(CHINA)
    if connection.connector == "alipay":
        record.data["send_pay_date"] = record.data["gmt_create"] = local.strftime("%Y-%m-%d %H:%M:%S")
    else:
        record.data["success_time"] = local.replace(microsecond=0).isoformat()
    record.save()
    payment_confirm(
        out_trade_no=payment.out_trade_no,
        gateway_trade_no="T" + payment.out_trade_no,
        amount=payment.amount,
        paid_at=when,
        actor=TEST_ACTOR,
        source="tests",
    )
    return payment


@pytest.fixture
def gateways(db):
    return sandbox_connection("alipay"), sandbox_connection("wechatpay")


def test_a_day_is_reconciled_against_both_sandboxes_bills(channel, stocked, gateways):
    alipay, wechat = gateways
    ali, wx = AlipaySimulator(alipay), WechatPaySimulator(wechat)
    day = _yesterday()
    noon = datetime.combine(day, datetime.min.time(), CHINA) + timedelta(hours=12)
    orders = [create_order(channel, external_id=f"S-{n}", lines=(("TEA-001", 1),)) for n in range(4)]
    paid_through(ali, alipay, orders[0], when=noon)
    paid_through(wx, wechat, orders[1], when=noon)
    short = paid_through(ali, alipay, orders[2], when=noon)
    SandboxRecord.objects.filter(key=short.out_trade_no).update(
        data={**SandboxRecord.objects.get(key=short.out_trade_no).data, "total_amount": "190.00"}
    )
    ali.bill_line_add(at=noon, out_trade_no="ALI-CONSOLE-1", amount="12.00", memo="店铺补款")
    wx.bill_line_add(at=noon, out_trade_no="WX-CONSOLE-9", amount="5.00", refund=True, out_refund_no="CONSOLE-R-1")
    wx.bill_line_add(at=noon, out_trade_no="WX-OFFLINE", amount="199.00", attach=f"自提 {orders[3].number}")

    record = reconciliation_run(day=day, actor=TEST_ACTOR)

    assert record.status == c.COMPLETE
    assert [(s["gateway"], s["lines"], s["error"]) for s in record.sources] == [
        ("alipay", 3, ""),
        ("wechatpay", 3, ""),
    ]
    assert record.sources[0]["summary"]["trades"] == 3
    assert record.sources[1]["summary"]["总交易单数"] == "3"
    assert BillLine.objects.filter(reconciliation_day=record).count() == 6
    found = {d.key: d.category for d in ReconciliationDifference.objects.all()}
    trade_no = BillLine.objects.get(out_trade_no="ALI-CONSOLE-1").trade_no
    assert found == {
        f"amount_mismatch:{short.out_trade_no}": c.AMOUNT_MISMATCH,
        f"missing_order:alipay:{trade_no}": c.MISSING_ORDER,
        "refunded_not_offset:wechatpay:CONSOLE-R-1": c.REFUNDED_NOT_OFFSET,
    }

    again = reconciliation_run(day=day, actor=TEST_ACTOR)
    assert again.runs == 1
    assert ReconciliationDifference.objects.count() == 3


def test_a_bill_not_made_yet_leaves_the_day_partial(channel, stocked, gateways):
    today = timezone.now().astimezone(CHINA).date()

    record = reconciliation_run(day=today, actor=TEST_ACTOR)

    assert record.status == c.PARTIAL
    assert [s["error"].split(":")[0] for s in record.sources] == ["isp.bill_not_exist", "NO_STATEMENT_EXIST"]


def test_a_wechat_pay_bill_that_does_not_match_its_hash_is_refused(gateways, monkeypatch):
    _alipay, wechat = gateways
    real = WechatPaySimulator.bill_file
    calls = iter([False, True])

    def tampered(self, day):
        data = real(self, day)
        return data + b"`1,`0.00" if next(calls) else data

    monkeypatch.setattr(WechatPaySimulator, "bill_file", tampered)

    with pytest.raises(ProviderError) as refused:
        gateway_client(wechat).bill(_yesterday())
    assert refused.value.code == "bill_hash_mismatch"


def test_an_alipay_download_link_expires(gateways, monkeypatch):
    alipay, _wechat = gateways
    client = gateway_client(alipay)
    answer = client.call(
        "alipay.data.dataservice.bill.downloadurl.query", {"bill_type": "trade", "bill_date": str(_yesterday())}
    )
    url = answer["bill_download_url"]

    assert client.session.get(url, timeout=5).status_code == 200
    forged = url.replace("token=", "token=0")
    assert client.session.get(forged, timeout=5).status_code == 403
    import time

    monkeypatch.setattr(time, "time", lambda: 10**10)
    assert client.session.get(url, timeout=5).status_code == 403


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "12元"])
def test_a_bill_amount_that_is_not_money_is_refused(amount):
    text = WECHAT_BILL.read_text().replace("`100.00,`0.00,`0,`0,`0.00", f"`{amount},`0.00,`0,`0,`0.00", 1)
    with pytest.raises(wechat_bill.BillMalformed, match="is not an amount"):
        wechat_bill.bill_parse(text.encode())
    rows, _summary = alipay_bill.bill_parse(ALIPAY_BILL.read_bytes())
    detail = alipay_bill.detail_text("2088", date(2024, 5, 1), rows, exported=timezone.now())
    with pytest.raises(alipay_bill.BillMalformed, match="is not an amount"):
        alipay_bill.detail_parse(detail.replace("199.00\t", f"{amount}\t", 1))
