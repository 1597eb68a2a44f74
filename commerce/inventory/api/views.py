from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from commerce.inventory import imports, selectors, services
from commerce.inventory.models import StockItem
from orderflow.accounts.roles import EVERYONE, STOCK_KEEPERS
from orderflow.api.actors import request_actor

from . import serializers as s


class _ByIdPagination(CursorPagination):
    ordering = ("id",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class StockListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.StockItemSerializer
    pagination_class = _ByIdPagination

    @extend_schema(parameters=[s.StockFilterSerializer])
    def get(self, request):
        filters = s.StockFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.stock_list(filters=filters.validated_data))
        return self.get_paginated_response(s.StockItemSerializer(page, many=True).data)


class StockAdjustApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = STOCK_KEEPERS
    serializer_class = s.AdjustSerializer

    @extend_schema(request=s.AdjustSerializer, responses=s.StockItemSerializer)
    def post(self, request):
        incoming = s.AdjustSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        row = services.stock_adjust(
            sku=data["sku"],
            warehouse_code=data["warehouse"],
            delta=data["delta"],
            reason=data["reason"],
            actor=request_actor(request),
        )
        return Response(s.StockItemSerializer(StockItem.objects.select_related("warehouse").get(pk=row.pk)).data)


class StockImportApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = STOCK_KEEPERS
    serializer_class = s.StockImportSerializer
    # The one upload in the API: multipart here only, JSON everywhere else.
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.StockImportSerializer},
        responses=s.StockImportResultSerializer,
        description="Sets stock levels from a CSV file (field `file`). Every row is checked first; one bad "
        "row answers 400 `invalid_stock_import` with every error keyed `rows[<n>].<column>` (the header is "
        "row 1) and imports nothing. More than 50,000 rows answers 413 `stock_import_too_large`.",
    )
    def post(self, request):
        incoming = s.StockImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        upload.seek(0)
        result = imports.stock_import(
            file=upload.file, actor=request_actor(request), reason=f"stock import {upload.name}"[:200]
        )
        return Response(s.StockImportResultSerializer(asdict(result)).data)


class StockMovementsApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.MovementSerializer
    pagination_class = _ByIdPagination

    def get(self, request, stock_id: int):
        row = get_object_or_404(StockItem, pk=stock_id)
        page = self.paginate_queryset(selectors.stock_movements(stock_item_id=row.pk))
        return self.get_paginated_response(s.MovementSerializer(page, many=True).data)
