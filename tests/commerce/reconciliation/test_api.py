"""``/api/v1/reconciliation/``: the day's report, its exports, runs on demand, resolving, roles."""

import csv
import io
import zipfile

import pytest

from commerce.audit.models import AuditEntry
from commerce.reconciliation.models import ReconciliationDay, ReconciliationDifference
from commerce.reconciliation.services import reconciliation_apply
from tests.conftest import client_for
from tests.factories import TEST_ACTOR

from .helpers import DAY, bills, paid_order, pay_line

pytestmark = pytest.mark.django_db

DAYS = "/api/v1/reconciliation/days/"
REPORT = f"{DAYS}{DAY.isoformat()}/"


@pytest.fixture
def reconciled(channel, stocked):
    _a, short = paid_order(channel, "SHORT")
    _b, exact = paid_order(channel, "EXACT")
    reconciliation_apply(
        day=DAY,
        bills=bills(
            pay_line(short.out_trade_no, "150.00"),
            pay_line(exact.out_trade_no, "199.00"),
            pay_line("=HYPERLINK(1)", "1.00"),
        ),
        actor=TEST_ACTOR,
    )
    return short


def test_the_report_has_totals_categories_and_the_differences(reconciled):
    response = client_for("finance").get(REPORT)

    body = response.json()
    assert response.status_code == 200
    assert (body["day"], body["status"], body["checked"], body["differing"], body["open"]) == (
        "2026-12-01",
        "complete",
        3,
        2,
        2,
    )
    assert body["difference_rate"] == round(2 / 3, 6)
    assert body["totals"]["bill_payments"] == 3 and body["tolerance"] == "0.50"
    counts = {row["category"]: row["count"] for row in body["by_category"]}
    assert counts == {
        "unsettled": 0,
        "refunded_not_offset": 0,
        "refund_missing_in_bill": 0,
        "cross_period": 0,
        "missing_payment": 0,
        "missing_order": 1,
        "amount_mismatch": 1,
        "duplicate_payment": 0,
    }
    mismatch = next(d for d in body["differences"] if d["category"] == "amount_mismatch")
    assert (mismatch["expected_amount"], mismatch["actual_amount"], mismatch["out_trade_no"]) == (
        "199.00",
        "150.00",
        reconciled.out_trade_no,
    )
    assert mismatch["category_label"] == {"zh": "金额不符", "en": "Amount mismatch"}
    only = client_for("manager").get(REPORT, {"category": "missing_order"}).json()["differences"]
    assert [d["category"] for d in only] == ["missing_order"]


def test_the_days_list_and_a_day_not_reconciled(reconciled):
    assert [d["day"] for d in client_for("admin").get(DAYS).json()] == ["2026-12-01"]

    missing = client_for("finance").get(f"{DAYS}2026-11-02/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_reconciled")
    bad = client_for("finance").get(f"{DAYS}2026-13-45/")
    assert (bad.status_code, bad.json()["details"]) == (400, {"day": "a date as YYYY-MM-DD"})
    wrong_filter = client_for("finance").get(REPORT, {"category": "lost"})
    assert (wrong_filter.status_code, list(wrong_filter.json()["details"])) == (400, ["category"])


def test_the_csv_export_names_categories_and_defuses_formulas(reconciled):
    response = client_for("finance").get(f"{REPORT}export/", {"format": "csv", "lang": "zh"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reconciliation-20261201.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["日期", "类别", "状态"]
    assert sorted(row[1] for row in rows[1:]) == ["缺少订单", "金额不符"]
    assert "'=HYPERLINK(1)" in text and all(not cell.startswith("=") for row in rows for cell in row)


def test_the_excel_export_is_a_workbook(reconciled):
    response = client_for("manager").get(f"{REPORT}export/", {"format": "xlsx", "lang": "en"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        assert sorted(book.namelist()) == [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/_rels/workbook.xml.rels",
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
        ]
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve">Amount mismatch</t>' in sheet
    assert "<v>199.00</v>" in sheet and "<v>150.00</v>" in sheet
    bad = client_for("manager").get(f"{REPORT}export/", {"format": "pdf"})
    assert (bad.status_code, bad["Content-Type"], list(bad.json()["details"])) == (400, "application/json", ["format"])


def test_finance_resolves_a_difference_with_a_reason(reconciled):
    difference = ReconciliationDifference.objects.get(category="amount_mismatch")
    url = f"/api/v1/reconciliation/differences/{difference.pk}/resolve/"

    response = client_for("finance").post(url, {"reason": "买家少付 49 元，已补款"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolution"]) == ("resolved", "买家少付 49 元，已补款")
    assert response.json()["resolved_by"] == "user-finance"
    assert AuditEntry.objects.filter(subject_type="reconciliation_difference", action="resolved").count() == 1
    again = client_for("finance").post(url, {"reason": "again"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "difference_not_open")
    assert client_for("finance").get(REPORT).json()["open"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "x" * 501}, "reason"), ({"reason": 5}, None)],
)
def test_a_resolve_without_a_proper_reason_changes_nothing(reconciled, body, field):
    difference = ReconciliationDifference.objects.get(category="amount_mismatch")

    response = client_for("admin").post(
        f"/api/v1/reconciliation/differences/{difference.pk}/resolve/", body, format="json"
    )

    if field is None:  # a number is taken as text by DRF: "5" is a reason
        assert response.status_code == 200
        return
    assert (response.status_code, list(response.json()["details"])) == (400, [field])
    difference.refresh_from_db()
    assert difference.status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "date_from"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, "date_to"),
        ({"date_from": "2026-10-01", "date_to": "2026-12-01"}, "date_to"),
        ({"date_from": "2099-01-01"}, "date_to"),
        ({"date_from": "2026-12-01", "tolerance": "-1"}, "tolerance"),
        ({"date_from": "2026-12-01", "tolerance": "abc"}, "tolerance"),
    ],
)
def test_a_run_with_bad_dates_or_tolerance_is_refused(db, body, field):
    response = client_for("finance").post(DAYS, body, format="json")

    assert (response.status_code, list(response.json()["details"])) == (400, [field])
    assert ReconciliationDay.objects.count() == 0


def test_a_period_is_run_on_demand(db):
    response = client_for("admin").post(
        DAYS, {"date_from": "2026-11-28", "date_to": "2026-11-30", "tolerance": "1.00"}, format="json"
    )

    assert response.status_code == 200
    assert [(d["day"], d["tolerance"], d["runs"]) for d in response.json()] == [
        ("2026-11-28", "1.00", 1),
        ("2026-11-29", "1.00", 1),
        ("2026-11-30", "1.00", 1),
    ]


@pytest.mark.parametrize("role", ["operator", "supervisor", None])
def test_others_may_not_read_the_report(reconciled, role):
    response = client_for(role).get(REPORT)

    assert response.status_code == (401 if role is None else 403)


def test_a_manager_reads_but_does_not_resolve_or_run(reconciled):
    difference = ReconciliationDifference.objects.get(category="amount_mismatch")
    manager = client_for("manager")

    assert manager.get(REPORT).status_code == 200
    assert (
        manager.post(f"/api/v1/reconciliation/differences/{difference.pk}/resolve/", {"reason": "x"}).status_code == 403
    )
    assert manager.post(DAYS, {"date_from": "2026-12-01"}, format="json").status_code == 403
