from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.channels.selectors import channel_by_code
from commerce.orders import selectors, services, statuses
from commerce.orders.errors import UnknownChannel
from commerce.orders.models import Order
from commerce.orders.representation import order_representation
from core.accounts.roles import EVERYONE, ORDER_WORKERS
from core.api.actors import request_actor

from . import serializers as s


class OrderFilterSerializer(serializers.Serializer):
    status = serializers.CharField(required=False, help_text="One status, or several separated by commas.")
    channel = serializers.SlugField(required=False)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    q = serializers.CharField(required=False, max_length=100)
    tag = serializers.CharField(required=False, max_length=32)
    province = serializers.CharField(required=False, max_length=32)
    on_hold = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_status(self, value):
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        unknown = [v for v in wanted if v not in statuses.RANK]
        if unknown:
            raise serializers.ValidationError(f"unknown status {', '.join(unknown)}")
        return wanted


def _order_input(data: dict) -> services.OrderInput:
    channel = channel_by_code(data["channel"])
    if channel is None:
        raise UnknownChannel(details={"channel": f"unknown channel {data['channel']!r}"})
    return services.OrderInput(
        channel=channel,
        external_id=data["external_id"],
        customer=services.CustomerInput(**data["customer"]),
        shipping_address=services.AddressInput(**data["shipping_address"]),
        lines=[
            services.LineInput(sku=ln["sku"], quantity=ln["quantity"], unit_price=ln.get("unit_price"))
            for ln in data["lines"]
        ],
        status=data["status"],
        placed_at=data["placed_at"],
        shipping_amount=data["shipping_amount"],
        discount_amount=data["discount_amount"],
        tags=tuple(data["tags"]),
    )


class OrderListCreateApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS
    serializer_class = s.OrderSerializer

    def get_queryset(self):
        filters = OrderFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.order_list(filters=filters.validated_data)

    @extend_schema(parameters=[OrderFilterSerializer], responses=s.OrderSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response([order_representation(o) for o in page])

    @extend_schema(
        request=s.OrderCreateSerializer,
        responses={201: s.OrderSerializer, 200: s.OrderSerializer},
        description="Creates the order and reserves its stock. The same channel + external_id again "
        "answers 200 with the stored order; short stock answers 409 `insufficient_stock`.",
    )
    def post(self, request):
        incoming = s.OrderCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        placed = services.order_place(data=_order_input(incoming.validated_data), actor=request_actor(request))
        if placed.created:
            # The service built the representation from the rows it wrote: no need to read them back.
            return Response(placed.representation, status=status.HTTP_201_CREATED)
        return Response(order_representation(selectors.order_get(order_id=placed.order.pk)), status=status.HTTP_200_OK)


class OrderDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.OrderSerializer)
    def get(self, request, order_id: int):
        order = get_object_or_404(selectors.order_list(), pk=order_id)
        return Response(order_representation(order))


def _existing(order_id: int) -> int:
    return get_object_or_404(Order.objects.only("id"), pk=order_id).pk


class OrderTransitionApi(APIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=s.TransitionSerializer,
        responses=s.TransitionResultSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        description="Moves the order forward. A stale move (to a status at or before the current one) "
        "is not applied: it answers 200 with outcome `ignored` and is recorded in the timeline. "
        "A move the status machine forbids answers 409 `invalid_transition`.",
    )
    def post(self, request, order_id: int):
        incoming = s.TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        result = services.order_transition(
            order_id=_existing(order_id),
            to=data["to"],
            reason=data["reason"],
            idempotency_key=data.get("idempotency_key") or request.headers.get("Idempotency-Key") or None,
            actor=request_actor(request),
        )
        return Response(
            {
                "outcome": result.outcome,
                "from_status": result.from_status,
                "to_status": result.to_status,
                "order": order_representation(selectors.order_get(order_id=result.order.pk)),
            }
        )


class OrderTimelineApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.TimelineSerializer, operation_id="v1_orders_timeline_list")
    def get(self, request, order_id: int):
        entries = selectors.order_timeline(order_id=_existing(order_id))
        return Response({"results": s.TimelineEntrySerializer(entries, many=True).data})


class _OrderCommandApi(APIView):
    """A small write on one order: validate the body, call ``command``, answer with the order."""

    read_roles = EVERYONE
    write_roles = ORDER_WORKERS
    input_serializer: type[serializers.Serializer]
    command: staticmethod

    def post(self, request, order_id: int):
        incoming = self.input_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.command(_existing(order_id), incoming.validated_data, request_actor(request))
        return Response(order_representation(selectors.order_get(order_id=order_id)))


@extend_schema(request=s.TagSerializer, responses=s.OrderSerializer)
class OrderTagApi(_OrderCommandApi):
    input_serializer = s.TagSerializer
    command = staticmethod(
        lambda order_id, data, actor: services.order_tag(order_id=order_id, tag=data["tag"], actor=actor)
    )


@extend_schema(request=s.TagSerializer, responses=s.OrderSerializer)
class OrderUntagApi(_OrderCommandApi):
    input_serializer = s.TagSerializer
    command = staticmethod(
        lambda order_id, data, actor: services.order_untag(order_id=order_id, tag=data["tag"], actor=actor)
    )


@extend_schema(request=s.HoldSerializer, responses=s.OrderSerializer)
class OrderHoldApi(_OrderCommandApi):
    input_serializer = s.HoldSerializer
    command = staticmethod(
        lambda order_id, data, actor: services.order_hold(order_id=order_id, reason=data["reason"], actor=actor)
    )


@extend_schema(request=s.ReleaseSerializer, responses=s.OrderSerializer)
class OrderReleaseApi(_OrderCommandApi):
    input_serializer = s.ReleaseSerializer
    command = staticmethod(
        lambda order_id, data, actor: services.order_release(order_id=order_id, note=data["note"], actor=actor)
    )


@extend_schema(request=s.NoteSerializer, responses=s.OrderSerializer)
class OrderNoteApi(_OrderCommandApi):
    input_serializer = s.NoteSerializer
    command = staticmethod(
        lambda order_id, data, actor: services.order_note(order_id=order_id, text=data["text"], actor=actor)
    )
