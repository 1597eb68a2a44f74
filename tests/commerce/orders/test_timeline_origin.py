"""The status trace: each timeline entry's source in words (``commerce.orders.timeline.entry_origin``)."""

import pytest

from commerce.audit.models import AuditEntry
from commerce.orders import services as order_services
from commerce.orders.timeline import entry_origin
from core.actors import Actor
from tests.factories import ChannelFactory, create_order, make_user


def _entry(kind: str, id: str, label: str, source: str, action: str = "tagged") -> AuditEntry:
    return AuditEntry(
        subject_type="order",
        subject_id="1",
        action=action,
        actor_kind=kind,
        actor_id=id,
        actor_label=label,
        source=source,
        changes={},
        trace_id="t",
    )


def test_a_flow_change_names_the_flow_and_version_and_links_to_its_execution_on_the_canvas():
    origin = entry_origin(_entry("flow_execution", "77", "签收即完成 v3", "flow:12"))

    assert origin == {
        "kind": "flow",
        "label_zh": "来自流程「签收即完成」v3",
        "label_en": "From flow “签收即完成” v3",
        "link": "/app/flows/12?execution=77",
    }


def test_a_flow_named_with_a_v_keeps_its_whole_name():
    origin = entry_origin(_entry("flow_execution", "5", "VIP v2 tagging v10", "flow:3"))

    assert origin["label_zh"] == "来自流程「VIP v2 tagging」v10"


def test_a_connection_push_names_the_connection_and_how_it_arrived():
    webhook = entry_origin(_entry("connection", "4", "天猫", "webhook:tmall"))
    poll = entry_origin(_entry("connection", "4", "京东自营", "poll:jd"))

    assert webhook == {
        "kind": "connection",
        "label_zh": "来自天猫推送",
        "label_en": "Push from 天猫",
        "link": "/app/connections/4",
    }
    assert (poll["label_zh"], poll["label_en"]) == ("来自京东自营轮询", "Polling from 京东自营")


def test_a_user_change_is_by_hand():
    origin = entry_origin(_entry("user", "9", "张三", "api"))

    assert origin == {"kind": "user", "label_zh": "由 张三 手动", "label_en": "By 张三, by hand", "link": None}


@pytest.mark.django_db
def test_an_import_names_the_channel_by_its_name_and_who_uploaded_the_file():
    ChannelFactory(code="jd", name="京东自营")
    cache: dict = {}

    by_user = entry_origin(_entry("user", "9", "张三", "import:jd"), channels=cache)
    by_command = entry_origin(_entry("system", "", "import_orders", "import:jd"), channels=cache)

    assert by_user["kind"] == "import"
    assert by_user["label_zh"] == "来自导入文件（京东自营，由 张三 上传）"
    assert by_command["label_zh"] == "来自导入文件（京东自营）"
    assert cache == {"jd": "京东自营"}


def test_schedules_and_the_system_say_which_job():
    sweep = entry_origin(_entry("system", "", "payment timeout sweep", "schedule"))
    other = entry_origin(_entry("system", "", "tests", "tests"))

    assert sweep["label_zh"] == "来自定时任务「payment timeout sweep」"
    assert sweep["kind"] == "schedule"
    assert other == {
        "kind": "system",
        "label_zh": "来自系统（tests）",
        "label_en": "From the system (tests)",
        "link": None,
    }


@pytest.mark.django_db
def test_the_timeline_api_answers_each_entry_with_its_origin_and_marks_ignored_events(channel, stocked):
    order = create_order(channel, external_id="TR-1", status="paid")
    clerk = make_user("张三", "operator")
    actor = Actor.user(clerk)
    order_services.order_tag(order_id=order.pk, tag="vip", actor=actor)
    order_services.order_transition(order_id=order.pk, to="pending_payment", reason="late push", actor=actor)
    from tests.conftest import client_for

    response = client_for("manager").get(f"/api/v1/orders/{order.pk}/timeline/")

    assert response.status_code == 200
    entries = response.json()["results"]
    assert [(e["action"], e["ignored"], e["origin"]["label_zh"]) for e in entries] == [
        ("created", False, "来自系统（tests）"),
        ("tagged", False, "由 张三 手动"),
        ("ignored", True, "由 张三 手动"),
    ]
    # The fields that were there before stay as they were.
    assert entries[1]["source"] == "api"
    assert entries[1]["actor"] == {"kind": "user", "id": str(clerk.pk), "label": "张三"}
