from builder.validation import Problem, validate_document
from tests.builder.documents import gift_flow


def _node(node_id, action="order.note", **params):
    return {"id": node_id, "type": "action", "action": action, "params": params or {"text": "hi"}}


def _notes(*node_ids, trigger=None, edges=None, **changes):
    """A flow of note actions chained trigger → a → b → …, unless ``edges`` says otherwise."""
    chain = ["trigger", *node_ids]
    return gift_flow(
        trigger=trigger or {"type": "event", "event": "order.paid"},
        nodes=[_node(node_id) for node_id in node_ids],
        edges=edges if edges is not None else [{"from": a, "to": b} for a, b in zip(chain, chain[1:], strict=False)],
        **changes,
    )


def test_design_example_is_valid():
    assert validate_document(gift_flow()) == []


def test_a_non_object_is_refused_at_the_root():
    assert validate_document(["not", "a", "flow"]) == [
        Problem("wrong_type", "a flow document is a JSON object", None, "")
    ]


def test_a_document_over_512_kb_is_refused_before_anything_else():
    document = gift_flow(description="x" * (5 * 1024 * 1024))

    assert validate_document(document) == [
        Problem(
            "document_too_large",
            "the document is 5243385 bytes; the limit is 524288 bytes",
            None,
            "",
        )
    ]


def test_schema_problems_point_at_the_missing_or_unexpected_field():
    document = gift_flow(format="orderflow.flow/v0")
    document["trigger"] = {"type": "event", "event": "order.paid", "cron": "* * * * *"}
    del document["nodes"][1]["action"]
    document["edges"][1]["branch"] = "yes"

    assert validate_document(document) == [
        Problem("not_allowed", "must be 'orderflow.flow/v1'", None, "/format"),
        Problem(
            "unexpected_field",
            "'cron' is not allowed here (allowed: event, position, type)",
            "trigger",
            "/trigger/cron",
        ),
        Problem("missing_field", "'action' is required", "gift", "/nodes/1/action"),
        Problem("not_allowed", "'yes' is not one of true, false", None, "/edges/1/branch"),
    ]


def test_a_node_with_an_unknown_type_or_a_bad_id_is_named_by_pointer():
    document = gift_flow()
    document["nodes"][0]["type"] = "loop"
    document["nodes"][1]["id"] = "1gift"

    assert validate_document(document) == [
        Problem("not_allowed", "'loop' is not one of condition, action", "big", "/nodes/0/type"),
        Problem("bad_format", "'1gift' does not match '^[A-Za-z][A-Za-z0-9_-]{0,63}$'", "1gift", "/nodes/1/id"),
    ]


def test_a_cycle_is_found_and_named():
    document = _notes(
        "a",
        "b",
        "c",
        edges=[
            {"from": "trigger", "to": "a"},
            {"from": "a", "to": "b"},
            {"from": "b", "to": "c"},
            {"from": "c", "to": "a"},
        ],
    )

    assert validate_document(document) == [
        Problem("cycle", "nodes a, b, c form a cycle; a flow is a directed acyclic graph", "a", "/edges/1"),
    ]


def test_a_self_loop_is_a_cycle():
    document = _notes("a", edges=[{"from": "trigger", "to": "a"}, {"from": "a", "to": "a"}])

    assert validate_document(document) == [
        Problem("cycle", "nodes a form a cycle; a flow is a directed acyclic graph", "a", "/edges/1"),
    ]


def test_an_edge_to_or_from_nowhere_is_dangling():
    document = _notes(
        "a", edges=[{"from": "trigger", "to": "a"}, {"from": "a", "to": "ghost"}, {"from": "x", "to": "a"}]
    )

    assert validate_document(document) == [
        Problem("dangling_edge", "edge leads to 'ghost', which is no node", "a", "/edges/1/to"),
        Problem("dangling_edge", "edge starts at 'x', which is no node", "a", "/edges/2/from"),
    ]


def test_an_unreachable_node_is_named():
    document = _notes("a", "b", edges=[{"from": "trigger", "to": "a"}])

    assert validate_document(document) == [
        Problem("unreachable_node", "node 'b' cannot be reached from the trigger", "b", "/nodes/1"),
    ]


def test_ids_are_unique_and_trigger_is_reserved():
    document = _notes("a", "a", "trigger", edges=[{"from": "trigger", "to": "a"}])

    assert validate_document(document) == [
        Problem("duplicate_node_id", "node id 'a' is also used by /nodes/0", "a", "/nodes/1/id"),
        Problem("reserved_node_id", "'trigger' is the trigger's id; name the node otherwise", None, "/nodes/2/id"),
    ]


