"""What the person editing a flow reads: every problem kind the validator has, in Chinese and English,
says what is wrong and what to do, with no JSON pointer and no regular expression in it.

Each case crafts a bad flow for one problem kind; ``test_every_problem_kind_is_crafted`` fails when
the validator grows a kind this file does not make.
"""

import copy
import dataclasses
import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.utils import translation

from builder import events, services
from builder.catalog import ActionSpec, registered_actions
from builder.models import Flow
from builder.redaction import document_problems
from builder.validation import validate_document
from commerce.outbox import names
from runtime.actions.http import HttpRequest
from tests.builder.documents import gift_flow
from tests.conftest import make_user

# A stand-in with the shapes a real action's params have: a slug pattern, an enum, bounds, a list.
TICKET = ActionSpec(
    key="ticket.open",
    name_en="Open a ticket",
    name_zh="创建工单",
    params_schema={
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "queue", "priority"],
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 40},
            "queue": {"type": "string", "minLength": 1, "pattern": "^[-a-zA-Z0-9_]+$"},
            "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
            "due_in_minutes": {"type": "integer", "minimum": 1, "maximum": 525600},
        },
    },
)


@pytest.fixture(autouse=True)
def real_shaped_actions():
    with registered_actions(TICKET, HttpRequest.spec):
        yield


@pytest.fixture(autouse=True)
def an_unavailable_event(monkeypatch):
    """Every event is emitted today; reconciliation differences are taken as not yet, so the
    ``event_unavailable`` problem can be made and read."""
    spec = events.EVENTS[names.RECONCILIATION_DIFFERENCE]
    reason = events.NotEmittedYet(en="Not connected yet: a test.", zh="尚未接入：测试。")
    monkeypatch.setitem(events.EVENTS, names.RECONCILIATION_DIFFERENCE, dataclasses.replace(spec, unavailable=reason))


def _ticket(**params) -> dict:
    document = gift_flow()
    document["nodes"][1] = {
        "id": "ticket",
        "type": "action",
        "action": "ticket.open",
        "params": {"title": "大单 {{ order.number }}", "queue": "service", "priority": "high", **params},
    }
    document["edges"][1]["to"] = "ticket"
    return document


def _with(**changes):
    def make():
        document = gift_flow()
        for key, value in changes.items():
            document[key] = value
        return document

    return make


def _edit(edit):
    def make():
        document = gift_flow()
        edit(document)
        return document

    return make


def _node_at(i, **fields):
    return _edit(lambda d: d["nodes"][i].update(fields))


def _step_output_unknown(document):
    """A node reading an output field the step before it does not produce."""
    tell = {
        "id": "tell",
        "type": "action",
        "action": "notify.inbox",
        "params": {"to_role": "operator", "title": "大单", "body": ""},
    }
    note = {"id": "note", "type": "action", "action": "order.note", "params": {"text": "{{ steps.tell.nothing }}"}}
    document["nodes"] += [tell, note]
    document["edges"] += [{"from": "gift", "to": "tell"}, {"from": "tell", "to": "note"}]


GIFT = {"id": "gift2", "type": "action", "action": "order.create_gift", "params": {"sku": "X", "quantity": 1}}

