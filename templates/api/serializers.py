"""Input validation for the marketplace API, and the documented shape of its answers."""

from rest_framework import serializers

from builder.api.serializers import FlowSerializer

from ..library import CATEGORIES

MAX_ANSWERS = 50


class TemplateFilterSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=list(CATEGORIES), required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="Title, description, tags (zh or en).")


class BoundedDictField(serializers.DictField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > MAX_ANSWERS:
            raise serializers.ValidationError(f"at most {MAX_ANSWERS} entries")
        return value


def _test_event(value):
    if value is None or value == "latest":
        return value
    if isinstance(value, dict) and len(str(value)) <= 200_000:
        return value
    raise serializers.ValidationError('"latest", or an event object ({event_id} or {type, order: {…}}).')


class InstallSerializer(serializers.Serializer):
    params = BoundedDictField(required=False, default=dict, help_text="Parameter key → value, by its type.")
    connections = BoundedDictField(
        child=serializers.IntegerField(min_value=1, max_value=2_147_483_647),
        required=False,
        default=dict,
        help_text="Connection key → connection id; a single connection of the connector is chosen by itself.",
    )
    enable = serializers.BooleanField(default=True, help_text="Publish switched on (true) or save a draft (false).")
    name = serializers.CharField(required=False, max_length=200, help_text="The flow's name (the template's title).")
    test_event = serializers.JSONField(
        required=False,
        default=None,
        validators=[_test_event],
        help_text='"latest" (a real recent event of the trigger) or an event; the draft is test-run on it.',
    )


class PreviewQuerySerializer(serializers.Serializer):
    lang = serializers.ChoiceField(choices=["zh", "en"], default="zh")


class ExportQuerySerializer(serializers.Serializer):
    flows = serializers.RegexField(
        r"^\d{1,10}(,\d{1,10}){0,49}$", max_length=600, help_text="Comma-separated flow ids (at most 50)."
    )


class ImportSerializer(serializers.Serializer):
    file = serializers.JSONField(help_text="An export (orderflow.flows/v1) or one flow document (orderflow.flow/v1).")


class WordsSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    key = serializers.CharField()
    title = WordsSerializer()
    count = serializers.IntegerField()


class TemplateSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    recipe = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()
    title = WordsSerializer()
    description = WordsSerializer()
    category = serializers.CharField()
    category_title = WordsSerializer()
    tags = serializers.ListField(child=serializers.CharField())
    connectors = serializers.ListField(child=serializers.CharField())
    connector_titles = WordsSerializer(many=True, help_text="The connectors' names, in the order of `connectors`.")
    trigger = serializers.CharField()
    nodes = serializers.IntegerField()
    parameters = serializers.ListField(child=serializers.DictField(), help_text="key, type, title, x-picker, default…")
    ready = serializers.BooleanField(help_text="Every connection it needs is present.")
    missing_connectors = serializers.ListField(child=serializers.CharField())


class TemplateListSerializer(serializers.Serializer):
    categories = CategorySerializer(many=True)
    results = TemplateSummarySerializer(many=True)


class ConnectionOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sandbox = serializers.BooleanField()


class NeedSerializer(serializers.Serializer):
    key = serializers.CharField()
    connector = serializers.CharField()
    connector_title = WordsSerializer()
    title = WordsSerializer()
    targets = serializers.ListField(child=serializers.CharField())
    present = serializers.BooleanField()
    options = ConnectionOptionSerializer(many=True)
    connect_url = serializers.CharField(help_text="The Connections page, to add the missing connection.")
    explanation = WordsSerializer(allow_null=True, help_text="What to connect, when none is present.")


class FixtureSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.DictField()
    expect = serializers.DictField()


class TemplateDetailSerializer(TemplateSummarySerializer):
    changelog = serializers.ListField(child=serializers.DictField())
    needs = NeedSerializer(many=True)
    document = serializers.DictField(help_text="The flow document (orderflow.flow/v1) with its defaults.")
    fixtures = FixtureSerializer(many=True)


class InstallResultSerializer(FlowSerializer):
    """The new flow, as the flows API answers it, and what the install adds."""

    test_run = serializers.DictField(allow_null=True, help_text="The dry run's trace, when asked for.")
    missing_connections = NeedSerializer(many=True, help_text="Connect these before publishing the draft.")


class InstallationSerializer(serializers.Serializer):
    flow = serializers.IntegerField()
    flow_name = serializers.CharField()
    template = serializers.CharField()
    version = serializers.IntegerField()
    latest_version = serializers.IntegerField(allow_null=True)
    update_available = serializers.BooleanField()
    params = serializers.DictField()
    connections = serializers.DictField()
    installed_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class InstallationListSerializer(serializers.Serializer):
    results = InstallationSerializer(many=True)


class UpdatePreviewSerializer(serializers.Serializer):
    flow = serializers.IntegerField()
    template = serializers.CharField()
    installed_version = serializers.IntegerField()
    latest_version = serializers.IntegerField(allow_null=True)
    update_available = serializers.BooleanField()
    changelog = serializers.ListField(child=serializers.DictField())
    diff = serializers.DictField(allow_null=True, help_text="builder.diff: the installed draft → the update.")
    document = serializers.DictField(allow_null=True, help_text="The updated document, the answers kept.")


class ExportFileSerializer(serializers.Serializer):
    format = serializers.CharField()
    exported_at = serializers.DateTimeField()
    flows = serializers.ListField(child=serializers.DictField())


class ImportResultSerializer(serializers.Serializer):
    flows = FlowSerializer(many=True)
