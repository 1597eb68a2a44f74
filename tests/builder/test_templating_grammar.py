import pytest

from builder.templating_grammar import (
    FilterCall,
    Placeholder,
    TemplateSyntaxError,
    Text,
    parse_template,
    placeholders,
)


def test_text_and_placeholders_are_split_in_order():
    parts = parse_template("Order {{ order.number }} for {{order.customer.name}}!")

    assert parts == [
        Text("Order "),
        Placeholder(path=("order", "number"), filters=(), start=6, end=24),
        Text(" for "),
        Placeholder(path=("order", "customer", "name"), filters=(), start=29, end=52),
        Text("!"),
    ]


def test_filters_with_and_without_arguments():
    (found,) = placeholders("{{ order.customer.name | default('顾客') | upper }}")

    assert found.path == ("order", "customer", "name")
    assert found.filters == (FilterCall("default", ("顾客",)), FilterCall("upper"))


def test_arguments_may_be_double_quoted_escaped_or_numbers():
    (first, second, third) = placeholders(
        "{{ a | default(\"it's\") }}{{ b | default('say \\'hi\\'') }}{{ c | default(0.5) }}"
    )

    assert first.filters == (FilterCall("default", ("it's",)),)
    assert second.filters == (FilterCall("default", ("say 'hi'",)),)
    assert third.filters == (FilterCall("default", (0.5,)),)


def test_list_indexes_and_hyphenated_step_ids_are_path_segments():
    (step, line) = placeholders("{{ steps.send-sms.result }} {{ order.lines.0.sku }}")

    assert step.path == ("steps", "send-sms", "result")
    assert line.path == ("order", "lines", "0", "sku")


def test_plain_text_and_lone_closing_braces_are_text():
    assert parse_template("no placeholders }} here") == [Text("no placeholders }} here")]
    assert parse_template("") == []


def test_money_and_date_take_an_optional_argument():
    (money, date) = placeholders("{{ order.total_amount | money('¥') }}{{ order.paid_at | date }}")

    assert money.filters == (FilterCall("money", ("¥",)),)
    assert date.filters == (FilterCall("date"),)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("Hi {{ order.number", "'{{' is not closed by '}}'", 3),
        ("{{ }}", "a path like order.customer.name is expected", 3),
        ("{{ order..number }}", "a path like order.customer.name is expected", 9),
        ("{{ 0.sku }}", "a path starts with a letter, not '0'", 3),
        ("{{ order.number | shout }}", "unknown filter 'shout' (known: default, upper, lower, money, date)", 18),
        ("{{ order.number | default }}", "filter 'default' takes 1 argument(s), got 0", 18),
        ("{{ order.number | upper('x') }}", "filter 'upper' takes 0 argument(s), got 1", 18),
        ("{{ order.number | default('a', 'b') }}", "filter 'default' takes at most one argument; ')' expected", 29),
        ("{{ order.number | default('a) }}", "a quoted argument is not closed", 30),
        ("{{ order.number + 1 }}", "unexpected '+'; only a path and '|' filters may stand inside {{ }}", 16),
        ("{{ __import__('os') }}", "a path starts with a letter, not '__import__'", 3),
        ("{{ os.system('ls') }}", "unexpected '('; only a path and '|' filters may stand inside {{ }}", 12),
    ],
)
def test_malformed_templates_are_refused_with_the_offset(text, message, position):
    with pytest.raises(TemplateSyntaxError) as caught:
        parse_template(text)

    assert caught.value.message == message
    assert caught.value.position == position
