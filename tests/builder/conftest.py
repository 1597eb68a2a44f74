"""Test-only stand-ins for actions: the real core actions are registered by the runtime's ready()."""

import pytest

from builder.catalog import ActionSpec, registered_actions

TEST_ACTIONS = (
    ActionSpec(
        key="order.create_gift",
        name_en="Add a gift order",
        name_zh="添加赠品订单",
        params_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["sku", "quantity"],
            "properties": {
                "sku": {"type": "string", "minLength": 1, "maxLength": 64},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
            },
        },
    ),
    ActionSpec(
        key="order.note",
        name_en="Add a note",
        name_zh="添加备注",
        params_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["text"],
            "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000}},
        },
    ),
    ActionSpec(
        key="notify.inbox",
        name_en="Notify a role's inbox",
        name_zh="站内通知",
        group="notify",
        params_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["to_role", "title", "body"],
            "properties": {
                "to_role": {"enum": ["operator", "supervisor", "finance", "admin", "manager"]},
                "title": {"type": "string", "minLength": 1},
                "body": {"type": "string"},
            },
        },
        output_schema={
            "type": "object",
            "additionalProperties": False,
            "properties": {"message_id": {"type": "integer"}},
        },
    ),
    ActionSpec(
        key="sms.send",
        name_en="Send an SMS",
        name_zh="发送短信",
        connector="sandbox-sms",
        group="notify",
        contacts_customer=True,
        params_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["phone", "text"],
            "properties": {"phone": {"type": "string"}, "text": {"type": "string"}},
        },
    ),
)


@pytest.fixture(autouse=True)
def test_actions():
    """The catalog holds exactly these actions during each builder test."""
    with registered_actions(*TEST_ACTIONS, only=True) as specs:
        yield specs
