"""``/api/v1/reconciliation/``: run days, read a day's report, export it, resolve its differences,
upload the bank / cash-on-delivery statements of a day.

Finance and admins run and resolve; managers read (DESIGN.md: finance approves, managers read the
numbers).
"""

from datetime import date

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.reconciliation import export, selectors, services, statement_file
from commerce.reconciliation.errors import DayNotReconciled, DifferenceNotFound, StatementTooLarge
from commerce.reconciliation.representation import difference_representation, statement_representation
from core.accounts.roles import ADMIN, FINANCE, MANAGER
from core.api.actors import request_actor
from core.errors import InvalidInput

from . import serializers as s

READERS = frozenset({FINANCE, ADMIN, MANAGER})
WORKERS = frozenset({FINANCE, ADMIN})
DAY = OpenApiParameter("day", OpenApiTypes.DATE, OpenApiParameter.PATH, description="YYYY-MM-DD")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(details={"day": "a date as YYYY-MM-DD"}) from None


def _reconciled(value: str):
    record = selectors.day_get(_day(value))
    if record is None:
        raise DayNotReconciled(details={"day": value})
    return record


class ReconciliationRunApi(APIView):
    read_roles = READERS
    write_roles = WORKERS

    @extend_schema(
        responses=s.ReconciliationDaySummarySerializer(many=True), description="The reconciled days, newest first."
    )
    def get(self, request):
        return Response(selectors.days_recent())

    @extend_schema(
        request=s.ReconciliationRunSerializer,
        responses=s.ReconciliationDaySummarySerializer(many=True),
        description="Reconciles each day of [date_from, date_to] (at most 31 days, none in the future) now: "
        "fetches the gateways' bills, matches, files the differences. Running a day again replaces its "
        "snapshot; its differences are not filed twice and resolved ones stay resolved.",
    )
    def post(self, request):
        incoming = s.ReconciliationRunSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        days = services.reconciliation_run_period(
            date_from=data["date_from"],
            date_to=data.get("date_to") or data["date_from"],
            tolerance=data.get("tolerance"),
            actor=request_actor(request),
        )
        return Response([selectors.day_summary(record) for record in days])


class ReconciliationDayApi(APIView):
    read_roles = READERS

    @extend_schema(
        parameters=[DAY, s.ReconciliationReportFilterSerializer], responses=s.ReconciliationDayReportSerializer
    )
    def get(self, request, day: str):
        record = _reconciled(day)
        incoming = s.ReconciliationReportFilterSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        return Response(selectors.day_report(record, **incoming.validated_data))


class _FirstRenderer(BaseContentNegotiation):
    """Errors answer as JSON whatever a download link accepts."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReconciliationExportApi(APIView):
    read_roles = READERS
    content_negotiation_class = _FirstRenderer

    @extend_schema(
        parameters=[DAY, s.ReconciliationExportFilterSerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, XLSX): OpenApiTypes.BINARY},
        description="The day's differences as CSV (UTF-8 with BOM) or Excel (.xlsx), titles in zh or en.",
    )
    def get(self, request, day: str):
        record = _reconciled(day)
        incoming = s.ReconciliationExportFilterSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        rows = [
            difference_representation(d, day=record.day.isoformat())
            for d in selectors.day_differences(record, category=data.get("category"), status=data.get("status"))
        ]
        table = export.rows(rows, data["lang"])
        name = f"reconciliation-{record.day:%Y%m%d}"
        if data["format"] == "xlsx":
            response = HttpResponse(export.xlsx_bytes(table, sheet=record.day.isoformat()), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        else:
            response = HttpResponse(export.csv_bytes(table), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response["Cache-Control"] = "no-store"
        return response


class DifferenceResolveApi(APIView):
    write_roles = WORKERS

    @extend_schema(request=s.ReconciliationResolveSerializer, responses=s.ReconciliationDifferenceSerializer)
    def post(self, request, difference_id: int):
        if not selectors.difference_exists(difference_id):
            raise DifferenceNotFound(details={"difference": difference_id})
        incoming = s.ReconciliationResolveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        difference = services.difference_resolve(
            difference_id=difference_id, reason=incoming.validated_data["reason"], actor=request_actor(request)
        )
        return Response(difference_representation(difference))


class StatementApi(APIView):
    read_roles = READERS
    write_roles = WORKERS
    parser_classes = [MultiPartParser]
    accepts_uploads = True  # the upload body limit (core.api.middleware); the file's own limit below it

    @extend_schema(
        parameters=[s.ReconciliationStatementFilterSerializer],
        responses=s.ReconciliationStatementSerializer(many=True),
        description="The statements uploaded for a day, or the latest 100.",
    )
    def get(self, request):
        incoming = s.ReconciliationStatementFilterSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        day = incoming.validated_data.get("day")
        return Response(selectors.statements_of_day(day) if day else selectors.statements_recent())

    @extend_schema(
        request={"multipart/form-data": s.ReconciliationStatementUploadSerializer},
        responses={201: s.ReconciliationStatementUploadedSerializer, 200: s.ReconciliationStatementUploadedSerializer},
        description="Uploads a bank or cash-on-delivery statement of a day (field `file`, with `day`, `kind`, "
        "`account`). Every row is checked first: any bad row stores nothing and answers 400 "
        "`invalid_statement` with `details.errors` [{row, column, message}] (the header is row 1 of the "
        "Orderflow format); a file that is not a statement at all answers `details.file`. More than 2 MB "
        "answers 413 `statement_too_large`. 201 `created`/`replaced` (the account's earlier statement of "
        "the day), or 200 `unchanged` for the same file again. A day already reconciled is run again with it.",
    )
    def post(self, request):
        incoming = s.ReconciliationStatementUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        upload = data["file"]
        if upload.size > statement_file.MAX_BYTES:
            raise StatementTooLarge(details={"file": f"at most {statement_file.MAX_BYTES} bytes", "size": upload.size})
        upload.seek(0)
        actor = request_actor(request)
        outcome = services.statement_upload(
            day=data["day"],
            kind=data["kind"],
            account=data["account"],
            file_name=upload.name or "",
            content=upload.read(),
            actor=actor,
        )
        reconciled = None
        if selectors.day_get(data["day"]) is not None:
            record = services.reconciliation_run(day=data["day"], actor=actor)
            reconciled = selectors.day_summary(record)
        body = {
            "outcome": outcome.outcome,
            "statement": statement_representation(outcome.statement),
            "reconciled": reconciled,
        }
        return Response(body, status=200 if outcome.outcome == "unchanged" else 201)
