from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.channels.selectors import channel_list
from core.accounts.roles import EVERYONE


class ChannelSerializer(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField(help_text="What people call the channel (天猫旗舰店): pages show this, not the code.")
    kind = serializers.ChoiceField(choices=["marketplace", "own_store", "manual"])
    currency = serializers.CharField()
    active = serializers.BooleanField()


class ChannelListApi(APIView):
    """Every sales channel, active or not (old orders name deactivated ones), by code."""

    read_roles = EVERYONE

    @extend_schema(responses=ChannelSerializer(many=True), operation_id="v1_channels_list")
    def get(self, request):
        return Response(ChannelSerializer(channel_list(), many=True).data)
