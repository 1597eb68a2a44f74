"""``POST /api/v1/refunds/bulk-approve/``: each id approved within the caller's role, or refused with why."""

import pytest

from commerce.refunds.models import RefundDecision, RefundRequest
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, create_order, make_user, pay_through_gateway

from .conftest import file_refund

pytestmark = pytest.mark.django_db

URL = "/api/v1/refunds/bulk-approve/"


def _bulk(client, ids, note="批量同意"):
    return client.post(URL, {"ids": ids, "note": note}, format="json")


def test_each_id_is_answered_in_order_approved_or_refused_with_the_reason(channel, stocked, paid_order):
    supervisor = make_user("user-supervisor", "supervisor")
    client = client_for("supervisor")
    small = file_refund(paid_order, "100.00")  # a supervisor alone
    large = file_refund(paid_order, "250.00")  # a supervisor, then finance
    second = create_order(channel, external_id="TM-RF-2", lines=(("TEA-001", 1),))
    pay_through_gateway(second)
    own = file_refund(second, "150.00", user=supervisor)

    answer = _bulk(client, [small.pk, large.pk, own.pk, 999_999, small.pk])

    assert answer.status_code == 200, answer.json()
    assert [(r["id"], r["outcome"], r["status"], r["code"]) for r in answer.json()["results"]] == [
        (small.pk, "approved", "approved", ""),
        (large.pk, "approved", "approving", ""),
        (own.pk, "refused", "approving", "self_approval"),
        (999_999, "refused", "", "not_found"),
    ]
    assert RefundRequest.objects.get(pk=large.pk).approvals_needed == ["finance"]
    assert RefundDecision.objects.filter(request=own).count() == 0
    assert set(RefundDecision.objects.values_list("note", flat=True)) == {"批量同意"}


def test_finance_cannot_give_the_supervisors_step_in_bulk(paid_order):
    refund = file_refund(paid_order, "250.00")

    answer = _bulk(client_for("finance"), [refund.pk])

    result = answer.json()["results"][0]
    assert (result["outcome"], result["code"]) == ("refused", "not_your_approval")
    assert RefundRequest.objects.get(pk=refund.pk).approvals_needed == ["supervisor", "finance"]


def test_an_offline_refund_whose_last_approval_needs_a_reference_is_refused(channel, stocked):
    from commerce.orders.services import order_transition

    order = create_order(channel, external_id="TM-COD-BULK")
    order_transition(order_id=order.pk, to="paid", reason="cash on delivery", actor=TEST_ACTOR)
    refund = file_refund(order, "20.00")

    answer = _bulk(client_for("finance"), [refund.pk])

    result = answer.json()["results"][0]
    assert (result["outcome"], result["code"], result["status"]) == ("refused", "invalid_refund", "approving")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": []}, "ids"),
        ({"ids": list(range(1, 102))}, "ids"),
        ({"ids": ["x"]}, "ids"),
        ({"ids": [0]}, "ids"),
        ({}, "ids"),
        ({"ids": [1], "note": "x" * 501}, "note"),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(paid_order, body, field):
    refund = file_refund(paid_order, "100.00")

    answer = client_for("supervisor").post(URL, body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()["details"]
    assert RefundRequest.objects.get(pk=refund.pk).status == "approving"


@pytest.mark.parametrize("role", ["operator", "manager"])
def test_only_approvers_may_bulk_approve(paid_order, role):
    refund = file_refund(paid_order, "100.00")

    answer = _bulk(client_for(role), [refund.pk])

    assert answer.status_code == 403
    assert RefundRequest.objects.get(pk=refund.pk).status == "approving"
