"""Input validation for the flows API, and the documented shape of its answers.

Answers are built by ``builder.representation``; the output serializers here exist so the OpenAPI
schema documents those dicts. The flow document itself (``definition``) is described by
``builder.schema.DOCUMENT_SCHEMA`` and validated by ``builder.validation``, not here.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class DefinitionField(serializers.JSONField):
    """A flow document: any JSON object (its problems are reported, not refused, on save)."""

    default_error_messages = {"not_object": _("The flow definition must be a JSON object.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_object")
        return value


class FlowWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    definition = DefinitionField(required=False, help_text="The flow document (format orderflow.flow/v1).")


class FlowFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, help_text="Name or description contains.")
    enabled = serializers.BooleanField(required=False, allow_null=True, default=None)
    archived = serializers.BooleanField(
        required=False, default=False, help_text="true: the deleted (archived) flows instead of the others."
    )


class FlowPublishSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    enable = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Switch the flow on (true) or off (false) with this version; by default on for a first "
        "publish, unchanged afterwards.",
    )


class FlowDuplicateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=200, required=False, help_text="The copy's name; by default the original's with (copy)."
    )


class FlowRollbackSerializer(serializers.Serializer):
    # The largest number FlowVersion.number (a PositiveIntegerField) holds on every database.
    version = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FlowValidateSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text="The flow document to check.")


def _version_ref(value: str):
    if value == "draft":
        return value
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise serializers.ValidationError(_("A version number (1, 2, …) or 'draft'."))


class FlowDiffQuerySerializer(serializers.Serializer):
    from_ = serializers.CharField(help_text="A version number, or 'draft'.")
    to = serializers.CharField(help_text="A version number, or 'draft'.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        return {"from": _version_ref(attrs["from"]), "to": _version_ref(attrs["to"])}


# --- answers (documentation of ``builder.representation``) -----------------------------------


class FlowProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(
        help_text="What is wrong and what to do, in the request's language; no pointer or pattern in it."
    )
    node = serializers.CharField(allow_null=True, help_text="The node's id (or 'trigger'), or null.")
    node_id = serializers.CharField(allow_null=True, help_text="The same as `node` (kept for older clients).")
    field = serializers.CharField(allow_null=True, help_text="The param or field key it concerns, or null.")
    pointer = serializers.CharField(help_text="RFC 6901 JSON pointer into the document; '' is the whole document.")
    detail = serializers.CharField(help_text="The technical account (English), for the advanced view.")


class FlowUserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class FlowVersionSummarySerializer(serializers.Serializer):
    flow = serializers.IntegerField()
    number = serializers.IntegerField()
    checksum = serializers.CharField(help_text="sha256 of the document's canonical JSON.")
    trigger_type = serializers.CharField()
    trigger_event = serializers.CharField()
    published_by = FlowUserRefSerializer(allow_null=True)
    published_at = serializers.DateTimeField()
    notes = serializers.CharField()


class FlowPublishedSerializer(FlowVersionSummarySerializer):
    enabled = serializers.BooleanField(help_text="Whether the flow runs now.")
    state = serializers.ChoiceField(choices=["running", "disabled"])


class FlowVersionListSerializer(serializers.Serializer):
    results = FlowVersionSummarySerializer(many=True, help_text="Newest first; every version (the list is not paged).")


class FlowVersionSerializer(FlowVersionSummarySerializer):
    definition = serializers.JSONField()


class FlowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    enabled = serializers.BooleanField()
    state = serializers.ChoiceField(
        choices=["running", "disabled", "draft", "archived"],
        help_text="running: the live version runs; disabled: published, switched off; draft: never published; "
        "archived: deleted, kept for its history.",
    )
    live_version = serializers.IntegerField(allow_null=True, help_text="The current version's number (v3), or null.")
    archived_at = serializers.DateTimeField(allow_null=True)
    owner = FlowUserRefSerializer()
    definition = serializers.JSONField(help_text="The draft document; a webhook secret shows as ********.")
    current_version = FlowVersionSummarySerializer(allow_null=True)
    has_unpublished_changes = serializers.BooleanField()
    draft_updated_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    valid = serializers.BooleanField(required=False, help_text="Detail, create and update answers only.")
    problems = FlowProblemSerializer(many=True, required=False, help_text="Detail, create and update answers only.")
    webhook_token = serializers.CharField(required=False, help_text="Shown to flow editors only.")


class FlowValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = FlowProblemSerializer(many=True)


class FlowNodeChangeSerializer(serializers.Serializer):
    id = serializers.CharField()
    # The answer's key is "fields"; DRF's metaclass takes declared fields out of the class, so
    # this does not replace ``Serializer.fields`` at run time, whatever the stubs say.
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class FlowNodesDiffSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    changed = FlowNodeChangeSerializer(many=True)


class FlowEdgesDiffSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())


class FlowTriggerDiffSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]  # as above


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["draft"]}]})
class VersionRefField(serializers.JSONField):
    """A version number, or ``"draft"``: the diff's ends as the query named them."""


class FlowDiffSerializer(serializers.Serializer):
    from_ = VersionRefField()
    to = VersionRefField()
    name_changed = serializers.BooleanField()
    description_changed = serializers.BooleanField()
    trigger = FlowTriggerDiffSerializer()
    nodes = FlowNodesDiffSerializer()
    edges = FlowEdgesDiffSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


# --- pickers ------------------------------------------------------------------------------------


class PickerQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text="The value or a label contains."
    )
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
    connector = serializers.SlugField(
        required=False, max_length=32, help_text="connection, message_template: only this connector's."
    )
    connection = serializers.IntegerField(
        required=False, min_value=1, max_value=2_147_483_647, help_text="message_template: only this connection's."
    )


class BilingualSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class PickerValueField(serializers.JSONField):
    """What a param stores: a code, slug or name (text), or a connection's id (integer)."""


class PickerOptionSerializer(serializers.Serializer):
    value = PickerValueField()
    # The answer's key is "label"; DRF's metaclass takes declared fields out of the class, so this
    # does not replace Field.label at run time, whatever the stubs say.
    label = BilingualSerializer()  # type: ignore[assignment]
    hint = serializers.CharField(help_text="The code, or what else tells two options apart; may be empty.")


class PickerAnswerSerializer(serializers.Serializer):
    kind = serializers.CharField()
    options = PickerOptionSerializer(many=True)
