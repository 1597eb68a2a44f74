"""A bill not published at 02:00: the day is partial for that source, retried hourly by the
scheduled task until the 12:00 cut-off, then incomplete with one alert to finance. Through the
real sandboxes (``bill_not_ready`` on demand)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from commerce.inbox.models import Notification
from commerce.outbox import names
from commerce.outbox.models import OutboxEvent
from commerce.reconciliation import categories as c
from commerce.reconciliation.models import ReconciliationDay, ReconciliationDifference
from commerce.reconciliation.tasks import reconciliation_daily_task
from commerce.tickets.models import Ticket
from connectors.models import SandboxRecord
from connectors.payments.alipay.sandbox import BILL_NOT_READY, AlipaySimulator
from connectors.payments.wechatpay.sandbox import WechatPaySimulator
from tests.connectors.payments.conftest import sandbox_connection
from tests.connectors.payments.test_bills import paid_through
from tests.factories import create_order

from .helpers import CHINA

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Sets the Asia/Shanghai time of today (the real date: the sandboxes bill finished days only)."""
    today = datetime.now(CHINA).date()

    def set_to(hour: int, minute: int = 0) -> datetime:
        moment = datetime.combine(today, time(hour, minute), CHINA)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


def _yesterday() -> date:
    return datetime.now(CHINA).date() - timedelta(days=1)


@pytest.fixture
def short_day(channel, stocked):
    """Yesterday: one Alipay payment the bill shows 9.00 short (a difference), one WeChat Pay one exact."""
    alipay, wechat = sandbox_connection("alipay"), sandbox_connection("wechatpay")
    noon = datetime.combine(_yesterday(), time(12), CHINA)
    orders = [create_order(channel, external_id=f"S-{n}", lines=(("TEA-001", 1),)) for n in range(2)]
    short = paid_through(AlipaySimulator(alipay), alipay, orders[0], when=noon)
    record = SandboxRecord.objects.get(key=short.out_trade_no)
    record.data = {**record.data, "total_amount": "190.00"}
    record.save()
    paid_through(WechatPaySimulator(wechat), wechat, orders[1], when=noon)
    return alipay, short


def test_a_bill_not_ready_at_two_is_retried_hourly_and_completes_once(short_day, clock):
    alipay, short = short_day
    AlipaySimulator(alipay).fault_set(BILL_NOT_READY)

    clock(2, 0)
    assert reconciliation_daily_task() == {"reconciled": _yesterday().isoformat(), "status": "partial", "differing": 0}
    day = ReconciliationDay.objects.get()
    assert [(s["gateway"], s["state"], s["error"].split(":")[0]) for s in day.sources] == [
        ("alipay", c.PARTIAL, "isp.bill_not_exist"),
        ("wechatpay", c.COMPLETE, ""),
    ]
    assert day.fetch_attempts == 1 and ReconciliationDifference.objects.count() == 0

    clock(2, 45)  # not an hour yet
    assert reconciliation_daily_task() == {"reconciled": None}
    assert ReconciliationDay.objects.get().fetch_attempts == 1

    clock(3, 0)  # an hour: retried, still not ready
    assert reconciliation_daily_task()["retried"] == {_yesterday().isoformat(): c.PARTIAL}
    assert ReconciliationDay.objects.get().fetch_attempts == 2

    AlipaySimulator(alipay).fault_set(BILL_NOT_READY, on=False)  # published at 09:xx
    clock(4, 0)
    assert reconciliation_daily_task()["retried"] == {_yesterday().isoformat(): c.COMPLETE}
    day = ReconciliationDay.objects.get()
    assert day.status == c.COMPLETE and [s["state"] for s in day.sources] == [c.COMPLETE, c.COMPLETE]
    assert {d.key for d in ReconciliationDifference.objects.all()} == {f"amount_mismatch:{short.out_trade_no}"}

    clock(5, 30)  # complete: nothing more to do, nothing filed twice
    assert reconciliation_daily_task() == {"reconciled": None}
    assert ReconciliationDifference.objects.count() == 1 and Ticket.objects.count() == 1
    assert OutboxEvent.objects.filter(name=names.RECONCILIATION_DIFFERENCE).count() == 1
    assert day.alerted_at is None and Notification.objects.count() == 0


def test_still_not_ready_at_the_cut_off_leaves_it_incomplete_with_one_alert(short_day, clock):
    alipay, _short = short_day
    AlipaySimulator(alipay).fault_set(BILL_NOT_READY)
    clock(2, 0)
    reconciliation_daily_task()
    clock(11, 30)
    assert reconciliation_daily_task()["retried"] == {_yesterday().isoformat(): c.PARTIAL}
    assert Notification.objects.count() == 0

    clock(12, 30)
    assert reconciliation_daily_task()["retried"] == {_yesterday().isoformat(): c.INCOMPLETE}

    day = ReconciliationDay.objects.get()
    assert (day.status, day.sources[0]["state"], day.alerted_at is not None) == (c.INCOMPLETE, c.INCOMPLETE, True)
    note = Notification.objects.get()
    assert "对账未完成" in note.title and "alipay" in note.body
    clock(14, 0)
    assert reconciliation_daily_task() == {"reconciled": None}  # no more automatic retries, no second alert
    assert Notification.objects.count() == 1

    # A run by hand once the bill is there completes it.
    from commerce.reconciliation.services import reconciliation_run
    from tests.factories import TEST_ACTOR

    AlipaySimulator(alipay).fault_set(BILL_NOT_READY, on=False)
    assert reconciliation_run(day=_yesterday(), actor=TEST_ACTOR).status == c.COMPLETE
    assert ReconciliationDifference.objects.count() == 1


def test_the_wechat_pay_sandbox_answers_not_ready_on_demand(short_day, clock):
    from commerce.reconciliation.services import reconciliation_run
    from tests.factories import TEST_ACTOR

    wechat = sandbox_connection("wechatpay", name="second")
    WechatPaySimulator(wechat).fault_set(BILL_NOT_READY)
    clock(2, 0)

    record = reconciliation_run(day=_yesterday(), actor=TEST_ACTOR)

    assert record.status == c.PARTIAL
    assert [s["error"].split(":")[0] for s in record.sources][-1] == "NO_STATEMENT_EXIST"
