"""Input validation for the tickets API, and the documented shape of its answers.

Answers are built by ``representation.ticket_representation``; the output serializers here exist
so the OpenAPI schema documents that dict.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers

from commerce.tickets import constants as c
from commerce.tickets.representation import ticket_representation
from core.accounts.roles import ALL_ROLES
from core.api.actors import ActorSerializer


class TicketFilterSerializer(serializers.Serializer):
    queue = serializers.SlugField(required=False, max_length=c.QUEUE_MAX)
    status = serializers.CharField(required=False, help_text="One status, or several separated by commas.")
    assignee_role = serializers.ChoiceField(choices=ALL_ROLES, required=False)
    order = serializers.IntegerField(required=False, min_value=1)
    mine = serializers.BooleanField(required=False, default=False, help_text="Only tickets assigned to the caller.")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_status(self, value):
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        unknown = [v for v in wanted if v not in c.STATUSES]
        if unknown:
            raise serializers.ValidationError(_("Unknown status: %(statuses)s.") % {"statuses": ", ".join(unknown)})
        return wanted


class CommentSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=c.COMMENT_MAX)


class CloseSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=c.RESOLUTION_MAX, required=False, allow_blank=True, default="")


# --- answers (documentation of ``ticket_representation``) ------------------------------------


class _UserOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class CommentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = _UserOut(allow_null=True)
    actor_label = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    queue = serializers.CharField()
    priority = serializers.ChoiceField(choices=c.PRIORITIES)
    status = serializers.ChoiceField(choices=c.STATUSES)
    assignee_role = serializers.ChoiceField(choices=ALL_ROLES)
    assignee = _UserOut(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField(help_text="Due before now and not closed.")
    order = serializers.IntegerField(allow_null=True)
    order_number = serializers.CharField(allow_null=True)
    created_by = ActorSerializer()
    resolution = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        return ticket_representation(instance)


class TicketDetailSerializer(TicketSerializer):
    comments = CommentOutSerializer(many=True)

    def to_representation(self, instance):
        return ticket_representation(instance, with_comments=True)
