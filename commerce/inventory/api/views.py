from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.inventory import imports, safety, selectors, services
from commerce.inventory.models import StockImport, StockItem, StockMovement
from core.accounts.roles import EVERYONE, STOCK_KEEPERS
from core.api.actors import request_actor
from core.api.pagination import CursorPagination

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
    queryset = StockItem.objects.none()  # for the schema; answers come from the selector

    @extend_schema(parameters=[s.StockFilterSerializer], responses=s.StockItemSerializer(many=True))
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
            kind=data["kind"],
            reason=data["reason"],
            actor=request_actor(request),
        )
        return Response(s.StockItemSerializer(StockItem.objects.select_related("warehouse").get(pk=row.pk)).data)


class SafetyStockApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = STOCK_KEEPERS
    serializer_class = s.SafetyStockSerializer

    @extend_schema(
        request=s.SafetyStockSerializer,
        responses=s.StockItemSerializer,
        description="Sets a stock row's safety stock, audited (`safety_stock_set` with before and after). "
        "Raising it to or above what is available fires `inventory.low_stock` once per crossing. The row must "
        "exist: 404 `unknown_stock_row` otherwise, `unknown_warehouse` for an unknown warehouse.",
    )
    def post(self, request):
        incoming = s.SafetyStockSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        row = safety.stock_set_safety(
            sku=data["sku"],
            warehouse_code=data["warehouse"],
            safety_stock=data["safety_stock"],
            reason=data["reason"],
            actor=request_actor(request),
        )
        return Response(s.StockItemSerializer(row).data)


class StockImportApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = STOCK_KEEPERS
    serializer_class = s.StockImportSerializer
    # The one upload in the API: multipart here only, JSON everywhere else, and a larger body
    # limit (``ORDERFLOW_MAX_UPLOAD_BYTES``; 200,000 realistic rows are about 6 MB).
    parser_classes = [MultiPartParser]
    accepts_uploads = True

    @extend_schema(
        request={"multipart/form-data": s.StockImportSerializer},
        responses={200: s.StockImportResultSerializer, 202: s.StockImportStatusSerializer},
        description="Sets stock levels from a CSV file (field `file`). Every row is checked first; one bad "
        "row imports nothing. A file of at most 2,000 rows is applied at once: 200 with the counts, or 400 "
        "`invalid_stock_import` with every error keyed `rows[<n>].<column>` (the header is row 1). A larger "
        "file answers 202 with the import (`Location`: `/api/v1/inventory/imports/{id}/`), applied in the "
        "background; its errors appear there, in the same form. An empty file, a wrong header, text that is "
        "not UTF-8 or broken CSV answer 400 at once, whatever the size; more than 200,000 rows 413 "
        "`stock_import_too_large`; the same file while it is still queued or validating 409 "
        "`stock_import_in_progress` naming that import — unless that import's task was lost, which then "
        "fails (`stock_import_abandoned`) and this upload goes ahead.",
    )
    def post(self, request):
        incoming = s.StockImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        upload.seek(0)
        outcome = imports.stock_import_upload(
            content=upload.read(), filename=upload.name, actor=request_actor(request), user=request.user
        )
        if isinstance(outcome, StockImport):
            location = reverse("stock-import-detail", kwargs={"import_id": outcome.pk})
            return Response(s.StockImportStatusSerializer(outcome).data, status=202, headers={"Location": location})
        return Response(s.StockImportResultSerializer(asdict(outcome)).data)


class StockImportDetailApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.StockImportStatusSerializer

    @extend_schema(
        description="An import's status, progress and errors. An import whose task was lost (still queued "
        "15 minutes after the upload, or its worker silent for 2 minutes; both are settings) is failed when "
        "it is read, with `error_code` `stock_import_abandoned`; `message` says why in the reader's language."
    )
    def get(self, request, import_id: int):
        imports.stock_imports_fail_lost(import_id=import_id)
        job = get_object_or_404(StockImport.objects.defer("content"), pk=import_id)
        return Response(s.StockImportStatusSerializer(job).data)


class StockMovementsApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.MovementSerializer
    pagination_class = _ByIdPagination
    queryset = StockMovement.objects.none()  # for the schema; answers come from the selector

    @extend_schema(responses=s.MovementSerializer(many=True))
    def get(self, request, stock_id: int):
        row = get_object_or_404(StockItem, pk=stock_id)
        page = self.paginate_queryset(selectors.stock_movements(stock_item_id=row.pk))
        return self.get_paginated_response(s.MovementSerializer(page, many=True).data)


class WarehouseListApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        responses=s.WarehouseListSerializer,
        operation_id="v1_warehouses_list",
        description="The active warehouses in serving order (priority, then code): what the stock pages pick from.",
    )
    def get(self, request):
        rows = selectors.warehouses_active()
        return Response({"results": [{"code": w.code, "name": w.name, "region": w.region} for w in rows]})
