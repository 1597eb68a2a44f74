from rest_framework import serializers

from commerce.channels.models import Channel
from commerce.timeouts.models import MAX_MINUTES, WAITING, TimeoutRule


class TimeoutRuleSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=WAITING)
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES)
    channel = serializers.SlugField(
        max_length=32, allow_null=True, required=False, default=None, help_text="A channel code; null: any channel."
    )
    category = serializers.SlugField(max_length=32, allow_blank=True, required=False, default="")
    name = serializers.CharField(max_length=100)

    class Meta:
        model = TimeoutRule
        fields = ("id", "name", "status", "minutes", "channel", "category", "enabled", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")

    def validate(self, attrs):
        # The channel is looked up once every field is valid, so a bad field is reported alone.
        if "channel" in attrs and attrs["channel"] is not None:
            channel = Channel.objects.filter(code=attrs["channel"]).first()
            if channel is None:
                raise serializers.ValidationError({"channel": f"no channel has the code {attrs['channel']!r}"})
            attrs["channel"] = channel
        return attrs

    def to_representation(self, instance):
        answer = super().to_representation(instance)
        answer["channel"] = instance.channel.code if instance.channel is not None else None
        return answer
