from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from builder.models import Flow
from builder.redaction import document_problems
from builder.representation import flow_representation
from core.accounts.roles import EVERYONE, FLOW_EDITORS, roles_of
from core.api.bodies import no_body
from core.errors import InvalidInput

from .. import services, transfer
from ..library import CATEGORIES, template_get, templates
from ..models import Installation
from ..preview import preview_svg
from ..representation import (
    category_representation,
    installation_representation,
    template_representation,
    template_summary,
)
from . import serializers as s

_ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
    409: OpenApiTypes.OBJECT,
}


def _flow(request, flow: Flow) -> dict:
    show_token = bool(roles_of(request.user) & FLOW_EDITORS)
    return flow_representation(flow, problems=document_problems(flow.draft), show_token=show_token)


class TemplateListApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.TemplateFilterSerializer],
        responses={200: s.TemplateListSerializer, 400: OpenApiTypes.OBJECT},
        description="The marketplace: every template (filtered by `category` and a search `q` over the zh/en "
        "title, description and tags), and the categories with their counts.",
    )
    def get(self, request):
        filters = s.TemplateFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        found = templates()
        counts = {key: sum(1 for t in found if t.category == key) for key in CATEGORIES}
        if wanted.get("q"):
            words = wanted["q"].casefold().split()
            found = [t for t in found if all(word in t.searchable() for word in words)]
        if wanted.get("category"):
            found = [t for t in found if t.category == wanted["category"]]
        return Response(
            {
                "categories": [category_representation(key, counts[key]) for key in CATEGORIES],
                "results": [template_summary(t, services.connection_needs(t)) for t in found],
            }
        )


class TemplateDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        responses={200: s.TemplateDetailSerializer, 404: OpenApiTypes.OBJECT},
        description="A template: its flow document (for the read-only preview), parameters, changelog, "
        "fixtures, and each connection it needs — present (with the connections to choose from) or "
        "missing (with what to connect and a link to the Connections page).",
    )
    def get(self, request, slug: str):
        template = services.template_or_404(slug)
        return Response(template_representation(template, services.connection_needs(template)))


class TemplatePreviewApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.PreviewQuerySerializer],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        description="The template's preview image, generated from its canvas (SVG, zh or en labels).",
    )
    def get(self, request, slug: str):
        template = services.template_or_404(slug)
        query = s.PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        svg = preview_svg(template.document, language=query.validated_data["lang"])
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response


class TemplateInstallApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.InstallSerializer,
        responses={201: s.InstallResultSerializer, **_ERRORS},
        description="Creates a flow from the template with the given `params` (each checked by its type) and "
        "`connections` and answers it (as the flows API does) with `test_run` and `missing_connections`; "
        "the flow remembers the template and its version. `test_event` test-runs the draft first "
        '("latest": a real recent event). `enable` publishes it switched on; false saves a draft. '
        "400 `invalid_parameters` names each wrong answer; 409 `connection_missing` (with `enable`) says "
        "what to connect and where.",
    )
    def post(self, request, slug: str):
        services.template_or_404(slug)
        incoming = s.InstallSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        result = services.template_install(
            slug=slug,
            user=request.user,
            params=data["params"],
            connections=data["connections"],
            enable=data["enable"],
            name=data.get("name"),
            test_event=data["test_event"],
        )
        # The new flow (DESIGN.md's public contract), with the test run and what is still to connect.
        return Response(
            {
                **_flow(request, result["flow"]),
                "test_run": result["test_run"],
                "missing_connections": result["missing_connections"],
            },
            status=status.HTTP_201_CREATED,
        )


class InstallationListApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        responses=s.InstallationListSerializer,
        description="Every flow installed from a template, with its template version and whether a newer one exists.",
    )
    def get(self, request):
        rows = (
            Installation.objects.select_related("flow")
            .filter(flow__archived_at__isnull=True)  # a deleted (archived) flow is no longer installed
            .order_by("-installed_at", "-id")[:500]
        )
        answer = []
        for row in rows:
            template = template_get(row.template)
            answer.append(installation_representation(row, template.version if template else None))
        return Response({"results": answer})


class InstallationDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        responses={200: s.UpdatePreviewSerializer, 404: OpenApiTypes.OBJECT},
        description="An installed flow against its template: `update_available`, the changelog since, and "
        "the diff (builder.diff) from the flow's draft to the update, which keeps the operator's answers.",
    )
    def get(self, request, flow_id: int):
        return Response(services.update_preview(services.installation_get(flow_id)))


class InstallationUpdateApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=None,
        responses={200: s.UpdatePreviewSerializer, **_ERRORS},
        description="Updates the flow to the template's latest version, keeping the operator's parameters and "
        "connections; a published flow is published again (it stays on or off). 409 `up_to_date`.",
    )
    def post(self, request, flow_id: int):
        no_body(request)
        return Response(services.installation_update(flow_id=flow_id, user=request.user))


class ExportApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.ExportQuerySerializer],
        responses={200: s.ExportFileSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        description="A file (orderflow.flows/v1) with the drafts of the given flows, secrets left out, and "
        "the connector and name of each connection they use.",
    )
    def get(self, request):
        query = s.ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(int(i) for i in query.validated_data["flows"].split(",")))
        flows = {f.pk: f for f in Flow.objects.select_related("installation").filter(pk__in=ids)}
        unknown = [i for i in ids if i not in flows]
        if unknown:
            raise InvalidInput(_("No such flow."), details={"flows": f"no flow has id {unknown[0]}"})
        response = Response(transfer.flows_export([flows[i] for i in ids]))
        response["Content-Disposition"] = 'attachment; filename="orderflow-flows.json"'
        return response


class ImportApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.ImportSerializer,
        responses={201: s.ImportResultSerializer, **_ERRORS},
        description="Creates a draft flow for each flow of the file (secrets never imported; connections "
        "mapped by connector). 400 `invalid_import` with `details.problems` [{flow, name, message}] names, in "
        "words, each missing action and connector; nothing is created then.",
    )
    def post(self, request):
        incoming = s.ImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        flows = transfer.flows_import(file=incoming.validated_data["file"], user=request.user)
        fresh = Flow.objects.select_related("owner", "current_version").filter(pk__in=[f.pk for f in flows])
        by_id = {f.pk: f for f in fresh}
        return Response({"flows": [_flow(request, by_id[f.pk]) for f in flows]}, status=status.HTTP_201_CREATED)
