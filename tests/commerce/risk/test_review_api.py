"""The review queue over the API: approve lets the order continue its flows, reject cancels it, bad input changes nothing."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.inventory.models import StockItem
from commerce.orders import services as order_services
from commerce.orders.models import Order
from commerce.outbox import names
from commerce.risk.models import BlacklistEntry, RiskHit
from runtime.dispatch import outbox_drain
from runtime.models import Execution
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, order_input
from tests.runtime.conftest import action, event_flow, publish

pytestmark = pytest.mark.django_db


def _held(channel, phone="17012345678"):
    data = order_input(channel, status="paid", client_ip="203.0.113.5")
    data = order_services.OrderInput(
        **{**data.__dict__, "customer": order_services.CustomerInput(name="张伟", phone=phone)}
    )
    return order_services.order_place(data=data, actor=TEST_ACTOR).order


def test_the_queue_lists_the_held_order_with_its_rule_and_evidence(channel, stocked):
    order = _held(channel)

    answer = client_for("operator").get("/api/v1/risk/reviews/")

    assert answer.status_code == 200
    [row] = answer.json()["results"]
    # The IP is personal data, masked like the phone for a role that does not read phone numbers.
    assert (row["order_id"], row["phone"], row["client_ip"]) == (order.pk, "170****5678", "203.0.113.*")
    assert [(h["rule"], h["evidence"], h["state"]) for h in row["hits"]] == [
        ("virtual_number", {"phone.virtual": True}, "pending")
    ]
    [full] = client_for("supervisor").get("/api/v1/risk/reviews/").json()["results"]
    assert (full["phone"], full["client_ip"]) == ("17012345678", "203.0.113.5")


def test_approving_releases_the_hold_and_the_order_continues_its_flows(channel, stocked):
    flow = publish(event_flow(names.RISK_CLEARED, [action("tag", "order.tag", {"tag": "risk-cleared"})]))
    order = _held(channel)

    answer = client_for("operator").post(f"/api/v1/risk/reviews/{order.pk}/approve/", {"note": "老客户"}, format="json")
    outbox_drain(run_inline=10)

    assert answer.status_code == 200, answer.content
    assert answer.json()["hits"][0]["state"] == "approved"
    stored = Order.objects.get(pk=order.pk)
    assert (stored.on_hold, stored.status) == (False, "paid")
    execution = Execution.objects.get(flow=flow)
    assert execution.status == "succeeded"
    assert list(stored.tag_rows.values_list("name", flat=True)) == ["risk-cleared"]
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="risk_approved").count() == 1
    rule = client_for("admin").get("/api/v1/risk/rules/").json()
    virtual = next(r for r in rule if r["key"] == "virtual_number")
    assert (virtual["hits_approved"], virtual["false_positive_rate"]) == (1, 1.0)


def test_a_second_decision_is_refused_and_changes_nothing(channel, stocked):
    order = _held(channel)
    client_for("operator").post(f"/api/v1/risk/reviews/{order.pk}/approve/", {}, format="json")

    again = client_for("operator").post(f"/api/v1/risk/reviews/{order.pk}/reject/", {"reason": "x"}, format="json")

    assert again.status_code == 409
    assert again.json()["code"] == "risk_not_pending"
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_rejecting_cancels_releases_stock_and_blacklists(channel, stocked):
    order = _held(channel)

    answer = client_for("supervisor").post(
        f"/api/v1/risk/reviews/{order.pk}/reject/", {"reason": "刷单", "blacklist": ["phone", "ip"]}, format="json"
    )

    assert answer.status_code == 200, answer.content
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.on_hold) == ("cancelled", False)
    assert StockItem.objects.values_list("on_hand", "reserved").get() == (100, 0)
    assert sorted(BlacklistEntry.objects.values_list("kind", "value")) == [
        ("ip", "203.0.113.5"),
        ("phone", "17012345678"),
    ]
    assert RiskHit.objects.get(order=order).state == "rejected"
    assert AuditEntry.objects.filter(subject_id=str(order.pk), action="risk_rejected").count() == 1


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("reject/", {}, "reason"),
        ("reject/", {"reason": "x", "blacklist": ["email"]}, "blacklist"),
        ("reject/", {"reason": "x" * 201}, "reason"),
        ("blacklist/", {"kinds": []}, "kinds"),
        ("blacklist/", {"kinds": ["phone", "phone"]}, "kinds"),
        ("blacklist/", {"kinds": ["account"]}, "kinds"),
        ("approve/", {"note": "x" * 201}, "note"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(channel, stocked, path, body, field):
    order = _held(channel)

    answer = client_for("operator").post(f"/api/v1/risk/reviews/{order.pk}/{path}", body, format="json")

    assert answer.status_code == 400, answer.content
    assert field in answer.json()["details"]
    assert Order.objects.get(pk=order.pk).on_hold
    assert RiskHit.objects.get(order=order).state == "pending"
    assert not BlacklistEntry.objects.exists()


def test_an_unknown_order_is_404(channel, stocked):
    assert client_for("operator").post("/api/v1/risk/reviews/999999/approve/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"condition": {"==": [{"var": "order.nope"}, 1]}}, "condition"),
        ({"condition": "yes"}, "condition"),
        ({"condition": {"frobnicate": [1]}}, "condition"),
        ({"condition": {"==": [1, 1]}}, "condition"),  # reads nothing: would hold every order
        ({"condition": {"and": []}}, "condition"),  # the builder's empty group
        ({"name_zh": ""}, "name_zh"),
    ],
)
def test_a_rule_that_cannot_be_evaluated_is_refused(body, field):
    from commerce.risk.models import RiskRule

    rule = RiskRule.objects.get(key="same_ip_burst")

    answer = client_for("admin").patch(f"/api/v1/risk/rules/{rule.pk}/", body, format="json")

    assert answer.status_code == 400, answer.content
    assert field in answer.json()["details"]
    assert RiskRule.objects.get(pk=rule.pk).condition == rule.condition


def test_a_rule_edit_is_audited_and_takes_effect(channel, stocked):
    from commerce.risk.models import RiskRule

    rule = RiskRule.objects.get(key="virtual_number")
    answer = client_for("admin").patch(f"/api/v1/risk/rules/{rule.pk}/", {"enabled": False}, format="json")

    assert answer.status_code == 200
    assert AuditEntry.objects.filter(subject_type="risk_rule", subject_id=str(rule.pk)).count() == 1
    assert not Order.objects.get(pk=_held(channel).pk).on_hold


def test_a_blacklist_entry_is_normalised_and_kept_once():
    first = client_for("operator").post(
        "/api/v1/risk/blacklist/", {"kind": "phone", "value": "+86 170-1234-5678"}, format="json"
    )
    again = client_for("operator").post(
        "/api/v1/risk/blacklist/", {"kind": "phone", "value": "17012345678"}, format="json"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["value"] == "17012345678"
    assert (
        client_for("operator").post("/api/v1/risk/blacklist/", {"kind": "ip", "value": " "}, format="json").status_code
        == 400
    )


def test_the_api_create_keeps_the_buyers_ip_and_device(channel, stocked):
    from tests.factories import order_payload

    body = order_payload(
        client_ip="2001:db8::7", device="Android; MiniProgram", buyer_account="wx-1", buyer_remark="尽快"
    )
    answer = client_for("operator").post("/api/v1/orders/", body, format="json")

    assert answer.status_code == 201, answer.content
    stored = Order.objects.get(pk=answer.json()["id"])
    assert (stored.client_ip, stored.device, stored.buyer_account, stored.buyer_remark) == (
        "2001:db8::7",
        "Android; MiniProgram",
        "wx-1",
        "尽快",
    )
    refused = client_for("operator").post(
        "/api/v1/orders/", order_payload(external_id="X", client_ip="999.1.1.1"), format="json"
    )
    assert refused.status_code == 400 and "client_ip" in refused.json()["details"]


def test_approving_sends_an_order_the_warehouse_gate_kept_for_its_hold(
    channel, stocked, django_capture_on_commit_callbacks
):
    from commerce.screening.services import screening_gate
    from commerce.screening.signals import screening_passed

    order = _held(channel)
    assert [r["key"] for r in screening_gate(order_id=order.pk).reasons] == ["not_held"]
    sent = []
    screening_passed.connect(lambda **kw: sent.append(kw["order_id"]), dispatch_uid="test.sent", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client_for("operator").post(f"/api/v1/risk/reviews/{order.pk}/approve/", {}, format="json")
    finally:
        screening_passed.disconnect(dispatch_uid="test.sent")

    assert sent == [order.pk]
    assert order.screening.__class__.objects.get(order=order).state == "passed"


def test_a_rules_key_does_not_change():
    from commerce.risk.models import RiskRule

    rule = RiskRule.objects.get(key="same_ip_burst")

    answer = client_for("admin").patch(
        f"/api/v1/risk/rules/{rule.pk}/", {"key": "other", "enabled": False}, format="json"
    )

    assert answer.status_code == 400
    assert "key" in answer.json()["details"]
    assert RiskRule.objects.values_list("key", "enabled").get(pk=rule.pk) == ("same_ip_burst", True)


def test_a_new_rule_is_audited_and_holds_from_then_on(channel, stocked):
    from commerce.risk.models import RiskRule

    body = {
        "key": "big_order",
        "name_zh": "大额订单",
        "name_en": "Big order",
        "condition": {"and": [{">=": [{"var": "order.total_amount"}, 150]}]},
    }
    answer = client_for("admin").post("/api/v1/risk/rules/", body, format="json")
    again = client_for("admin").post("/api/v1/risk/rules/", body, format="json")

    assert (answer.status_code, again.status_code) == (201, 400)
    assert "key" in again.json()["details"]
    rule = RiskRule.objects.get(key="big_order")
    assert AuditEntry.objects.filter(subject_type="risk_rule", subject_id=str(rule.pk), action="created").count() == 1
    order = _held(channel, phone="13900139000")
    assert list(RiskHit.objects.filter(order=order).values_list("rule__key", "evidence")) == [
        ("big_order", {"order.total_amount": 199.0})
    ]
