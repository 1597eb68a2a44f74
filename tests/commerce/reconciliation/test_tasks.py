"""The daily run (yesterday, once the Asia/Shanghai clock passes 02:00) and ``manage.py reconcile``."""

import io
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

from commerce.reconciliation.models import ReconciliationDay
from commerce.reconciliation.tasks import reconciliation_daily_task, reconciliation_day_due

from .helpers import CHINA

pytestmark = pytest.mark.django_db


def test_yesterday_is_due_once_the_clock_passes_two(db):
    assert reconciliation_day_due(now=datetime(2026, 12, 6, 1, 59, tzinfo=CHINA)) is None
    assert reconciliation_day_due(now=datetime(2026, 12, 6, 2, 0, tzinfo=CHINA)) == date(2026, 12, 5)


def test_the_hour_is_a_setting(settings):
    settings.ORDERFLOW_RECONCILIATION_AT = "09:30"

    assert reconciliation_day_due(now=datetime(2026, 12, 6, 9, 0, tzinfo=CHINA)) is None
    assert reconciliation_day_due(now=datetime(2026, 12, 6, 9, 30, tzinfo=CHINA)) == date(2026, 12, 5)


def test_the_daily_task_reconciles_yesterday_once(monkeypatch):
    from commerce.reconciliation import tasks

    monkeypatch.setattr(tasks.timezone, "now", lambda: datetime(2026, 12, 6, 3, 0, tzinfo=CHINA))

    first = reconciliation_daily_task()

    assert first == {"reconciled": "2026-12-05", "status": "complete", "differing": 0}
    assert reconciliation_daily_task() == {"reconciled": None}
    assert ReconciliationDay.objects.get().day == date(2026, 12, 5)


def test_the_command_reconciles_a_period():
    out = io.StringIO()

    call_command("reconcile", "--date", "2026-12-01", "--to", "2026-12-02", "--tolerance", "1.00", stdout=out)

    assert out.getvalue().splitlines() == [
        "2026-12-01: complete, 0 checked, 0 differences",
        "2026-12-02: complete, 0 checked, 0 differences",
    ]
    assert list(ReconciliationDay.objects.values_list("tolerance", flat=True)) == [1, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "12/01"), "not a date"),
        (("--date", "2026-12-02", "--to", "2026-12-01"), "on or after date_from"),
        (("--date", "2026-12-01", "--tolerance", "much"), "not an amount"),
    ],
)
def test_the_command_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("reconcile", *args, stdout=io.StringIO())
    assert ReconciliationDay.objects.count() == 0
