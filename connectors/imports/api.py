"""``/api/v1/order-imports/``: upload an order file, follow its import; each channel's saved column mapping.

Operators and admins upload and edit mappings; every role reads.
"""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from commerce.channels.models import Channel
from commerce.orders import statuses
from core.accounts.roles import ADMIN, EVERYONE, OPERATOR
from core.actors import Actor
from core.errors import NotFound

from . import jobs, mapping
from .models import OrderImport
from .parse import MAX_FILE_BYTES, MAX_ROWS

UPLOADERS = frozenset({OPERATOR, ADMIN})


# --- serializers --------------------------------------------------------------------------------


class OrderImportUploadSerializer(serializers.Serializer):
    # An empty file reaches the import, which says what the file should hold.
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=f"The channel's order export: CSV (UTF-8 or GBK) or .xlsx (first sheet), at most "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} rows below the header.",
    )
    channel = serializers.SlugField(max_length=32, help_text="The sales channel the orders belong to, e.g. jd.")
    mapping = serializers.SlugField(
        max_length=32,
        required=False,
        help_text="The channel's column mapping to read with (default: its saved `default`, else the built-in one).",
    )


class OrderImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    ignored = serializers.IntegerField(help_text="Stored already; the file's view was not newer.")
    failed = serializers.IntegerField(help_text="Refused by the order centre when applied; named in errors.")


class OrderImportSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code")
    channel_name = serializers.CharField(source="channel.name")
    mapping = serializers.CharField(source="mapping_name")
    progress = serializers.SerializerMethodField(help_text="0 to 1: rows of applied orders; 1 once succeeded.")
    counts = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField(
        help_text="What error_code means, in the reader's language (error_code is the stable key); else empty."
    )
    created_by = serializers.CharField(source="actor_label")

    class Meta:
        model = OrderImport
        fields = (
            "id",
            "filename",
            "channel",
            "channel_name",
            "mapping",
            "file_format",
            "encoding",
            "status",
            "phase",
            "total_rows",
            "processed_rows",
            "total_orders",
            "progress",
            "counts",
            "error_code",
            "message",
            "errors",
            "created_by",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        )

    def get_progress(self, job: OrderImport) -> float:
        if job.status == OrderImport.SUCCEEDED:
            return 1.0
        if job.phase != OrderImport.APPLYING or not job.total_rows:
            return 0.0
        return round(min(job.processed_rows / job.total_rows, 1.0), 3)

    @extend_schema(responses=OrderImportCountsSerializer)
    def get_counts(self, job: OrderImport) -> dict:
        return {"created": job.created, "updated": job.updated, "ignored": job.ignored, "failed": job.failed}

    def get_message(self, job: OrderImport) -> str:
        return jobs.order_import_failure_message(job.error_code)


class FieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    # "required" is the answer's key; DRF's metaclass takes declared fields out of the class, so it does not
    # replace Field.required at run time, whatever the stubs say.
    required = serializers.BooleanField()  # type: ignore[assignment]


