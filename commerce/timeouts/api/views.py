"""``/api/v1/order-timeouts/``: the timeout rules (admins write, everyone reads)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.timeouts.models import TimeoutRule
from core.accounts.roles import ADMINS, EVERYONE
from core.api.bodies import no_body

from .serializers import TimeoutRuleSerializer


class TimeoutRuleListApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=TimeoutRuleSerializer(many=True))
    def get(self, request):
        rules = TimeoutRule.objects.select_related("channel")
        return Response(TimeoutRuleSerializer(rules, many=True).data)

    @extend_schema(request=TimeoutRuleSerializer, responses={201: TimeoutRuleSerializer})
    def post(self, request):
        incoming = TimeoutRuleSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return Response(TimeoutRuleSerializer(incoming.save()).data, status=status.HTTP_201_CREATED)


class TimeoutRuleDetailApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=TimeoutRuleSerializer)
    def get(self, request, rule_id: int):
        return Response(TimeoutRuleSerializer(get_object_or_404(TimeoutRule, pk=rule_id)).data)

    @extend_schema(request=TimeoutRuleSerializer, responses=TimeoutRuleSerializer)
    def patch(self, request, rule_id: int):
        rule = get_object_or_404(TimeoutRule, pk=rule_id)
        incoming = TimeoutRuleSerializer(rule, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        return Response(TimeoutRuleSerializer(incoming.save()).data)

    @extend_schema(responses={204: None})
    def delete(self, request, rule_id: int):
        no_body(request)
        get_object_or_404(TimeoutRule, pk=rule_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
