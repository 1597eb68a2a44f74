from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.roles import EVERYONE, MANAGER, ORDER_WORKERS
from core.api.pagination import CursorPagination

from .. import selectors, services
from ..models import Alert
from ..representation import alert_representation
from . import serializers as s

# Order workers and managers resolve alerts.
RESOLVERS = ORDER_WORKERS | {MANAGER}


class RaisedCursorPagination(CursorPagination):
    ordering = ("-raised_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AlertListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.AlertSerializer
    pagination_class = RaisedCursorPagination
    queryset = Alert.objects.none()  # for the schema generator; get() reads through the selector

    @extend_schema(parameters=[s.AlertFilterSerializer], responses=s.AlertSerializer(many=True))
    def get(self, request):
        filters = s.AlertFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.alert_list(status=filters.validated_data.get("status"))) or []
        return self.get_paginated_response([alert_representation(alert) for alert in page])


class AlertResolveApi(APIView):
    read_roles = EVERYONE
    write_roles = RESOLVERS

    @extend_schema(
        request=s.ResolveSerializer,
        responses=s.AlertSerializer,
        description="Resolves the alert as the caller. Resolving a resolved alert changes nothing.",
    )
    def post(self, request, alert_id: int):
        incoming = s.ResolveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        alert = services.alert_resolve(alert_id=alert_id, user=request.user, note=incoming.validated_data["note"])
        return Response(alert_representation(alert))