class ColumnMappingSerializer(serializers.Serializer):
    channel = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    saved = serializers.BooleanField(read_only=True, help_text="False: the built-in mapping, never saved.")
    columns = serializers.DictField(
        child=serializers.CharField(max_length=100, allow_blank=True),
        help_text="Order field → the header of the column holding it; every required field named.",
    )
    statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=statuses.STATUSES),
        help_text="The channel's status word → Orderflow status.",
    )
    time_zone = serializers.CharField(max_length=64, default=mapping.DEFAULT_TIME_ZONE)
    order_fields = FieldSerializer(many=True, read_only=True, help_text="The order fields a column may hold.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_by = serializers.CharField(read_only=True, allow_null=True)


def _mapping_answer(channel: Channel) -> dict:
    saved = mapping.column_mapping_get(channel=channel)
    current = mapping.mapping_for(channel=channel)
    return {
        "channel": channel.code,
        "name": current.name,
        "saved": saved is not None,
        "columns": dict(current.columns),
        "statuses": dict(current.statuses),
        "time_zone": current.time_zone,
        "order_fields": [
            {"key": spec.key, "name_en": spec.name_en, "name_zh": spec.name_zh, "required": spec.required}
            for spec in mapping.FIELDS
        ],
        "updated_at": saved.updated_at if saved else None,
        "updated_by": saved.updated_by.get_username() if saved and saved.updated_by else None,
    }


# --- views --------------------------------------------------------------------------------------


class OrderImportListApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = UPLOADERS
    serializer_class = OrderImportSerializer
    queryset = OrderImport.objects.none()  # for the schema; answers come from the query below
    # An upload: multipart here only, and the larger body limit (``ORDERFLOW_MAX_UPLOAD_BYTES``).
    parser_classes = [MultiPartParser]
    accepts_uploads = True

    @extend_schema(responses=OrderImportSerializer(many=True))
    def get(self, request):
        jobs.order_imports_fail_lost()
        imports = OrderImport.objects.defer("content", "mapping").select_related("channel")
        page = self.paginate_queryset(imports) or []
        return self.get_paginated_response(OrderImportSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": OrderImportUploadSerializer},
        responses={202: OrderImportSerializer},
        description="Imports a channel's order export (field `file`; `channel`; optional `mapping`). Answers "
        "202 with the import (`Location`: `/api/v1/order-imports/{id}/`), which runs in the background: "
        "every row is checked first and one bad row imports nothing (the import fails with every bad row "
        "in `errors`, keyed `rows[<n>].<field>`, the header being row 1); then each order goes through the "
        "order centre, so a file uploaded twice creates no order twice. At once, storing nothing: 400 "
        "`invalid_order_import` for a file that is not a CSV or .xlsx export (empty, not UTF-8 or GBK, an "
        ".xlsx that is not a workbook or unpacks like a zip bomb, a required column missing), 413 "
        "`order_import_too_large` over 10 MB or 50,000 rows, 400 `unknown_channel`, 404 "
        "`unknown_column_mapping`, 409 `order_import_in_progress` for the same file still queued or running.",
    )
    def post(self, request):
        incoming = OrderImportUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        upload = data["file"]
        upload.seek(0)
        job = jobs.order_import_upload(
            content=upload.read(MAX_FILE_BYTES + 1),
            filename=upload.name or "upload",
            channel_code=data["channel"],
            mapping_name=data.get("mapping"),
            actor=Actor.user(request.user, source=f"import:{data['channel']}"),
            user=request.user,
        )
        job = OrderImport.objects.defer("content").select_related("channel").get(pk=job.pk)
        location = reverse("order-import-detail", kwargs={"order_import_id": job.pk})
        return Response(OrderImportSerializer(job).data, status=202, headers={"Location": location})


class OrderImportDetailApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = OrderImportSerializer
    queryset = OrderImport.objects.none()

    @extend_schema(
        description="An import's status, phase, progress, counts and errors. An import whose run was lost "
        "(still queued 15 minutes after the upload, or running with no heartbeat for 2 minutes; both are "
        "settings) is failed when it is read, with `error_code` `order_import_abandoned`."
    )
    def get(self, request, order_import_id: int):
        jobs.order_imports_fail_lost(import_id=order_import_id)
        job = get_object_or_404(OrderImport.objects.defer("content").select_related("channel"), pk=order_import_id)
        return Response(OrderImportSerializer(job).data)


class ColumnMappingApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = UPLOADERS
    serializer_class = ColumnMappingSerializer

    def _channel(self, code: str) -> Channel:
        channel = Channel.objects.filter(code=code).first()
        if channel is None:
            raise NotFound(details={"channel": f"no channel {code!r}"})
        return channel

    @extend_schema(
        responses=ColumnMappingSerializer,
        description="The channel's column mapping: the saved one, or the built-in one (`saved: false`).",
    )
    def get(self, request, channel: str):
        return Response(_mapping_answer(self._channel(channel)))

    @extend_schema(
        request=ColumnMappingSerializer,
        responses=ColumnMappingSerializer,
        description="Saves the channel's column mapping (replacing it). 400 `invalid_column_mapping` names "
        "each problem (`columns.<field>`, `statuses.<word>`, `time_zone`). Imports already queued keep the "
        "mapping they were uploaded with.",
    )
    def put(self, request, channel: str):
        found = self._channel(channel)
        incoming = ColumnMappingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        mapping.column_mapping_save(
            channel=found,
            columns=data["columns"],
            status_words=data["statuses"],
            time_zone=data["time_zone"],
            user=request.user,
        )
        return Response(_mapping_answer(found))


urlpatterns = [
    path("order-imports/", OrderImportListApi.as_view(), name="order-import-list"),
    path("order-imports/<int:order_import_id>/", OrderImportDetailApi.as_view(), name="order-import-detail"),
    path("order-imports/mappings/<slug:channel>/", ColumnMappingApi.as_view(), name="order-import-mapping"),
]
