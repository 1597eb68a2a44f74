from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.channels.selectors import channel_by_code
from commerce.orders import bulk, selectors, services
from commerce.orders.errors import UnknownChannel
from commerce.orders.models import Order
from core.accounts.roles import EVERYONE, ORDER_WORKERS
from core.api.actors import request_actor
from core.api.pagination import CreatedCursorPagination
from core.errors import DomainError

from . import export
from . import serializers as s
from .answers import OrderAnswers, order_answer
from .filters import ORDERINGS, OrderFilterSerializer


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
        client_ip=data["client_ip"],
        device=data["device"],
        buyer_account=data["buyer_account"],
        buyer_remark=data["buyer_remark"],
    )


class OrderCursorPagination(CreatedCursorPagination):
    """Newest first unless the request names another ``ordering`` (``filters.ORDERINGS``)."""

    def get_ordering(self, request, queryset, view):
        return ORDERINGS[view.filters["ordering"]]


class OrderListCreateApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS
    serializer_class = s.OrderSerializer
    pagination_class = OrderCursorPagination

    def get_queryset(self):
        incoming = OrderFilterSerializer(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        self.filters = incoming.validated_data
        return selectors.order_list(filters=self.filters)

    @extend_schema(
        parameters=[OrderFilterSerializer],
        responses=s.OrderSerializer(many=True),
        description="Phone numbers are masked (138****8000) unless the caller's role may read them "
        "(core.accounts.roles.PHONE_READERS); `q` finds a customer by the full number all the same.",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset()) or []
        answer = OrderAnswers(request)
        return self.get_paginated_response([answer(o) for o in page])

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
            answer = order_answer(request, placed.order, representation=placed.representation)
            return Response(answer, status=status.HTTP_201_CREATED)
        return Response(order_answer(request, selectors.order_get(order_id=placed.order.pk)), status=status.HTTP_200_OK)


class OrderDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.OrderSerializer)
    def get(self, request, order_id: int):
        order = get_object_or_404(selectors.order_list(), pk=order_id)
        return Response(order_answer(request, order))


def _existing(order_id: int) -> int:
    return get_object_or_404(Order.objects.only("id"), pk=order_id).pk


def _header_idempotency_key(request) -> str | None:
    """The ``Idempotency-Key`` header, held to the body field's rule (at most 128 characters): a longer
    one answers 400 naming the header rather than failing at the database."""
    value = request.headers.get("Idempotency-Key", "")
    try:
        key = serializers.CharField(max_length=s.IDEMPOTENCY_KEY_MAX_LENGTH, allow_blank=True).run_validation(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"Idempotency-Key": exc.detail}) from exc
    return key or None


class OrderTransitionApi(APIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=s.TransitionSerializer,
        responses=s.TransitionResultSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                {"type": "string", "maxLength": s.IDEMPOTENCY_KEY_MAX_LENGTH},
                OpenApiParameter.HEADER,
                required=False,
                description="The same key again for this order answers outcome `duplicate` and changes "
                "nothing (the body's `idempotency_key` wins when both are sent).",
            )
        ],
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
            idempotency_key=data.get("idempotency_key") or _header_idempotency_key(request),
            actor=request_actor(request),
        )
        return Response(
            {
                "outcome": result.outcome,
                "from_status": result.from_status,
                "to_status": result.to_status,
                "order": order_answer(request, selectors.order_get(order_id=result.order.pk)),
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
        return Response(order_answer(request, selectors.order_get(order_id=order_id)))


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


class _FirstRenderer(BaseContentNegotiation):
    """Answers errors as JSON whatever the client accepts: a download link sends ``Accept: text/csv``
    or ``*/*``, and its error body must still be the API's ``{code, message, details}``."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportTooLarge(DomainError):
    code = "export_too_large"
    http_status = 400
    message = _("The view holds more orders than one export may write; narrow the filters (a shorter time range).")


class OrderExportSerializer(OrderFilterSerializer):
    lang = serializers.ChoiceField(
        choices=["zh", "en"], required=False, default="zh", help_text="The language of the titles and names."
    )


class OrderExportApi(APIView):
    read_roles = EVERYONE
    content_negotiation_class = _FirstRenderer

    @extend_schema(
        parameters=[OrderExportSerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The orders the same filters list, as a CSV file (UTF-8 with BOM, channel and status "
        "by their names, phones masked as in the list, formula-like cells prefixed with '). At most "
        "ORDERFLOW_ORDER_EXPORT_MAX_ROWS orders: a larger view answers 400 `export_too_large`.",
    )
    def get(self, request):
        incoming = OrderExportSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        filters = incoming.validated_data
        now = timezone.now()
        orders = selectors.order_list(filters=filters, now=now).order_by(*ORDERINGS[filters["ordering"]])
        limit = settings.ORDERFLOW_ORDER_EXPORT_MAX_ROWS
        found = orders.order_by()[: limit + 1].count()
        if found > limit:
            raise ExportTooLarge(details={"limit": limit})
        rows = export.order_csv_rows(
            orders.iterator(chunk_size=export.CHUNK),
            language=filters["lang"],
            full_phones=OrderAnswers(request, now=now).full_phones,
            now=now,
        )
        response = StreamingHttpResponse(export.csv_stream(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


class OrderBulkApi(APIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=s.BulkSerializer,
        responses=s.BulkAnswerSerializer,
        description="Applies one action to up to 500 orders, each through the same service (and with the "
        "same audit entry and events) as the single-order endpoint, each in its own transaction. "
        "Answers 200 with one result per order, in the order given: `ok` with an `outcome` "
        "(`applied`, `unchanged`, `ignored`), or the error `code` and `message` that order's own call "
        "would have answered (`not_found`, `invalid_transition`, …).",
    )
    def post(self, request):
        incoming = s.BulkSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        results = bulk.orders_bulk_apply(
            order_ids=data["ids"],
            action=data["action"],
            actor=request_actor(request),
            tag=data.get("tag", ""),
            reason=data["reason"],
            note=data["note"],
            to=data.get("to", ""),
        )
        return Response(
            {
                "results": [result.as_dict() for result in results],
                "ok": sum(result.ok for result in results),
                "failed": sum(not result.ok for result in results),
            }
        )