# (problem code, how to make a flow that has it)
CASES = [
    ("wrong_type", lambda: ["not", "a", "flow"]),
    ("document_too_large", _with(description="长" * 200_000)),
    ("missing_field", _edit(lambda d: d["nodes"][1].pop("action"))),
    ("unexpected_field", _with(colour="red")),
    ("wrong_type", _with(name=42)),
    ("not_allowed", _edit(lambda d: d["edges"][1].update(branch="yes"))),
    ("not_allowed", _with(format="orderflow.flow/v0")),
    ("bad_format", _node_at(1, id="1gift")),
    ("out_of_range", _with(name="")),
    (
        "duplicate_item",
        _with(
            trigger={
                "type": "schedule",
                "cron": "0 9 * * *",
                "timezone": "Asia/Shanghai",
                "for_each": {"collection": "orders", "filter": {"status": ["paid", "paid"]}},
            }
        ),
    ),
    ("invalid_param", lambda: _ticket(queue="客服 队列")),
    ("invalid_param", lambda: _ticket(priority="asap")),
    ("invalid_param", lambda: _ticket(title="")),
    ("invalid_param", lambda: _ticket(title="x" * 50)),
    ("invalid_param", lambda: _ticket(due_in_minutes=0)),
    ("invalid_param", lambda: _ticket(due_in_minutes="soon")),
    ("invalid_param", lambda: _ticket(colour="red")),
    ("invalid_param", _edit(lambda d: d["nodes"][1]["params"].pop("sku"))),
    ("reserved_node_id", _edit(lambda d: (d["nodes"][1].update(id="trigger"), d["edges"][1].update(to="trigger")))),
    ("duplicate_node_id", _edit(lambda d: d["nodes"].append({**GIFT, "id": "gift"}))),
    ("empty_flow", _with(nodes=[], edges=[])),
    ("dangling_edge", _edit(lambda d: d["edges"].append({"from": "ghost", "to": "gift"}))),
    ("edge_into_trigger", _edit(lambda d: d["edges"].append({"from": "gift", "to": "trigger"}))),
    ("missing_branch", _edit(lambda d: d["edges"][1].pop("branch"))),
    ("unexpected_branch", _edit(lambda d: d["edges"][0].update(branch="true"))),
    ("duplicate_edge", _edit(lambda d: d["edges"].append(dict(d["edges"][1])))),
    ("cycle", _edit(lambda d: d["edges"].append({"from": "gift", "to": "big"}))),
    ("unreachable_node", _edit(lambda d: d["nodes"].append(GIFT))),
    ("unknown_event", _with(trigger={"type": "event", "event": "order.teleported"})),
    ("event_unavailable", _with(trigger={"type": "event", "event": "reconciliation.difference"})),
    ("invalid_cron", _with(trigger={"type": "schedule", "cron": "every day", "timezone": "Asia/Shanghai"})),
    ("invalid_cron", _with(trigger={"type": "schedule", "cron": "0 9 31 2 *", "timezone": "Asia/Shanghai"})),
    ("invalid_cron", _with(trigger={"type": "schedule", "cron": "@sometimes", "timezone": "Asia/Shanghai"})),
    ("invalid_timezone", _with(trigger={"type": "schedule", "cron": "0 9 * * *", "timezone": "Mars/Olympus"})),
    ("invalid_rule", _node_at(0, rule={">=": [1, 2], "<": [1, 2]})),
    ("unknown_operator", _node_at(0, rule={"teleport": [1, 2]})),
    ("unknown_action", _node_at(1, action="order.teleport")),
    ("template_syntax", lambda: _ticket(title="大单 {{ order.number")),
    ("unknown_reference", _node_at(0, rule={">=": [{"var": "order.total_amt"}, 599]})),
    ("unknown_reference", lambda: _ticket(title="{{ steps.ticket.id }}")),
    ("unknown_reference", _edit(_step_output_unknown)),
]

POINTER = re.compile(r"(^|[\s“'\"(])/(nodes|edges|trigger|params|format|name)\b|/\d+/")
REGEX = re.compile(r"\^\[|\]\+\$|\\d|\{\d+,\d*\}|\[-?a-zA-Z|\(\?|\$'")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _problems(make) -> list:
    return validate_document(make())


def _secret_problems(settings) -> list:
    """secret_unreadable and secret_too_long, from a stored document (they need sealed values)."""
    owner = make_user("owner", "operator")
    document = gift_flow(trigger={"type": "webhook", "hmac_secret": "whsec-0123456789"})
    document["nodes"] = [
        {
            "id": "call",
            "type": "action",
            "action": "http.request",
            "params": {"method": "POST", "url": "https://erp.example/hook", "sign_secret": "s" * 200},
        }
    ]
    document["edges"] = [{"from": "trigger", "to": "call"}]
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    too_long = services.flow_create(owner=owner, definition=copy.deepcopy(document))
    readable = document_problems(Flow.objects.get(pk=too_long.pk).draft)
    settings.ORDERFLOW_SECRETS_KEY = Fernet.generate_key().decode()
    unreadable = document_problems(Flow.objects.get(pk=too_long.pk).draft)
    return readable + unreadable


