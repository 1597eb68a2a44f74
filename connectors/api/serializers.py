import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Connection, PollRun, StockPush, WebhookDelivery
from ..notify.channels import CHANNELS_BUILT
from ..notify.masking import mask_recipient
from ..notify.models import NotificationLog


class ConnectorSerializer(serializers.Serializer):
    """A connector of the catalog, as the Connections page shows it."""

    key = serializers.CharField()
    name = serializers.DictField(child=serializers.CharField())
    description = serializers.DictField(child=serializers.CharField())
    kind = serializers.CharField()
    logo = serializers.CharField()
    channel = serializers.CharField()
    features = serializers.ListField(child=serializers.CharField())
    credentials_schema = serializers.DictField()
    settings_schema = serializers.DictField()
    secret_fields = serializers.ListField(child=serializers.CharField())
    status_map = serializers.DictField(child=serializers.CharField())
    has_sandbox = serializers.BooleanField()
    doc = serializers.CharField()


def connector_representation(connector) -> dict:
    return {
        "key": connector.key,
        "name": {"en": connector.name_en, "zh": connector.name_zh},
        "description": {"en": connector.description_en, "zh": connector.description_zh},
        "kind": connector.kind,
        "logo": connector.logo,
        "channel": connector.channel,
        "features": list(connector.features),
        "credentials_schema": connector.credentials_schema,
        "settings_schema": connector.settings_schema,
        "secret_fields": list(connector.secret_fields),
        "status_map": dict(connector.status_map),
        "has_sandbox": connector.sandbox is not None,
        "doc": connector.doc,
    }


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "failing", "unknown"])
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_error_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    consecutive_failures = serializers.IntegerField()


class ConnectionSerializer(serializers.ModelSerializer):
    """A connection as answered: never its credentials (the names of those set are listed)."""

    credentials_set = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = Connection
        fields = (
            "id",
            "connector",
            "name",
            "settings",
            "sandbox",
            "enabled",
            "created_at",
            "updated_at",
            "credentials_set",
            "health",
            "webhook_url",
        )

    def get_credentials_set(self, connection) -> list[str]:
        return list(self.context.get("credential_names", {}).get(connection.pk, []))

    @staticmethod
    @extend_schema_field(HealthSerializer)
    def get_health(connection) -> dict:
        if connection.consecutive_failures:
            state = "failing"
        elif connection.last_success_at:
            state = "ok"
        else:
            state = "unknown"
        return HealthSerializer(
            {
                "status": state,
                "last_success_at": connection.last_success_at,
                "last_error_at": connection.last_error_at,
                "last_error": connection.last_error,
                "consecutive_failures": connection.consecutive_failures,
            }
        ).data

    def get_webhook_url(self, connection) -> str:
        return f"/hooks/{connection.connector}/{connection.pk}/"


class ConnectionCreateSerializer(serializers.Serializer):
    connector = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    credentials = serializers.DictField(required=False, default=dict)
    settings = serializers.DictField(required=False, default=dict)
    sandbox = serializers.BooleanField(required=False, default=False)
    enabled = serializers.BooleanField(required=False, default=True)


class ConnectionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    credentials = serializers.DictField(
        required=False, help_text="Merged over the stored ones: a secret left out is kept."
    )
    settings = serializers.DictField(required=False)
    enabled = serializers.BooleanField(required=False)


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    code = serializers.CharField()
    connection = ConnectionSerializer()


_OPENID_VALUE = re.compile(r'("openid"\s*:\s*")([^"\\]*)(")')


class DeliverySerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "connection",
            "received_at",
            "topic",
            "headers",
            "body",
            "verified",
            "dedup_key",
            "outcome",
            "error",
            "result",
            "processed_at",
            "attempts",
            "replay_of",
            "source",
        )

    @staticmethod
    def get_body(delivery) -> str:
        """The raw body as text (undecodable bytes replaced), cut at 64 KB for the page, with every
        WeChat openid masked (``"openid": "oGZU****VJJE"``): they are personal data that the
        delivery log's readers — every role — need not see (admins see them on the customer)."""
        text = bytes(delivery.body)[:65536].decode("utf-8", errors="replace")
        return _OPENID_VALUE.sub(lambda m: m.group(1) + mask_recipient(m.group(2)) + m.group(3), text)


class PollRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PollRun
        fields = (
            "id",
            "connection",
            "stream",
            "started_at",
            "finished_at",
            "status",
            "pages",
            "fetched",
            "created",
            "updated",
            "ignored",
            "errors",
            "error",
        )


class StockPushSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockPush
        fields = (
            "sku",
            "wanted",
            "pushed",
            "pushed_at",
            "pushes",
            "attempts",
            "next_attempt_at",
            "last_error",
            "updated_at",
        )


class SandboxOrdersSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=20, default=1)


class SandboxOrdersAnswerSerializer(serializers.Serializer):
    deliveries = serializers.ListField(child=serializers.IntegerField())
    external_ids = serializers.ListField(child=serializers.CharField())


class NotificationLogSerializer(serializers.ModelSerializer):
    """A notification's log row: the recipient masked, the message itself never answered."""

    class Meta:
        model = NotificationLog
        fields = (
            "id",
            "channel",
            "connection",
            "recipient_masked",
            "template",
            "rendered_length",
            "marketing",
            "status",
            "provider_message_id",
            "provider_response",
            "attempts",
            "max_retries",
            "next_attempt_at",
            "last_error",
            "order",
            "sent_at",
            "created_at",
            "updated_at",
        )


class NotificationFilterSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CHANNELS_BUILT, required=False)
    status = serializers.ChoiceField(choices=[s for s, _ in NotificationLog.STATUSES], required=False)
    order = serializers.IntegerField(required=False, min_value=1)
    connection = serializers.IntegerField(required=False, min_value=1)
