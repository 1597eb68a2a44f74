"""``POST /api/v1/reconciliation/statements/``: strict parsing, limits, duplicates, roles, the re-run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commerce.audit.models import AuditEntry
from commerce.reconciliation import categories as c
from commerce.reconciliation import statement_file
from commerce.reconciliation.models import ReconciliationDifference, Statement, StatementLine
from commerce.reconciliation.services import reconciliation_apply
from tests.conftest import client_for
from tests.factories import TEST_ACTOR

from .helpers import DAY, bills, manual_channel, offline_order, statement_csv

pytestmark = pytest.mark.django_db

URL = "/api/v1/reconciliation/statements/"


def _post(body: bytes, role="finance", **fields):
    data = {"day": "2026-12-01", "kind": "bank", "account": "ICBC-0001", **fields}
    data["file"] = SimpleUploadedFile("bank.csv", body, content_type="text/csv")
    return client_for(role).post(URL, data, format="multipart")


GOOD = statement_csv("2026-12-01,199.00,CNY,OF2612010000000001,货款,王芳,B001")


def test_an_upload_is_stored_and_the_same_file_again_changes_nothing():
    first = _post(GOOD)

    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "created" and first.json()["reconciled"] is None
    assert first.json()["statement"]["lines"] == 1 and first.json()["statement"]["credit_total"] == "199.00"
    audits = AuditEntry.objects.filter(subject_type="reconciliation_statement").count()

    again = _post(GOOD)

    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert again.json()["statement"]["id"] == first.json()["statement"]["id"]
    assert (Statement.objects.count(), StatementLine.objects.count()) == (1, 1)
    assert AuditEntry.objects.filter(subject_type="reconciliation_statement").count() == audits


def test_another_file_for_the_same_account_replaces_it_and_another_account_adds_one():
    _post(GOOD)

    replaced = _post(statement_csv("2026-12-01,10.00,CNY,X,,,B9", "2026-12-01,20.00,CNY,Y,,,B10"))
    other = _post(GOOD, account="CMB-2")

    assert (replaced.status_code, replaced.json()["outcome"]) == (201, "replaced")
    assert other.json()["outcome"] == "created"
    assert sorted(Statement.objects.values_list("account", "lines_count")) == [("CMB-2", 1), ("ICBC-0001", 2)]
    listed = client_for("manager").get(URL, {"day": "2026-12-01"}).json()
    assert [s["account"] for s in listed] == ["CMB-2", "ICBC-0001"]


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        (
            ["2026-12-01,abc,CNY,R1,,,S1", "2026-12-01,-5.00,CNY,R2,,,S2", "2026-12-01,1.234,CNY,R3,,,S3"],
            [(2, "amount"), (3, "amount"), (4, "amount")],
        ),
        (["2026-12-02,1.00,CNY,R1,,,S1", "12/01/2026,1.00,CNY,R2,,,S2"], [(2, "date"), (3, "date")]),
        (["2026-12-01,1.00,C$,R1,,,S1"], [(2, "currency")]),
        (["2026-12-01,1.00,CNY,R1,,,S1", "2026-12-01,2.00,CNY,R2,,,S1"], [(3, "serial")]),
        ([f"2026-12-01,1.00,CNY,{'R' * 65},,,S1"], [(2, "reference")]),
        (["2026-12-01,1.00,CNY,R1,,,S1,extra"], [(2, "*")]),
        (["2026-12-01,1.00,CNY,R1,,,S1", "2026-12-01,x,CNY,R2,,,S2"], [(3, "amount")]),
    ],
)
def test_bad_rows_are_named_by_row_and_column_and_nothing_is_stored(rows, errors):
    response = _post(statement_csv(*rows))

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid_statement")
    assert [(e["row"], e["column"]) for e in body["details"]["errors"]] == errors
    assert all(e["message"] for e in body["details"]["errors"])
    assert Statement.objects.count() == 0 and StatementLine.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"   \n", "empty"),
        (b"sku,qty\nA,1\n", "no header"),
        (b"date,amount,colour\n2026-12-01,1.00,red\n", "unknown columns colour"),
        (b"date,amount\n", "no credit rows"),
        (b"\xff\xfe\x00d\x00a", "neither UTF-8 nor GBK"),
    ],
)
def test_a_file_that_is_not_a_statement_is_refused(body, says):
    response = _post(body)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_statement")
    assert says in response.json()["details"]["file"]
    assert Statement.objects.count() == 0


def test_an_empty_upload_is_refused_by_the_form():
    response = _post(b"")

    assert response.status_code == 400 and "file" in response.json()["details"]
    assert Statement.objects.count() == 0


def test_an_oversized_file_answers_413_and_too_many_rows_400(monkeypatch):
    big = statement_csv(*["2026-12-01,1.00,CNY,R,,,"] * 10) + b"#" * (statement_file.MAX_BYTES + 1)
    response = _post(big)
    assert (response.status_code, response.json()["code"]) == (413, "statement_too_large")

    monkeypatch.setattr(statement_file, "MAX_ROWS", 3)
    many = _post(statement_csv(*[f"2026-12-01,1.00,CNY,R,,,S{i}" for i in range(4)]))
    assert (many.status_code, "more than 3 rows" in many.json()["details"]["file"]) == (400, True)
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "cash"}, "kind"),
        ({"account": ""}, "account"),
        ({"day": "2026-13-01"}, "day"),
        ({"day": "2999-01-01"}, "day"),
    ],
)
def test_bad_fields_are_refused(fields, field):
    response = _post(GOOD, **fields)

    assert response.status_code == 400 and field in response.json()["details"]
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("finance", 201), ("admin", 201), ("manager", 403), ("operator", 403)])
def test_only_finance_and_admins_upload(role, status):
    assert _post(GOOD, role=role).status_code == status


def test_readers_list_statements_others_cannot():
    assert client_for("manager").get(URL).status_code == 200
    assert client_for("operator").get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 401


def test_an_upload_for_a_reconciled_day_runs_it_again(stocked):
    order = offline_order(manual_channel(), "MAN-1")
    reconciliation_apply(day=DAY, bills=bills(), actor=TEST_ACTOR)
    assert ReconciliationDifference.objects.get().category == c.UNSETTLED

    response = _post(statement_csv(f"2026-12-01,199.00,CNY,{order.number},,,B1"))

    assert response.status_code == 201
    assert response.json()["reconciled"]["statements"][0]["account"] == "ICBC-0001"
    assert ReconciliationDifference.objects.get().status == c.CLEARED
