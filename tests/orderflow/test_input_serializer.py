"""``InputSerializer``: cheap copies of the declared fields, with the same answers as DRF's deep copies."""

from rest_framework import serializers

from commerce.orders.api.serializers import OrderCreateSerializer
from core.api.serializers import InputSerializer


class Line(InputSerializer):
    sku = serializers.CharField(max_length=8)
    quantity = serializers.IntegerField(min_value=1)


class Order(InputSerializer):
    note = serializers.CharField(max_length=5, required=False)
    lines = Line(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


class PlainLine(serializers.Serializer):
    sku = serializers.CharField(max_length=8)
    quantity = serializers.IntegerField(min_value=1)


class PlainOrder(serializers.Serializer):
    note = serializers.CharField(max_length=5, required=False)
    lines = PlainLine(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


def test_each_instance_binds_its_own_copies_and_the_declared_fields_stay_unbound():
    first, second = Order(data={}), Order(data={})

    assert first.fields["note"] is not second.fields["note"]
    assert first.fields["note"].parent is first
    assert second.fields["note"].parent is second
    assert Order._declared_fields["note"].parent is None
    # Nested serializers and fields holding a child are still deep copies: a tree of their own.
    assert first.fields["lines"] is not second.fields["lines"]
    assert first.fields["lines"].child is not second.fields["lines"].child
    assert first.fields["tags"].child is not second.fields["tags"].child


def test_validation_answers_as_with_drf_s_own_copies():
    bad = {"note": "far too long", "lines": [{"sku": "A", "quantity": 0}, {"quantity": "x"}], "tags": ["long"]}
    ours = Order(data=bad)
    assert not ours.is_valid()

    drf = PlainOrder(data=bad)
    assert not drf.is_valid()

    assert ours.errors == drf.errors
    assert set(ours.errors) == {"note", "lines", "tags"}
    good = Order(data={"lines": [{"sku": "A", "quantity": 2}]})
    assert good.is_valid(), good.errors
    assert good.validated_data == {"lines": [{"sku": "A", "quantity": 2}]}


def test_the_order_input_validates_the_same_twice_in_a_row():
    body = {"channel": "tmall", "external_id": "E1", "customer": {"name": "张伟", "phone": "nope"}, "lines": []}
    errors = [OrderCreateSerializer(data=body) for _ in range(2)]
    for incoming in errors:
        assert not incoming.is_valid()

    assert errors[0].errors == errors[1].errors
    assert set(errors[0].errors) == {"customer", "shipping_address", "lines"}
