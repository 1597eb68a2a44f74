from builder.field_labels import annotated

SHARED = {"type": "string", "format": "date-time"}


def test_a_property_no_table_names_gets_no_title_so_the_catalog_test_fails_on_it():
    schema = {"type": "object", "properties": {"zzz_unknown": {"type": "string"}}}

    prop = annotated(schema, "context")["properties"]["zzz_unknown"]

    assert "x-title" not in prop
    assert prop["x-kind"] == "text"


def test_what_a_schema_says_itself_wins_over_the_tables():
    own = {"zh": "自己的", "en": "Its own"}
    schema = {"type": "object", "properties": {"tag": {"type": "string", "x-title": own, "x-kind": "enum"}}}

    prop = annotated(schema, "order.tag")["properties"]["tag"]

    assert prop["x-title"] == own
    assert prop["x-kind"] == "enum"
    assert prop["x-picker"] == "tag"


def test_a_sub_schema_shared_by_two_fields_gets_each_field_s_own_title():
    schema = {"type": "object", "properties": {"placed_at": SHARED, "paid_at": SHARED}}

    properties = annotated(schema, "context", "order")["properties"]

    assert properties["placed_at"]["x-title"] == {"zh": "下单时间", "en": "Placed at"}
    assert properties["paid_at"]["x-title"] == {"zh": "支付时间", "en": "Paid at"}
    assert "x-title" not in SHARED


def test_enum_values_are_labelled_by_the_field_they_are_in():
    schema = {
        "type": "object",
        "properties": {
            "order": {"type": "object", "properties": {"status": {"type": "string", "enum": ["paid"]}}},
            "payment": {"type": "object", "properties": {"outcome": {"type": "string", "enum": ["paid"]}}},
        },
    }

    properties = annotated(schema, "context")["properties"]

    assert properties["order"]["properties"]["status"]["x-enum-labels"] == {"paid": {"zh": "已支付", "en": "Paid"}}
    assert properties["payment"]["properties"]["outcome"]["x-enum-labels"] == {
        "paid": {"zh": "订单已支付", "en": "Order paid"}
    }


def test_money_times_ids_and_lists_are_told_apart():
    schema = {
        "type": "object",
        "properties": {
            "total_amount": {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"},
            "placed_at": {"type": ["string", "null"], "format": "date-time"},
            "order_id": {"type": "integer"},
            "quantity": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "on_hold": {"type": "boolean"},
        },
    }

    properties = annotated(schema, "context", "order")["properties"]

    assert {key: prop["x-kind"] for key, prop in properties.items()} == {
        "total_amount": "money",
        "placed_at": "time",
        "order_id": "id",
        "quantity": "integer",
        "tags": "list",
        "on_hold": "bool",
    }
