"""``GET /api/v1/pickers/<kind>/``: the values a param may name, over the real rows."""

import pytest

from builder.catalog import PICKER_KINDS
from builder.pickers import picker_kinds
from commerce.orders.services import order_tag
from commerce.tickets.services import ticket_open
from connectors.models import Connection
from connectors.notify.models import NotificationLog
from tests.conftest import client_for
from tests.factories import TEST_ACTOR, ChannelFactory, create_order, make_user

pytestmark = pytest.mark.django_db


def _get(kind: str, role: str | None = "operator", **query):
    return client_for(role).get(f"/api/v1/pickers/{kind}/", query)


def _values(response) -> list:
    assert response.status_code == 200, response.content
    return [o["value"] for o in response.json()["options"]]


def test_every_picker_kind_is_served():
    assert picker_kinds() == PICKER_KINDS


def test_channels_are_offered_by_their_names(channel):
    ChannelFactory(code="jd", name="京东自营")
    ChannelFactory(code="old", name="旧店", active=False)

    answer = _get("channel").json()

    assert answer == {
        "kind": "channel",
        "options": [
            {"value": "jd", "label": {"zh": "京东自营", "en": "京东自营"}, "hint": "jd"},
            {"value": "tmall", "label": {"zh": "天猫旗舰店", "en": "天猫旗舰店"}, "hint": "tmall"},
        ],
    }
    assert _values(_get("channel", q="天猫")) == ["tmall"]
    assert _values(_get("channel", q="JD")) == ["jd"]


def test_queues_offer_the_slug_as_value_and_客服_as_label():
    ticket_open(
        title="Check",
        queue="vip-care",
        priority="normal",
        assignee_role="operator",
        due_at=None,
        order_id=None,
        actor=TEST_ACTOR,
    )

    options = _get("queue").json()["options"]

    assert [o["value"] for o in options] == ["warehouse", "supervisor", "service", "finance", "vip-care"]
    assert options[2] == {"value": "service", "label": {"zh": "客服", "en": "Service"}, "hint": "service"}
    assert _values(_get("queue", q="客服")) == ["service"]


def test_tags_are_the_ones_in_use_most_used_first(channel, stocked):
    first = create_order(channel, external_id="T-1")
    second = create_order(channel, external_id="T-2")
    for order, tag in ((first, "vip"), (second, "vip"), (second, "risk")):
        order_tag(order_id=order.pk, tag=tag, actor=TEST_ACTOR)

    options = _get("tag").json()["options"]

    assert options == [
        {"value": "vip", "label": {"zh": "vip", "en": "vip"}, "hint": "2"},
        {"value": "risk", "label": {"zh": "risk", "en": "risk"}, "hint": "1"},
    ]


def test_statuses_roles_and_priorities_carry_their_labels():
    statuses = _get("status").json()["options"]
    roles = _get("role").json()["options"]

    assert statuses[1] == {"value": "paid", "label": {"zh": "已支付", "en": "Paid"}, "hint": ""}
    assert len(statuses) == 8
    assert [r["value"] for r in roles] == ["operator", "supervisor", "finance", "admin", "manager"]
    assert _values(_get("ticket_priority", q="紧急")) == ["urgent"]


def test_users_warehouses_and_skus_are_the_real_rows(stocked):
    make_user("wang", "supervisor")
    make_user("gone", "operator").__class__.objects.filter(username="gone").update(is_active=False)

    assert "wang" in _values(_get("user"))
    assert "gone" not in _values(_get("user"))
    assert _get("warehouse").json()["options"] == [
        {"value": "sh-main", "label": {"zh": "上海主仓", "en": "上海主仓"}, "hint": "sh-main"}
    ]
    assert _values(_get("sku", q="龙井")) == ["TEA-001"]
    assert _values(_get("sku", q="no-such")) == []


def test_connections_are_filtered_by_connector():
    wecom = Connection.objects.create(connector="wecom_robot", name="客服群", sandbox=True)
    sms = Connection.objects.create(connector="aliyun_sms", name="短信主账号")
    Connection.objects.create(connector="aliyun_sms", name="停用", enabled=False)

    assert _values(_get("connection")) == [sms.pk, wecom.pk]
    options = _get("connection", connector="wecom_robot").json()["options"]

    assert options == [
        {
            "value": wecom.pk,
            "label": {"zh": "客服群（企业微信群机器人）", "en": "客服群 (WeCom group robot)"},
            "hint": "企业微信群机器人 · sandbox",
        }
    ]


def test_message_templates_are_the_ones_the_log_has_sent_through():
    sms = Connection.objects.create(connector="aliyun_sms", name="短信主账号")
    NotificationLog.objects.create(channel="sms", connection=sms, template="SMS_100", idempotency_key="a")
    NotificationLog.objects.create(channel="sms", connection=sms, idempotency_key="b")

    assert _values(_get("message_template", connector="aliyun_sms")) == ["SMS_100"]
    assert _values(_get("message_template", connector="wechat_mp")) == []


def test_couriers_and_events():
    assert _values(_get("courier")) == ["kuaidi100", "sf"]
    assert "order.paid" in _values(_get("event"))
    assert "reconciliation.difference" not in _values(_get("event"))


def test_limit_bounds_the_answer(channel):
    ChannelFactory(code="jd", name="京东自营")

    assert len(_values(_get("channel", limit=1))) == 1


@pytest.mark.parametrize("role", ["operator", "supervisor", "finance", "admin", "manager"])
def test_every_logged_in_role_may_read_a_picker(role):
    assert _get("status", role=role).status_code == 200


def test_anonymous_callers_are_refused():
    assert _get("status", role=None).status_code == 401


def test_an_unknown_kind_is_404_with_the_error_body():
    response = _get("planets")

    assert response.status_code == 404
    assert response.json() == {
        "code": "no_such_picker",
        "message": "There is no list of planets to pick from.",
        "details": {"kind": "planets", "kinds": list(PICKER_KINDS)},
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "x" * 101}, "q"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"connector": "not a slug!"}, "connector"),
        ({"connection": "99999999999"}, "connection"),
    ],
)
def test_bad_queries_are_400_with_the_field(query, field):
    response = _get("connection", **query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["details"]
