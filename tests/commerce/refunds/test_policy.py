"""The approval policy: tiers at their boundaries, routes by reason, trusted customers, special goods,
offline refunds, and a policy saved as a new version."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.orders.models import Order
from commerce.refunds import statuses
from commerce.refunds.errors import InvalidRefund
from commerce.refunds.models import RefundDecision, RefundPolicy
from commerce.refunds.policy import DEFAULT, policy_evaluate, policy_problems
from commerce.refunds.services import policy_current, policy_save
from tests.factories import TEST_ACTOR, create_order

from .conftest import file_refund

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {"customer": {"months": 0, "orders": 1, "return_rate": 0.0, "disputes": 0}, "refund": {}}
TRUSTED = {"customer": {"months": 7, "orders": 80, "return_rate": 0.01, "disputes": 0}, "refund": {}}


def _verdict(amount, *, reason="quality", skus=("TEA-001",), offline=False, facts=NEW_CUSTOMER, document=DEFAULT):
    return policy_evaluate(
        document, amount=Decimal(amount), reason=reason, skus=list(skus), offline=offline, facts=facts
    )


@pytest.mark.parametrize(
    "amount, outcome, approvals",
    [
        ("0.01", "auto", ()),
        ("50.00", "auto", ()),
        ("50.01", "approvals", ("supervisor",)),
        ("200.00", "approvals", ("supervisor",)),
        ("200.01", "approvals", ("supervisor", "finance")),
        ("9999.00", "approvals", ("supervisor", "finance")),
    ],
)
def test_the_tiers_by_amount_at_their_boundaries(amount, outcome, approvals):
    verdict = _verdict(amount)

    assert (verdict.outcome, verdict.approvals) == (outcome, approvals)


@pytest.mark.parametrize("reason, queue", list(DEFAULT["routes"].items()))
def test_each_reason_goes_to_its_queue(reason, queue):
    assert _verdict("120.00", reason=reason).queue == queue


def test_a_trusted_customer_is_refunded_directly_whatever_the_tier():
    assert _verdict("500.00", facts=TRUSTED).outcome == "direct"


@pytest.mark.parametrize(
    "change", [{"months": 5}, {"return_rate": 0.02}, {"disputes": 1}], ids=["5 months", "2% returns", "a dispute"]
)
def test_a_customer_short_of_any_trust_condition_goes_through_the_tiers(change):
    facts = {"customer": {**TRUSTED["customer"], **change}, "refund": {}}

    assert _verdict("500.00", facts=facts).outcome == "approvals"


def test_special_goods_always_need_a_person_even_within_the_automatic_tier():
    document = {**DEFAULT, "special_skus": ["GIFT-TOTE"]}

    verdict = _verdict("10.00", skus=("GIFT-TOTE",), document=document, facts=TRUSTED)

    assert (verdict.outcome, verdict.approvals) == ("approvals", ("supervisor",))


def test_an_offline_refund_always_ends_with_finance():
    assert _verdict("10.00", offline=True).approvals == ("finance",)
    assert _verdict("120.00", offline=True).approvals == ("supervisor", "finance")


def test_the_direct_refund_rule_is_jsonlogic_and_editable():
    document = {**DEFAULT, "direct_refund": {">=": [{"var": "customer.orders"}, 3]}}

    assert _verdict("500.00", document=document, facts=NEW_CUSTOMER).outcome == "approvals"
    facts = {"customer": {**NEW_CUSTOMER["customer"], "orders": 3}, "refund": {}}
    assert _verdict("500.00", document=document, facts=facts).outcome == "direct"


@pytest.mark.parametrize(
    "document, field",
    [
        ({"auto_approve_max": "-1"}, "auto_approve_max"),
        ({"auto_approve_max": "1.001"}, "auto_approve_max"),
        ({"auto_approve_max": "abc"}, "auto_approve_max"),
        ({"auto_approve_max": "300", "supervisor_max": "200"}, "auto_approve_max"),
        ({"special_skus": "GIFT"}, "special_skus"),
        ({"routes": {"bored": "service"}}, "routes"),
        ({"direct_refund": {"no_such_op": [1]}}, "direct_refund"),
        ({"surprise": 1}, "document"),
    ],
)
def test_a_bad_policy_is_refused_by_field_and_saves_nothing(document, field):
    assert field in policy_problems(document)
    before = RefundPolicy.objects.count()
    with pytest.raises(InvalidRefund) as refused:
        policy_save(document=document, note="", actor=TEST_ACTOR)
    assert field in refused.value.details
    assert RefundPolicy.objects.count() == before


def test_a_saved_policy_is_a_new_version_and_filed_requests_keep_theirs(paid_order, supervisor):
    first = file_refund(paid_order, "120.00")
    assert first.policy_version == policy_current().version == 1

    saved = policy_save(document={"auto_approve_max": "150.00"}, note="more automatic", actor=TEST_ACTOR)
    second = file_refund(paid_order, "120.00")

    assert saved.version == 2
    assert (first.status, first.policy_version) == ("approving", 1)
    assert (second.status, second.policy_version) == ("approved", 2)
    decision = RefundDecision.objects.get(request=second)
    assert (decision.kind, decision.policy_version) == ("auto", 2)


def test_a_customer_with_months_of_clean_history_is_trusted_from_the_records(channel, stocked):
    old = create_order(channel, external_id="TM-OLD", lines=(("TEA-001", 1),))
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=200))
    from tests.factories import pay_through_gateway

    order = create_order(channel, external_id="TM-NEW", lines=(("TEA-001", 2),))
    pay_through_gateway(order)

    refund = file_refund(order, "300.00")

    assert refund.status == statuses.APPROVED
    assert RefundDecision.objects.get(request=refund).kind == "direct"
