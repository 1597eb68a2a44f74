"""``ensure_schedules`` and ``manage.py setup_schedules``: the django-q2 schedules, created idempotently."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from orderflow.schedules.services import ensure_schedules

pytestmark = pytest.mark.django_db


NAME = "orders.expire_unpaid"


def _expiry_schedule() -> tuple:
    return Schedule.objects.filter(name=NAME).values_list("name", "func", "schedule_type", "minutes", "repeats").get()


def test_the_first_run_creates_the_expiry_schedule():
    outcome = ensure_schedules()

    assert outcome[NAME] == "created"
    assert _expiry_schedule() == (
        "orders.expire_unpaid",
        "commerce.orders.tasks.orders_expire_unpaid_task",
        Schedule.MINUTES,
        1,
        -1,
    )


def test_running_again_changes_nothing_and_keeps_the_next_run():
    ensure_schedules()
    count = Schedule.objects.count()
    next_run = timezone.now() + timedelta(seconds=37)
    Schedule.objects.filter(name=NAME).update(next_run=next_run)

    outcome = ensure_schedules()

    assert set(outcome.values()) == {"unchanged"}
    assert Schedule.objects.count() == count
    assert Schedule.objects.get(name=NAME).next_run == next_run


def test_a_drifted_schedule_is_corrected_and_duplicates_removed():
    ensure_schedules()
    Schedule.objects.filter(name=NAME).update(minutes=5, func="somewhere.else")
    Schedule.objects.create(name=NAME, func="x.y", schedule_type=Schedule.HOURLY)
    Schedule.objects.create(name="someone.elses", func="a.b", schedule_type=Schedule.DAILY)

    outcome = ensure_schedules()

    assert outcome[NAME] == "updated"
    assert Schedule.objects.filter(name=NAME).values_list("func", "minutes").get() == (
        "commerce.orders.tasks.orders_expire_unpaid_task",
        1,
    )
    assert Schedule.objects.filter(name="someone.elses").count() == 1


def test_the_command_reports_what_it_did():
    first, second = StringIO(), StringIO()

    call_command("setup_schedules", stdout=first)
    call_command("setup_schedules", stdout=second)

    assert "orders.expire_unpaid: created\n" in first.getvalue()
    assert "orders.expire_unpaid: unchanged\n" in second.getvalue()
