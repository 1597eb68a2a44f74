"""Input validation for the inbox API, and the documented shape of its answers."""

from rest_framework import serializers

from commerce.inbox.representation import notification_representation
from core.accounts.roles import ALL_ROLES
from core.api.actors import ActorSerializer


class InboxFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only unread; false: only read."
    )


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    to_role = serializers.ChoiceField(choices=ALL_ROLES)
    title = serializers.CharField()
    body = serializers.CharField()
    order = serializers.IntegerField(allow_null=True)
    order_number = serializers.CharField(allow_null=True)
    created_by = ActorSerializer()
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField(help_text="Whether the caller has read it.")

    def to_representation(self, instance):
        return notification_representation(instance)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
    unread = serializers.IntegerField()