def test_edges_into_the_trigger_and_duplicate_edges_are_refused():
    document = _notes("a", edges=[{"from": "trigger", "to": "a"}, {"from": "a", "to": "trigger"}])
    document["edges"].append({"from": "trigger", "to": "a"})

    assert validate_document(document) == [
        Problem("edge_into_trigger", "no edge may lead into the trigger", "a", "/edges/1/to"),
        Problem("duplicate_edge", "the same edge as /edges/0", "trigger", "/edges/2"),
    ]


def test_condition_edges_need_a_branch_and_others_must_not_have_one():
    document = gift_flow()
    del document["edges"][1]["branch"]
    document["edges"][0]["branch"] = "true"

    assert validate_document(document) == [
        Problem(
            "unexpected_branch",
            "only edges from a condition carry a branch; 'trigger' is not a condition",
            "trigger",
            "/edges/0/branch",
        ),
        Problem(
            "missing_branch",
            'an edge from condition \'big\' needs "branch": "true" or "false"',
            "big",
            "/edges/1/branch",
        ),
    ]


def test_a_condition_may_fan_out_on_one_branch():
    document = gift_flow()
    document["nodes"].append(_node("thank"))
    document["nodes"].append(_node("other"))
    document["edges"].append({"from": "big", "to": "thank", "branch": "true"})
    document["edges"].append({"from": "big", "to": "other", "branch": "false"})

    assert validate_document(document) == []


def test_an_unknown_action_is_named():
    document = gift_flow()
    document["nodes"][1]["action"] = "order.teleport"

    assert validate_document(document) == [
        Problem("unknown_action", "'order.teleport' is not an action in the catalog", "gift", "/nodes/1/action"),
    ]


def test_params_are_checked_against_the_action_schema():
    document = gift_flow()
    document["nodes"][1]["params"] = {"quantity": 0, "colour": "red"}

    assert validate_document(document) == [
        Problem(
            "invalid_param",
            "'colour' is not allowed here (allowed: quantity, sku)",
            "gift",
            "/nodes/1/params/colour",
        ),
        Problem("invalid_param", "0 is less than the minimum of 1", "gift", "/nodes/1/params/quantity"),
        Problem("invalid_param", "'sku' is required", "gift", "/nodes/1/params/sku"),
    ]


def test_missing_params_are_checked_as_an_empty_object():
    document = gift_flow()
    del document["nodes"][1]["params"]

    assert validate_document(document) == [
        Problem("invalid_param", "'quantity' is required", "gift", "/nodes/1/params/quantity"),
        Problem("invalid_param", "'sku' is required", "gift", "/nodes/1/params/sku"),
    ]


def test_an_unknown_jsonlogic_operator_is_named_with_its_pointer():
    document = gift_flow()
    document["nodes"][0]["rule"] = {"and": [{"==": [1, 1]}, {"approx": [{"var": "order.total_amount"}, 599]}]}

    assert validate_document(document) == [
        Problem("unknown_operator", "'approx' is not a JsonLogic operator", "big", "/nodes/0/rule/and/1/approx"),
    ]


def test_log_is_not_allowed_in_a_flow():
    document = gift_flow()
    document["nodes"][0]["rule"] = {"log": "hello"}

    assert validate_document(document) == [
        Problem("unknown_operator", "'log' is not a JsonLogic operator", "big", "/nodes/0/rule/log"),
    ]


def test_an_operation_with_two_keys_is_malformed():
    document = gift_flow()
    document["nodes"][0]["rule"] = {">=": [1, 0], "<": [1, 2]}

    assert validate_document(document) == [
        Problem(
            "invalid_rule",
            "a JsonLogic operation is an object with exactly one key (the operator), not 2",
            "big",
            "/nodes/0/rule",
        ),
    ]


def test_rule_variables_must_exist_in_the_context():
    document = gift_flow()
    document["nodes"][0]["rule"] = {
        "and": [
            {">=": [{"var": "order.total_amout"}, 599]},
            {"==": [{"var": ["order.customer.credit_level", 3]}, 3]},
            {">": [{"var": "order.lines.length"}, 1]},
            {"some": [{"var": "order.lines"}, {"==": [{"var": "sku"}, "TEA-001"]}]},
        ]
    }

    assert validate_document(document) == [
        Problem(
            "unknown_reference",
            "order.total_amout is not in the context of event order.paid",
            "big",
            "/nodes/0/rule/and/0/>=/0/var",
        ),
    ]


def test_templates_must_name_paths_of_the_trigger_context():
    document = gift_flow()
    document["nodes"][1]["action"] = "order.note"
    document["nodes"][1]["params"] = {"text": "Gift for {{ order.customer.name | upper }} in {{ order.provnce }}"}

    assert validate_document(document) == [
        Problem(
            "unknown_reference",
            "order.provnce is not in the context of event order.paid",
            "gift",
            "/nodes/1/params/text",
        ),
    ]


