"""``/api/v1/connectors/`` (the catalog) and ``/api/v1/connections/`` (accounts; admin-only writes).

Credentials are write-only: no answer carries a credential value, only the names of those set.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.roles import ADMINS, EVERYONE
from core.api.bodies import no_body
from core.api.errors import error_response
from core.api.pagination import CursorPagination
from core.crypto import SecretUnreadable
from core.errors import InvalidInput, NotFound

from ..base import Rejected
from ..models import Connection, PollRun, StockPush, WebhookDelivery
from ..notify.selectors import notification_list
from ..registry import CONNECTORS
from ..services import connections as services
from ..services.connections import connector_of
from ..services.deliveries import delivery_replay, sandbox_orders_deliver
from ..services.polling import connection_poll
from . import serializers as s


class _NewestFirst(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReceivedPagination(_NewestFirst):
    ordering = ("-received_at", "-id")


class StartedPagination(_NewestFirst):
    ordering = ("-started_at", "-id")


class CreatedPagination(_NewestFirst):
    ordering = ("-created_at", "-id")


class UpdatedPagination(_NewestFirst):
    ordering = ("-updated_at", "-id")


def _credential_names(connections) -> dict[int, list[str]]:
    names = {}
    for connection in connections:
        try:
            names[connection.pk] = sorted(services.connection_credentials(connection))
        except SecretUnreadable:
            names[connection.pk] = []
    return names


def _connection(connection_id: int) -> Connection:
    found = Connection.objects.filter(pk=connection_id).first()
    if found is None:
        raise NotFound(details={"connection": connection_id})
    return found


def _answer(connection: Connection, **kwargs) -> Response:
    context = {"credential_names": _credential_names([connection])}
    return Response(s.ConnectionSerializer(connection, context=context).data, **kwargs)


class ConnectorListApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.ConnectorSerializer(many=True))
    def get(self, request):
        return Response([s.connector_representation(connector) for connector in CONNECTORS])


class ConnectionListApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = ADMINS
    serializer_class = s.ConnectionSerializer

    @extend_schema(responses=s.ConnectionSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(Connection.objects.all()) or []
        context = {"credential_names": _credential_names(page)}
        return self.get_paginated_response(s.ConnectionSerializer(page, many=True, context=context).data)

    @extend_schema(request=s.ConnectionCreateSerializer, responses={201: s.ConnectionSerializer})
    def post(self, request):
        incoming = s.ConnectionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        connection = services.connection_create(
            data=services.ConnectionInput(**incoming.validated_data), created_by=request.user
        )
        return _answer(connection, status=status.HTTP_201_CREATED)


class ConnectionDetailApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=s.ConnectionSerializer)
    def get(self, request, connection_id: int):
        return _answer(_connection(connection_id))

    @extend_schema(request=s.ConnectionUpdateSerializer, responses=s.ConnectionSerializer)
    def patch(self, request, connection_id: int):
        incoming = s.ConnectionUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return _answer(services.connection_update(connection_id=connection_id, **incoming.validated_data))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, connection_id: int):
        no_body(request)
        services.connection_delete(connection_id=connection_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionTestApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(
        request=None,
        responses=s.CheckSerializer,
        description="Calls the provider's cheapest authenticated endpoint (or the sandbox) with the stored "
        "credentials and records the connection's health. A failure answers 200 with `ok: false` and the "
        "provider's message: the test ran, the connection failed it.",
    )
    def post(self, request, connection_id: int):
        no_body(request)
        result = services.connection_test(connection_id=connection_id)
        connection = _connection(connection_id)
        context = {"credential_names": _credential_names([connection])}
        return Response(
            {
                "ok": result.ok,
                "message": result.message,
                "code": result.code,
                "connection": s.ConnectionSerializer(connection, context=context).data,
            }
        )


class DeliveryListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.DeliverySerializer
    pagination_class = ReceivedPagination

    @extend_schema(responses=s.DeliverySerializer(many=True))
    def get(self, request, connection_id: int):
        _connection(connection_id)
        page = self.paginate_queryset(WebhookDelivery.objects.filter(connection_id=connection_id)) or []
        return self.get_paginated_response(s.DeliverySerializer(page, many=True).data)


class DeliveryReplayApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(
        request=None,
        responses={201: s.DeliverySerializer},
        description="Applies a verified delivery's stored bytes again, as a new delivery pointing at the "
        "original. A rejected delivery answers 409 `not_replayable`.",
    )
    def post(self, request, delivery_id: int):
        no_body(request)
        try:
            replay = delivery_replay(delivery_id=delivery_id)
        except Rejected as exc:
            return error_response(exc.status, exc.code, exc.message, exc.details)
        return Response(s.DeliverySerializer(replay).data, status=status.HTTP_201_CREATED)


class PollRunListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.PollRunSerializer
    pagination_class = StartedPagination

    @extend_schema(responses=s.PollRunSerializer(many=True))
    def get(self, request, connection_id: int):
        _connection(connection_id)
        page = self.paginate_queryset(PollRun.objects.filter(connection_id=connection_id)) or []
        return self.get_paginated_response(s.PollRunSerializer(page, many=True).data)


class StockPushListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.StockPushSerializer
    pagination_class = UpdatedPagination

    @extend_schema(responses=s.StockPushSerializer(many=True))
    def get(self, request, connection_id: int):
        _connection(connection_id)
        page = self.paginate_queryset(StockPush.objects.filter(connection_id=connection_id)) or []
        return self.get_paginated_response(s.StockPushSerializer(page, many=True).data)


class ConnectionPollApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(
        request=None,
        responses={200: s.PollRunSerializer, 409: None},
        description="Polls the platform now, from the stored cursor. 409 `poll_running` when a poll holds "
        "the connection (or the provider asked to wait).",
    )
    def post(self, request, connection_id: int):
        no_body(request)
        connection = _connection(connection_id)
        if connector_of(connection).poller is None:
            raise InvalidInput(details={"connector": f"{connection.connector} does not poll"})
        run = connection_poll(connection_id=connection.pk)
        if run is None:
            return error_response(
                409, "poll_running", _("A poll of this connection is running; try again shortly."), {}
            )
        return Response(s.PollRunSerializer(run).data)


class SandboxOrdersApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(
        request=s.SandboxOrdersSerializer,
        responses={201: s.SandboxOrdersAnswerSerializer},
        description="A sandbox connection's simulator creates orders and delivers them as signed webhooks to "
        "the connection's hook, so they arrive as real orders. 409 `not_a_sandbox` for a live connection.",
    )
    def post(self, request, connection_id: int):
        incoming = s.SandboxOrdersSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            deliveries = sandbox_orders_deliver(
                connection=_connection(connection_id), count=incoming.validated_data["count"]
            )
        except Rejected as exc:
            return error_response(exc.status, exc.code, exc.message, exc.details)
        return Response(
            {
                "deliveries": [d.pk for d in deliveries],
                "external_ids": [o["external_id"] for d in deliveries for o in d.result.get("orders", [])],
            },
            status=status.HTTP_201_CREATED,
        )


class NotificationListApi(GenericAPIView):
    """The notification log: every message the notify actions sent or queued, newest first, with its
    attempts and the provider's last answer. Recipients are masked; message bodies are never answered."""

    read_roles = EVERYONE
    serializer_class = s.NotificationLogSerializer
    pagination_class = CreatedPagination

    @extend_schema(parameters=[s.NotificationFilterSerializer], responses=s.NotificationLogSerializer(many=True))
    def get(self, request):
        filters = s.NotificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        logs = notification_list(
            channel=wanted.get("channel", ""),
            status=wanted.get("status", ""),
            order_id=wanted.get("order"),
            connection_id=wanted.get("connection"),
        )
        page = self.paginate_queryset(logs) or []
        return self.get_paginated_response(s.NotificationLogSerializer(page, many=True).data)