def _every_problem(settings) -> list:
    return [p for _code, make in CASES for p in _problems(make)] + _secret_problems(settings)


@pytest.mark.parametrize(("code", "make"), CASES, ids=[f"{i}-{code}" for i, (code, _m) in enumerate(CASES)])
def test_each_case_has_its_problem(code, make):
    assert code in [p.code for p in _problems(make)]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_message_holds_a_pointer_or_a_pattern_and_each_is_in_the_language(settings, language):
    with translation.override(language):
        problems = _every_problem(settings)

    assert len(problems) > len(CASES)
    for problem in problems:
        said = problem.message
        assert said, problem
        assert not POINTER.search(said), (problem.code, said)
        assert not REGEX.search(said), (problem.code, said)
        assert problem.detail != said, problem.code
        if language == "zh-hans":
            assert CJK.search(said), (problem.code, said)


@pytest.mark.django_db
def test_every_problem_kind_is_crafted(settings):
    """Every code the validator can add is in CASES (or comes from the secrets check)."""
    sources = Path(__file__).resolve().parents[2] / "builder"
    text = "\n".join(p.read_text() for p in [*sources.glob("validation/*.py"), sources / "redaction.py"])
    added = set(re.findall(r'(?:add|Problem)\(\s*"([a-z_]+)"', text)) | set(
        re.findall(r'"([a-z_]+)",\s*\n\s*"[^"]*",\s*\n\s*None', text)
    )
    shape_codes = {
        "missing_field",
        "unexpected_field",
        "wrong_type",
        "not_allowed",
        "bad_format",
        "out_of_range",
        "duplicate_item",
        "invalid_param",
    }
    made = {code for code, _make in CASES} | {"secret_unreadable", "secret_too_long", "event_unavailable"}

    assert len(added) > 20  # the scan finds the codes where they are added
    assert (added | shape_codes) - made == set()
    assert {p.code for p in _secret_problems(settings)} == {"secret_too_long", "secret_unreadable"}


def test_a_param_problem_names_the_param_by_its_title_and_says_what_to_do():
    with translation.override("zh-hans"):
        [zh] = _problems(lambda: _ticket(queue="客服 队列"))
    with translation.override("en"):
        [en] = _problems(lambda: _ticket(queue="客服 队列"))

    assert (zh.node_id, zh.field, zh.pointer) == ("ticket", "queue", "/nodes/1/params/queue")
    assert zh.message == "「队列」的写法不正确。请从列表中选择。"
    assert en.message == "“Queue” is not written the way it must be. Pick a value from the list."
    assert en.detail == "'客服 队列' does not match '^[-a-zA-Z0-9_]+$'"
    assert en.as_dict() == {
        "code": "invalid_param",
        "message": en.message,
        "node": "ticket",
        "node_id": "ticket",
        "field": "queue",
        "pointer": "/nodes/1/params/queue",
        "detail": en.detail,
    }


def test_an_enum_problem_shows_the_value_and_the_field_by_their_labels():
    with translation.override("zh-hans"):
        [problem] = _problems(_edit(lambda d: d["edges"][1].update(branch="yes")))

    assert problem.message == "“yes”不是「条件出口（是/否）」的可选值，请从列表中选择。"
    assert problem.field == "branch"


def test_an_unknown_reference_names_the_event_by_its_name():
    with translation.override("zh-hans"):
        [problem] = _problems(_node_at(0, rule={">=": [{"var": "order.total_amt"}, 599]}))

    assert problem.message == "「条件」用到了“order.total_amt”，但事件「订单已支付」不提供这个字段，请从列表中选择。"
    assert (problem.node_id, problem.field) == ("big", "rule")