def test_template_syntax_errors_name_the_param():
    document = gift_flow()
    document["nodes"][1]["action"] = "order.note"
    document["nodes"][1]["params"] = {"text": "Hello {{ order.customer.name | shout }}"}

    assert validate_document(document) == [
        Problem(
            "template_syntax",
            "unknown filter 'shout' (known: default, upper, lower, money, date) (at character 31)",
            "gift",
            "/nodes/1/params/text",
        ),
    ]


def test_status_changed_events_carry_from_and_to():
    document = gift_flow(trigger={"type": "event", "event": "order.status_changed"})
    document["nodes"][1]["action"] = "order.note"
    document["nodes"][1]["params"] = {"text": "{{ from }} → {{ to }} ({{ reason | default('-') }})"}

    assert validate_document(document) == []


def test_steps_may_name_only_nodes_that_ran_before():
    document = _notes("first", "second")
    document["nodes"][0] = {
        "id": "first",
        "type": "action",
        "action": "notify.inbox",
        "params": {"to_role": "operator", "title": "t", "body": "{{ steps.second.message_id }}"},
    }
    document["nodes"][1]["params"] = {"text": "sent {{ steps.first.message_id }}, {{ steps.first.msg }}"}

    assert validate_document(document) == [
        Problem(
            "unknown_reference",
            "steps.second.message_id: 'second' is not a node that runs before 'first'",
            "first",
            "/nodes/0/params/body",
        ),
        Problem(
            "unknown_reference", "steps.first.msg is not in the output of 'first'", "second", "/nodes/1/params/text"
        ),
    ]


def test_a_low_stock_flow_reads_stock_not_order():
    document = _notes("a", trigger={"type": "event", "event": "inventory.low_stock"})
    document["nodes"][0]["params"] = {"text": "{{ stock.sku }} has {{ stock.available }} left of {{ order.number }}"}

    assert validate_document(document) == [
        Problem(
            "unknown_reference",
            "order.number is not in the context of event inventory.low_stock",
            "a",
            "/nodes/0/params/text",
        ),
    ]


def test_a_difference_path_outside_its_declared_object_is_a_typo():
    document = _notes("a", trigger={"type": "event", "event": "reconciliation.difference"})
    document["nodes"][0]["params"] = {"text": "{{ difference.order_number }} {{ difference.category.name }}"}

    problems = validate_document(document)

    assert [p.code for p in problems] == ["unknown_reference"]
    assert "difference.category.name" in problems[0].message


def test_a_refund_path_outside_its_declared_object_is_a_typo():
    document = _notes("a", trigger={"type": "event", "event": "refund.requested"})
    document["nodes"][0]["params"] = {"text": "{{ refund.amount }} {{ refund.reason.name }}"}

    problems = validate_document(document)

    assert [p.code for p in problems] == ["unknown_reference"]
    assert "refund.reason.name" in problems[0].message


def test_a_shipment_event_offers_the_parcel_and_its_latest_event():
    document = _notes("a", trigger={"type": "event", "event": "shipment.signed"})
    document["nodes"][0]["params"] = {
        "text": "{{ shipment.tracking_no }} {{ shipment.latest_event.description }} {{ shipment.courier.name }}"
    }

    assert validate_document(document) == [
        Problem(
            "unknown_reference",
            "shipment.courier.name is not in the context of event shipment.signed",
            "a",
            "/nodes/0/params/text",
        ),
    ]


def test_an_unknown_event_is_named_on_the_trigger():
    document = _notes("a", trigger={"type": "event", "event": "order.teleported"})

    assert validate_document(document) == [
        Problem("unknown_event", "'order.teleported' is not a domain event", "trigger", "/trigger/event"),
    ]


def test_every_trigger_may_keep_its_canvas_position():
    for trigger in (
        {"type": "event", "event": "order.paid"},
        {"type": "schedule", "cron": "0 9 * * *", "timezone": "UTC"},
        {"type": "webhook"},
        {"type": "manual"},
    ):
        document = _notes("a", trigger={**trigger, "position": {"x": -300, "y": 80.5}})

        assert validate_document(document) == [], trigger["type"]


def test_a_trigger_position_is_x_and_y_numbers():
    document = _notes("a", trigger={"type": "manual", "position": {"x": "left", "y": 0, "z": 1}})

    assert validate_document(document) == [
        Problem("wrong_type", "must be of type number", "trigger", "/trigger/position/x"),
        Problem("unexpected_field", "'z' is not allowed here (allowed: x, y)", "trigger", "/trigger/position/z"),
    ]


