"""``/api/v1/refunds/``: file, read, approve, reject, cancel, retry and the policy, with bad input refused."""

import pytest

from commerce.refunds.models import RefundPolicy, RefundRequest
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/refunds/"


def _file(client, order, amount="299.00", **extra):
    return client.post(URL, {"order": order.pk, "amount": amount, "reason": "quality", **extra}, format="json")


def test_filing_answers_201_with_the_status_and_the_approvals_still_needed(paid_order):
    answer = _file(client_for("operator"), paid_order, note="盖子破了", lines=[{"sku": "TEA-001", "quantity": 1}])

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["approvals_needed"], body["amount"], body["method"]) == (
        "approving",
        ["supervisor", "finance"],
        "299.00",
        "gateway",
    )
    assert body["lines"] == [{"sku": "TEA-001", "quantity": 1}]
    assert body["requested_by"] == "user-operator"


def test_a_supervisor_and_finance_approve_through_the_api_each_as_themselves(paid_order):
    refund_id = _file(client_for("operator"), paid_order).json()["id"]

    early = client_for("finance").post(f"{URL}{refund_id}/approve/", {}, format="json")
    first = client_for("supervisor").post(f"{URL}{refund_id}/approve/", {"note": "ok"}, format="json")
    second = client_for("finance").post(f"{URL}{refund_id}/approve/", {}, format="json")

    assert (early.status_code, early.json()["code"]) == (403, "not_your_approval")
    assert first.status_code == 200 and first.json()["approvals_needed"] == ["finance"]
    assert second.status_code == 200 and second.json()["status"] == "approved"
    assert [(d["kind"], d["role"], d["by"]) for d in second.json()["decisions"]] == [
        ("approve", "supervisor", "user-supervisor"),
        ("approve", "finance", "user-finance"),
    ]


def test_a_supervisor_cannot_approve_a_request_they_filed(paid_order):
    supervisor = client_for("supervisor")
    refund_id = _file(supervisor, paid_order).json()["id"]

    answer = supervisor.post(f"{URL}{refund_id}/approve/", {}, format="json")

    assert (answer.status_code, answer.json()["code"]) == (403, "self_approval")


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(paid_order):
    refund_id = _file(client_for("operator"), paid_order).json()["id"]

    answer = client_for("supervisor").post(f"{URL}{refund_id}/reject/", {}, format="json")

    assert answer.status_code == 400 and "reason" in answer.json()["details"]
    assert RefundRequest.objects.get(pk=refund_id).status == "approving"


def test_more_than_was_paid_answers_409_and_files_nothing(paid_order):
    answer = _file(client_for("operator"), paid_order, amount="398.01")

    assert (answer.status_code, answer.json()["code"]) == (409, "refund_exceeds_paid")
    assert not RefundRequest.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "10.00", "reason": "quality"}, "order"),
        ({"order": "x", "amount": "10.00", "reason": "quality"}, "order"),
        ({"order": 1, "amount": "0", "reason": "quality"}, "amount"),
        ({"order": 1, "amount": "1e400", "reason": "quality"}, "amount"),
        ({"order": 1, "amount": "10.001", "reason": "quality"}, "amount"),
        ({"order": 1, "amount": "10.00", "reason": "bored"}, "reason"),
        ({"order": 1, "amount": "10.00", "reason": "quality", "note": "x" * 501}, "note"),
        ({"order": 1, "amount": "10.00", "reason": "quality", "lines": [{"sku": "TEA-001", "quantity": 0}]}, "lines"),
        ({"order": 1, "amount": "10.00", "reason": "quality", "lines": "TEA-001"}, "lines"),
    ],
)
def test_bad_input_is_refused_by_field_and_files_nothing(paid_order, body, field):
    answer = client_for("operator").post(URL, body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()["details"]
    assert not RefundRequest.objects.exists()


def test_an_unknown_order_answers_404(db):
    answer = client_for("operator").post(URL, {"order": 999999, "amount": "1.00", "reason": "quality"}, format="json")

    assert answer.status_code == 404


def test_the_list_filters_by_status_and_order(paid_order):
    operator = client_for("operator")
    small = _file(operator, paid_order, amount="20.00").json()["id"]
    big = _file(operator, paid_order, amount="299.00").json()["id"]

    def ids(query):
        answer = client_for("manager").get(URL, query)
        assert answer.status_code == 200, answer.json()
        return [r["id"] for r in answer.json()["results"]]

    assert ids({}) == [big, small]
    assert ids({"status": "approving"}) == [big]
    assert ids({"status": "approved,approving", "order": paid_order.pk}) == [big, small]
    assert client_for("manager").get(URL, {"status": "lost"}).status_code == 400


def test_admins_save_a_policy_version_and_everyone_reads_it(db):
    saved = client_for("admin").post(
        f"{URL}policy/", {"document": {"auto_approve_max": "80.00"}, "note": "双十一"}, format="json"
    )
    read = client_for("operator").get(f"{URL}policy/")
    bad = client_for("admin").post(f"{URL}policy/", {"document": {"supervisor_max": "-1"}}, format="json")

    assert saved.status_code == 201 and saved.json()["version"] == 2
    assert read.json()["document"]["auto_approve_max"] == "80.00"
    assert bad.status_code == 400 and "supervisor_max" in bad.json()["details"]
    assert RefundPolicy.objects.count() == 2


def test_cancel_and_retry_answer_409_when_the_status_does_not_allow_them(paid_order):
    refund_id = _file(client_for("operator"), paid_order, amount="20.00").json()["id"]  # approved at once

    cancel = client_for("operator").post(f"{URL}{refund_id}/cancel/", {}, format="json")
    retry = client_for("finance").post(f"{URL}{refund_id}/retry/")

    assert (cancel.status_code, cancel.json()["code"]) == (409, "refund_not_pending")
    assert (retry.status_code, retry.json()["code"]) == (409, "refund_not_pending")
