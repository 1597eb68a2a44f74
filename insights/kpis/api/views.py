from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.roles import ADMINS, EVERYONE

from .. import selectors, services
from . import serializers as s


class KpiReportApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[
            s.KpiQuerySerializer,
            OpenApiParameter(
                "from", str, description="The first day, YYYY-MM-DD, included (default 6 days before `to`)."
            ),
        ],
        responses=s.KpiReportSerializer,
        description="The health KPIs over a range of Asia/Shanghai days, read from the rollups.",
    )
    def get(self, request):
        query = s.KpiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.kpi_report(**query.validated_data))


class KpiThresholdsApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @extend_schema(responses=s.ThresholdSerializer(many=True))
    def get(self, request):
        return Response(selectors.thresholds())

    @extend_schema(
        request=s.ThresholdPatchSerializer,
        responses=s.ThresholdSerializer(many=True),
        description="Changes the thresholds named (admins only); null removes one. Answers every threshold.",
    )
    def patch(self, request):
        incoming = s.ThresholdPatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.kpi_thresholds_update(changes=dict(incoming.validated_data), user=request.user)
        return Response(selectors.thresholds())