def test_schedule_needs_a_valid_cron_and_time_zone():
    document = _notes("a", trigger={"type": "schedule", "cron": "61 * * * *", "timezone": "Asia/Beijing"})

    assert validate_document(document) == [
        Problem("invalid_cron", "'61 * * * *' is not a valid cron expression", "trigger", "/trigger/cron"),
        Problem(
            "invalid_timezone",
            "'Asia/Beijing' is not an IANA time zone (like Asia/Shanghai)",
            "trigger",
            "/trigger/timezone",
        ),
    ]


def test_cron_needs_five_fields_and_must_fire():
    six = _notes("a", trigger={"type": "schedule", "cron": "0 0 9 * * *", "timezone": "UTC"})
    never = _notes("a", trigger={"type": "schedule", "cron": "0 0 31 2 *", "timezone": "UTC"})
    macro = _notes("a", trigger={"type": "schedule", "cron": "@daily", "timezone": "Asia/Shanghai"})

    assert validate_document(six) == [
        Problem(
            "invalid_cron",
            "'0 0 9 * * *' needs five fields: minute hour day-of-month month day-of-week",
            "trigger",
            "/trigger/cron",
        )
    ]
    assert validate_document(never) == [Problem("invalid_cron", "'0 0 31 2 *' never fires", "trigger", "/trigger/cron")]
    assert validate_document(macro) == []


def test_a_schedule_for_each_order_gets_the_order_context():
    trigger = {
        "type": "schedule",
        "cron": "*/10 * * * *",
        "timezone": "Asia/Shanghai",
        "for_each": {
            "collection": "orders",
            "filter": {"status": "pending_payment", "status_older_than_minutes": 30, "channel": "tmall"},
            "cooldown_minutes": 60,
        },
    }
    document = _notes("remind", trigger=trigger)
    document["nodes"][0]["params"] = {"text": "Unpaid: {{ order.number }}"}

    assert validate_document(document) == []


def test_a_plain_schedule_has_no_order():
    document = _notes("a", trigger={"type": "schedule", "cron": "0 9 * * 1-5", "timezone": "UTC"})
    document["nodes"][0]["params"] = {"text": "{{ order.number }}"}

    assert validate_document(document) == [
        Problem(
            "unknown_reference",
            "order.number is not in the context of a schedule trigger",
            "a",
            "/nodes/0/params/text",
        ),
    ]


def test_for_each_filters_are_the_order_list_filters():
    trigger = {
        "type": "schedule",
        "cron": "*/10 * * * *",
        "timezone": "UTC",
        "for_each": {"collection": "orders", "filter": {"status": ["paid", "lost"], "colour": "red"}},
    }

    assert validate_document(_notes("a", trigger=trigger)) == [
        Problem(
            "unexpected_field",
            "'colour' is not allowed here (allowed: channel, on_hold, province, status, status_older_than_minutes, tag)",
            "trigger",
            "/trigger/for_each/filter/colour",
        ),
        Problem(
            "not_allowed",
            "'lost' is not one of pending_payment, paid, processing, shipped, delivered, completed, cancelled, closed",
            "trigger",
            "/trigger/for_each/filter/status/1",
        ),
    ]


def test_webhook_and_manual_contexts():
    webhook = _notes("a", trigger={"type": "webhook", "hmac_secret": "s" * 32})
    webhook["nodes"][0]["params"] = {"text": "{{ webhook.body.order.id }} {{ webhook.headers.x-signature }}"}
    manual = _notes("a", trigger={"type": "manual"})
    manual["nodes"][0]["params"] = {"text": "{{ input.note }} {{ webhook.body }}"}

    assert validate_document(webhook) == []
    assert validate_document(manual) == [
        Problem(
            "unknown_reference",
            "webhook.body is not in the context of a manual trigger",
            "a",
            "/nodes/0/params/text",
        ),
    ]


def test_an_empty_flow_cannot_be_published():
    assert validate_document(_notes()) == [Problem("empty_flow", "the flow has no nodes", None, "/nodes")]


def test_every_problem_of_a_broken_document_is_reported_at_once():
    document = gift_flow()
    document["nodes"][0]["rule"] = {"approx": [1, 2]}
    document["nodes"][1]["action"] = "order.teleport"
    document["nodes"].append(_node("orphan"))

    assert [(p.code, p.node_id, p.pointer) for p in validate_document(document)] == [
        ("unreachable_node", "orphan", "/nodes/2"),
        ("unknown_operator", "big", "/nodes/0/rule/approx"),
        ("unknown_action", "gift", "/nodes/1/action"),
    ]
