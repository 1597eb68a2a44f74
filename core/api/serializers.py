"""Serializer parts the API apps share."""

import copy

from rest_framework import fields, serializers

# Fields that hold no other field and keep nothing but their settings between calls: a shallow
# copy of one is as good as DRF's rebuild from its constructor arguments (``Field.__deepcopy__``).
# ``bind`` gives the copy its own name, label and source; the validator list (filled in the
# constructor, only read afterwards) and the error messages stay shared with the declared field.
_LEAF_FIELDS = (
    fields.BooleanField,
    fields.CharField,  # with RegexField, SlugField, EmailField, URLField …
    fields.ChoiceField,
    fields.DateField,
    fields.DateTimeField,
    fields.DecimalField,
    fields.FloatField,
    fields.IntegerField,
)


class InputSerializer(serializers.Serializer):
    """A ``Serializer`` for request input that copies its declared fields cheaply.

    DRF deep-copies every declared field for every serializer instance — for each nested one too
    — by calling the field's constructor again: about 5 % of an order-create request's Python.
    Leaf fields (``_LEAF_FIELDS`` and their subclasses) are copied shallowly instead; nested
    serializers and fields holding a child field are still deep-copied, so each instance has its
    own tree. Declared fields must not be changed after class creation.
    """

    def get_fields(self):
        return {name: _field_copy(field) for name, field in self._declared_fields.items()}


def _field_copy(field: fields.Field) -> fields.Field:
    if isinstance(field, _LEAF_FIELDS):
        return copy.copy(field)
    return copy.deepcopy(field)
