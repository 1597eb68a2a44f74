"""``/api/v1/risk/``: the review queue and its decisions, the rules with their false-positive rates, the blacklist.

Order workers review (approve, reject, blacklist); admins edit rules and remove blacklist entries.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders.models import Order
from commerce.risk import selectors, services
from commerce.risk.models import BlacklistEntry, RiskRule
from commerce.risk.representation import hit_representation
from core.accounts.roles import ADMINS, EVERYONE, MANAGER, ORDER_WORKERS, may_see_phones
from core.api.bodies import no_body
from core.api.pagination import CursorPagination
from core.errors import InvalidInput
from core.privacy import mask_ip, mask_phone
from core.time import iso_utc

from . import serializers as s

REVIEWERS = ORDER_WORKERS
READERS = ORDER_WORKERS | {MANAGER}


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")


def _review(order: Order, *, phones: bool) -> dict:
    return {
        "order_id": order.pk,
        "number": order.number,
        "channel": order.channel.code,
        "channel_name": order.channel.name,
        "status": order.status,
        "total_amount": f"{order.total_amount:.2f}",
        "customer_name": order.ship_to_name,
        "phone": order.ship_to_phone if phones else mask_phone(order.ship_to_phone),
        "address": f"{order.province}{order.city}{order.district}{order.address_line}",
        "client_ip": order.client_ip if phones else mask_ip(order.client_ip),
        "device": order.device,
        "on_hold": order.on_hold,
        "hold_reason": order.hold_reason,
        "created_at": iso_utc(order.created_at),
        "hits": [hit_representation(hit) for hit in order.risk_hits.all()],
    }


def _reviewed(request, order_id: int) -> dict:
    order = selectors.review_queue_order(order_id=order_id)
    return _review(order, phones=may_see_phones(request.user))


def _order_exists(order_id: int) -> None:
    get_object_or_404(Order.objects.only("pk"), pk=order_id)


class ReviewListApi(GenericAPIView):
    read_roles = READERS
    pagination_class = NewestFirst

    @extend_schema(parameters=[s.RiskReviewStateSerializer], responses=s.RiskReviewSerializer(many=True))
    def get(self, request):
        incoming = s.RiskReviewStateSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.review_queue(state=incoming.validated_data["state"])) or []
        phones = may_see_phones(request.user)
        return self.get_paginated_response([_review(order, phones=phones) for order in page])


class ReviewApproveApi(APIView):
    write_roles = REVIEWERS

    @extend_schema(request=s.RiskApproveSerializer, responses=s.RiskReviewSerializer)
    def post(self, request, held_order_id: int):
        order_id = held_order_id
        incoming = s.RiskApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _order_exists(order_id)
        services.risk_approve(order_id=order_id, user=request.user, note=incoming.validated_data["note"])
        return Response(_reviewed(request, order_id))


class ReviewRejectApi(APIView):
    write_roles = REVIEWERS

    @extend_schema(request=s.RiskRejectSerializer, responses=s.RiskReviewSerializer)
    def post(self, request, held_order_id: int):
        order_id = held_order_id
        incoming = s.RiskRejectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _order_exists(order_id)
        data = incoming.validated_data
        services.risk_reject(
            order_id=order_id, user=request.user, reason=data["reason"], blacklist=sorted(set(data["blacklist"]))
        )
        return Response(_reviewed(request, order_id))


class ReviewBlacklistApi(APIView):
    write_roles = REVIEWERS

    @extend_schema(request=s.RiskOrderBlacklistSerializer, responses={201: s.RiskBlacklistEntrySerializer(many=True)})
    def post(self, request, held_order_id: int):
        order_id = held_order_id
        incoming = s.RiskOrderBlacklistSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _order_exists(order_id)
        entries = services.risk_blacklist_order(
            order_id=order_id,
            kinds=incoming.validated_data["kinds"],
            user=request.user,
            reason=incoming.validated_data["reason"],
        )
        return Response([_entry(e) for e in entries], status=status.HTTP_201_CREATED)


def _rule(rule) -> dict:
    return {
        "id": rule.pk,
        "key": rule.key,
        "name_zh": rule.name_zh,
        "name_en": rule.name_en,
        "condition": rule.condition,
        "enabled": rule.enabled,
        "hits_total": rule.hits_total,
        "hits_pending": rule.hits_pending,
        "hits_approved": rule.hits_approved,
        "hits_rejected": rule.hits_rejected,
        "false_positive_rate": selectors.false_positive_rate(rule),
        "updated_at": iso_utc(rule.updated_at),
    }


class RuleListApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=s.RiskRuleSerializer(many=True))
    def get(self, request):
        return Response([_rule(rule) for rule in selectors.rules_with_rates()])

    @extend_schema(request=s.RiskRuleInSerializer, responses={201: s.RiskRuleSerializer})
    def post(self, request):
        incoming = s.RiskRuleInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        rule = services.rule_create(**incoming.validated_data, user=request.user)
        return Response(_rule(selectors.rules_with_rates().get(pk=rule.pk)), status=status.HTTP_201_CREATED)


class RuleDetailApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=s.RiskRuleSerializer)
    def get(self, request, risk_rule_id: int):
        rule_id = risk_rule_id
        return Response(_rule(get_object_or_404(selectors.rules_with_rates(), pk=rule_id)))

    @extend_schema(request=s.RiskRuleInSerializer(partial=True), responses=s.RiskRuleSerializer)
    def patch(self, request, risk_rule_id: int):
        rule_id = risk_rule_id
        incoming = s.RiskRuleInSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        get_object_or_404(RiskRule.objects.only("pk"), pk=rule_id)
        changes = dict(incoming.validated_data)
        if "key" in changes and changes.pop("key") != RiskRule.objects.get(pk=rule_id).key:
            # Hits and the review name a rule by its key: a new key is a new rule.
            raise InvalidInput(details={"key": "a rule's key does not change; add a new rule instead"})
        services.rule_update(rule_id=rule_id, user=request.user, changes=changes)
        return Response(_rule(selectors.rules_with_rates().get(pk=rule_id)))


def _entry(entry: BlacklistEntry) -> dict:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "value": entry.value,
        "reason": entry.reason,
        "created_by": entry.created_by.get_username() if entry.created_by is not None else None,
        "created_at": iso_utc(entry.created_at),
    }


class BlacklistListApi(GenericAPIView):
    read_roles = READERS
    write_roles = REVIEWERS
    pagination_class = NewestFirst

    @extend_schema(responses=s.RiskBlacklistEntrySerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(BlacklistEntry.objects.select_related("created_by")) or []
        return self.get_paginated_response([_entry(e) for e in page])

    @extend_schema(
        request=s.RiskBlacklistEntrySerializer,
        responses={201: s.RiskBlacklistEntrySerializer, 200: s.RiskBlacklistEntrySerializer},
        description="Adds an entry; the same kind and value again answers 200 with the stored entry.",
    )
    def post(self, request):
        incoming = s.RiskBlacklistEntrySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        entry, created = services.blacklist_add(
            kind=data["kind"], value=data["value"], reason=data["reason"], user=request.user
        )
        return Response(_entry(entry), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BlacklistDetailApi(APIView):
    write_roles = ADMINS

    @extend_schema(responses={204: None})
    def delete(self, request, blacklist_entry_id: int):
        entry_id = blacklist_entry_id
        no_body(request)
        get_object_or_404(BlacklistEntry.objects.only("pk"), pk=entry_id)
        services.blacklist_remove(entry_id=entry_id, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
