import pytest

from builder.catalog import (
    ActionSpec,
    action_spec,
    action_specs,
    catalog_document,
    register_action,
    registered_actions,
)
from commerce.outbox.names import DOMAIN_EVENTS

EXTRA = ActionSpec(key="test.extra", name_en="Extra", name_zh="额外", params_schema={"type": "object"})


def test_registered_actions_restores_the_catalog_exactly(test_actions):
    stand_in = ActionSpec(key="order.note", name_en="Stand-in", name_zh="替身", params_schema={"type": "object"})
    original = action_spec("order.note")

    with registered_actions(stand_in, EXTRA):
        assert action_spec("order.note") is stand_in
        assert action_spec("test.extra") is EXTRA

    assert action_spec("order.note") is original
    assert action_spec("test.extra") is None


def test_registering_a_key_twice_differently_is_refused():
    with registered_actions():
        register_action(EXTRA)
        register_action(EXTRA)
        with pytest.raises(ValueError):
            register_action(ActionSpec(key="test.extra", name_en="Other", name_zh="其他", params_schema={}))
        assert action_spec("test.extra") is EXTRA

    assert action_spec("test.extra") is None


def test_core_actions_come_first_then_connectors():
    assert [spec.key for spec in action_specs()] == ["notify.inbox", "order.create_gift", "order.note", "sms.send"]


def test_catalog_document_lists_triggers_events_actions_connectors_and_operators():
    document = catalog_document()

    assert [t["type"] for t in document["triggers"]] == ["event", "schedule", "webhook", "manual"]
    assert document["triggers"][1]["name"] == {"en": "On a schedule", "zh": "定时"}
    assert document["triggers"][1]["config_schema"]["required"] == ["type", "cron", "timezone"]
    assert sorted(document["triggers"][2]["context_schema"]["properties"]) == ["event", "steps", "webhook"]
    assert [e["name"] for e in document["events"]] == list(DOMAIN_EVENTS)
    assert document["events"][1] == {
        "name": "order.paid",
        "name_en": "Order paid",
        "name_zh": "订单已支付",
        "title": {"en": "Order paid", "zh": "订单已支付"},
        "objects": ["order"],
        "context_schema": document["events"][1]["context_schema"],
        "available": True,
        "unavailable_reason": None,
    }
    assert sorted(document["events"][1]["context_schema"]["properties"]) == ["event", "order", "steps"]
    assert [a["key"] for a in document["actions"]] == ["notify.inbox", "order.create_gift", "order.note", "sms.send"]
    assert document["actions"][3]["connector"] == "sandbox-sms"
    # Every registered connector is listed (the palette groups nodes by connector), with its actions.
    assert [c for c in document["connectors"] if c["key"] in ("core", "sandbox-sms")] == [
        {
            "key": "core",
            "name": {"en": "Orderflow", "zh": "内置"},
            "kind": "core",
            "icon": "",
            "actions": ["notify.inbox", "order.create_gift", "order.note"],
        },
        {
            "key": "sandbox-sms",
            "name": {"en": "sandbox-sms", "zh": "sandbox-sms"},
            "kind": "",
            "icon": "",
            "actions": ["sms.send"],
        },
    ]
    shopify = next(c for c in document["connectors"] if c["key"] == "shopify")
    assert shopify == {
        "key": "shopify",
        "name": {"en": "Shopify", "zh": "Shopify"},
        "kind": "platform",
        "icon": "",
        "actions": [],
    }
    assert {"operator": ">=", "name": {"en": "At least", "zh": "大于等于"}} in document["condition"]["operators"]
    assert len(document["condition"]["operators"]) == 35  # the 34 of the library flows use, plus minutes_since
    assert {
        "operator": "minutes_since",
        "name": {"en": "Minutes since (a time)", "zh": "距今分钟数（时间）"},
    } in document["condition"]["operators"]
    assert [f["name"] for f in document["template"]["filters"]] == ["default", "upper", "lower", "money", "date"]
