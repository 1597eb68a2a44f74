"""The board's daily summary: a calendar day in Asia/Shanghai, exact counts, amounts and mean time to refund."""

from datetime import UTC, datetime

import pytest

from commerce.refunds.models import RefundDecision, RefundRequest
from commerce.refunds.services import refund_cancel, refund_reject
from tests.conftest import client_for
from tests.factories import TEST_ACTOR

from .conftest import file_refund

pytestmark = pytest.mark.django_db


def utc(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _at(refund, **times):
    RefundRequest.objects.filter(pk=refund.pk).update(**times)


@pytest.fixture
def day_of_refunds(paid_order, supervisor):
    """1 March 2026 in Shanghai (28 Feb 16:00 UTC to 1 March 16:00 UTC), on the 398.00 order."""
    paid = file_refund(paid_order, "100.00")  # 10:00 CST filed, 14:30 CST refunded: 4.5 hours
    _at(paid, created_at=utc(1, 2), status="refunded", decided_at=utc(1, 3), paid_at=utc(1, 6, 30))
    late = file_refund(paid_order, "20.00")  # automatic; filed 23:30 CST, refunded 01:00 CST the next day
    _at(late, created_at=utc(1, 15, 30), decided_at=utc(1, 15, 30), status="refunded", paid_at=utc(1, 17))
    rejected = file_refund(paid_order, "60.00")
    refund_reject(refund_id=rejected.pk, user=supervisor, reason="已使用")
    _at(rejected, created_at=utc(1, 1), decided_at=utc(1, 3))
    waiting = file_refund(paid_order, "80.00")
    _at(waiting, created_at=utc(1, 0))
    older = file_refund(paid_order, "70.00")  # filed on 28 February (20:00 CST), still waiting
    _at(older, created_at=utc(1, 12).replace(day=28, month=2))
    withdrawn = file_refund(paid_order, "60.00")
    refund_cancel(refund_id=withdrawn.pk, actor=TEST_ACTOR)
    _at(withdrawn, created_at=utc(1, 4))
    RefundDecision.objects.filter(request=withdrawn).update(at=utc(1, 5))
    return paid_order


def test_the_summary_counts_the_shanghai_day(day_of_refunds):
    answer = client_for("manager").get("/api/v1/refunds/summary/", {"date": "2026-03-01"})

    assert answer.status_code == 200, answer.json()
    assert answer.json() == {
        "date": "2026-03-01",
        "requested": 5,
        "requested_amount": "320.00",
        "refunded": 1,
        "refunded_amount": "100.00",
        "rejected": 1,
        "pending": 2,
        "average_hours_to_refund": 4.5,
    }


def test_a_refund_paid_after_midnight_in_shanghai_counts_on_the_next_day(day_of_refunds):
    answer = client_for("operator").get("/api/v1/refunds/summary/", {"date": "2026-03-02"})

    assert answer.json() == {
        "date": "2026-03-02",
        "requested": 0,
        "requested_amount": "0.00",
        "refunded": 1,
        "refunded_amount": "20.00",
        "rejected": 0,
        "pending": 2,
        "average_hours_to_refund": 1.5,
    }


def test_a_day_before_any_request_is_all_zero(day_of_refunds):
    answer = client_for("finance").get("/api/v1/refunds/summary/", {"date": "2026-02-27"})

    assert answer.json() == {
        "date": "2026-02-27",
        "requested": 0,
        "requested_amount": "0.00",
        "refunded": 0,
        "refunded_amount": "0.00",
        "rejected": 0,
        "pending": 0,
        "average_hours_to_refund": None,
    }


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2026-02-30", "x" * 300])
def test_a_date_that_is_not_a_day_is_refused(bad):
    answer = client_for("manager").get("/api/v1/refunds/summary/", {"date": bad})

    assert answer.status_code == 400
    assert "date" in answer.json()["details"]
