"""``/api/v1/screening/``: the audit queue (orders the smart audit kept from the warehouse) and the rule set."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders.models import Order
from commerce.screening import services
from commerce.screening.models import ScreeningCase
from core.accounts.roles import ADMINS, EVERYONE, MANAGER, ORDER_WORKERS
from core.api.pagination import CursorPagination
from core.time import iso_utc

from . import serializers as s


class RecentFirst(CursorPagination):
    ordering = ("-updated_at", "-id")


def _case(case: ScreeningCase) -> dict:
    order = case.order
    return {
        "order_id": order.pk,
        "number": order.number,
        "channel_name": order.channel.name,
        "status": order.status,
        "total_amount": f"{order.total_amount:.2f}",
        "customer_name": order.ship_to_name,
        "state": case.state,
        "automatic": case.automatic,
        "ruleset_version": case.ruleset_version,
        "reasons": case.reasons,
        "facts": case.facts,
        "decided_by": case.decided_by.get_username() if case.decided_by is not None else None,
        "note": case.note,
        "updated_at": iso_utc(case.updated_at),
    }


def _cases():
    return ScreeningCase.objects.select_related("order__channel", "decided_by")


class CaseListApi(GenericAPIView):
    read_roles = ORDER_WORKERS | {MANAGER}
    pagination_class = RecentFirst

    @extend_schema(parameters=[s.ScreeningCaseStateSerializer], responses=s.ScreeningCaseSerializer(many=True))
    def get(self, request):
        incoming = s.ScreeningCaseStateSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        page = self.paginate_queryset(_cases().filter(state=incoming.validated_data["state"])) or []
        return self.get_paginated_response([_case(case) for case in page])


class CasePassApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(request=s.ScreeningPassSerializer, responses=s.ScreeningCaseSerializer)
    def post(self, request, waiting_order_id: int):
        order_id = waiting_order_id
        incoming = s.ScreeningPassSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        get_object_or_404(Order.objects.only("pk"), pk=order_id)
        services.screening_pass(order_id=order_id, user=request.user, note=incoming.validated_data["note"])
        return Response(_case(_cases().get(order_id=order_id)))


class CaseRejectApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(request=s.ScreeningRejectSerializer, responses=s.ScreeningCaseSerializer)
    def post(self, request, waiting_order_id: int):
        order_id = waiting_order_id
        incoming = s.ScreeningRejectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        get_object_or_404(Order.objects.only("pk"), pk=order_id)
        services.screening_reject(order_id=order_id, user=request.user, reason=incoming.validated_data["reason"])
        return Response(_case(_cases().get(order_id=order_id)))


def _rule_set(rule_set) -> dict:
    return {
        "version": rule_set.version,
        "document": rule_set.document,
        "note": rule_set.note,
        "created_by": rule_set.created_by.get_username() if rule_set.created_by_id else None,
        "created_at": iso_utc(rule_set.created_at),
    }


class RuleSetApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=s.ScreeningRuleSetSerializer)
    def get(self, request):
        return Response(_rule_set(services.rule_set_current()))

    @extend_schema(request=s.ScreeningRuleSetInSerializer, responses={201: s.ScreeningRuleSetSerializer})
    def post(self, request):
        incoming = s.ScreeningRuleSetInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        rule_set = services.rule_set_save(
            document=incoming.validated_data["document"], note=incoming.validated_data["note"], user=request.user
        )
        return Response(_rule_set(rule_set), status=status.HTTP_201_CREATED)
