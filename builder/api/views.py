from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from builder import pickers, selectors, services
from builder.catalog import catalog_document
from builder.diff import document_diff
from builder.errors import InvalidFlow, NoSuchPicker
from builder.redaction import document_problems
from builder.representation import flow_representation, flow_state, version_representation, version_summary
from core.accounts.roles import EVERYONE, FLOW_EDITORS, roles_of
from core.actors import Actor
from core.api.bodies import no_body

from . import serializers as s

_ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
    409: OpenApiTypes.OBJECT,
}


def _answer(request, flow, *, with_problems: bool = True, status_code: int = status.HTTP_200_OK) -> Response:
    problems = document_problems(flow.draft) if with_problems else None
    show_token = bool(roles_of(request.user) & FLOW_EDITORS)
    return Response(flow_representation(flow, problems=problems, show_token=show_token), status=status_code)


class CatalogApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="Triggers (config and context schemas), domain events (context schemas), actions "
        "(params schemas), connectors, condition operators and template filters, with zh/en names.",
    )
    def get(self, request):
        return Response(catalog_document())


class FlowListCreateApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS
    serializer_class = s.FlowSerializer

    def get_queryset(self):
        filters = s.FlowFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.flow_list(filters=filters.validated_data)

    @extend_schema(parameters=[s.FlowFilterSerializer], responses=s.FlowSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset()) or []
        show_token = bool(roles_of(request.user) & FLOW_EDITORS)
        return self.get_paginated_response([flow_representation(f, show_token=show_token) for f in page])

    @extend_schema(
        request=s.FlowWriteSerializer,
        responses={201: s.FlowSerializer, **_ERRORS},
        description="Creates a flow whose draft is `definition` (or a blank document). The draft is "
        "saved even when invalid; the answer lists its `problems`. Only a document over 512 KB is refused.",
    )
    def post(self, request):
        incoming = s.FlowWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        flow = services.flow_create(owner=request.user, actor=Actor.user(request.user), **incoming.validated_data)
        return _answer(request, selectors.flow_get(flow_id=flow.pk), status_code=status.HTTP_201_CREATED)


class FlowDetailApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(responses={200: s.FlowSerializer, 404: OpenApiTypes.OBJECT})
    def get(self, request, flow_id: int):
        return _answer(request, selectors.flow_get(flow_id=flow_id))

    def _update(self, request, flow_id: int, *, partial: bool):
        selectors.flow_get(flow_id=flow_id)
        incoming = s.FlowWriteSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        services.flow_update_draft(flow_id=flow_id, actor=Actor.user(request.user), **incoming.validated_data)
        return _answer(request, selectors.flow_get(flow_id=flow_id))

    @extend_schema(
        request=s.FlowWriteSerializer,
        responses={200: s.FlowSerializer, **_ERRORS},
        description="Replaces the draft. Saved even when invalid (see `problems`); published versions "
        "are untouched. A secret (webhook `hmac_secret`, a `writeOnly` action param) sent back as ******** "
        "keeps the stored one; a new one is stored encrypted.",
    )
    def put(self, request, flow_id: int):
        return self._update(request, flow_id, partial=False)

    @extend_schema(request=s.FlowWriteSerializer, responses={200: s.FlowSerializer, **_ERRORS})
    def patch(self, request, flow_id: int):
        return self._update(request, flow_id, partial=True)

    @extend_schema(
        responses={200: s.FlowSerializer, 204: None, **_ERRORS},
        description="Deletes a flow that was never published (204). A published flow (its versions are "
        "history its executions name) is archived instead: switched off, left out of the list, still readable; "
        "the answer is the flow with `state` archived (200).",
    )
    def delete(self, request, flow_id: int):
        no_body(request)
        archived = services.flow_delete(flow_id=flow_id, actor=Actor.user(request.user))
        if archived:
            return _answer(request, selectors.flow_get(flow_id=flow_id), with_problems=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlowPublishApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.FlowPublishSerializer,
        responses={201: s.FlowPublishedSerializer, **_ERRORS},
        description="Freezes the draft as the next numbered, immutable version and makes it current; "
        "`enable` switches the flow on (or off) in the same call — by default on for the first publish. "
        "An invalid draft answers 400 `invalid_flow` with `details.problems` [{code, message, node, field, "
        "pointer, …}] and publishes nothing. A draft identical to the current version answers 409 "
        "`unchanged` and creates no version; an archived flow 409 `flow_archived`.",
    )
    def post(self, request, flow_id: int):
        incoming = s.FlowPublishSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version = services.flow_publish(
            flow_id=flow_id,
            user=request.user,
            notes=incoming.validated_data["notes"],
            enable=incoming.validated_data["enable"],
            first_publish_enables=True,
            actor=Actor.user(request.user),
        )
        flow = selectors.flow_get(flow_id=flow_id)
        body = {**version_summary(version), "enabled": flow.enabled, "state": flow_state(flow)}
        return Response(body, status=status.HTTP_201_CREATED)


class FlowDuplicateApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.FlowDuplicateSerializer,
        responses={201: s.FlowSerializer, **_ERRORS},
        description="A new draft flow (never published, switched off) whose document is a copy of this flow's "
        "draft, owned by the caller. An archived flow may be duplicated.",
    )
    def post(self, request, flow_id: int):
        incoming = s.FlowDuplicateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        source = selectors.flow_get(flow_id=flow_id)
        name = incoming.validated_data.get("name") or _("%(name)s (copy)") % {"name": source.name}
        copy = services.flow_duplicate(
            flow_id=flow_id, owner=request.user, name=name[:200], actor=Actor.user(request.user)
        )
        return _answer(request, selectors.flow_get(flow_id=copy.pk), status_code=status.HTTP_201_CREATED)


class FlowVersionListApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.FlowVersionListSerializer, operation_id="v1_flows_versions_list")
    def get(self, request, flow_id: int):
        selectors.flow_get(flow_id=flow_id)
        versions = selectors.flow_versions(flow_id=flow_id)
        return Response({"results": [version_summary(v) for v in versions]})


class FlowVersionDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses={200: s.FlowVersionSerializer, 404: OpenApiTypes.OBJECT})
    def get(self, request, flow_id: int, number: int):
        return Response(version_representation(selectors.flow_version_get(flow_id=flow_id, number=number)))


class FlowDiffApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="A version number, or 'draft'."),
            OpenApiParameter("to", str, required=True, description="A version number, or 'draft'."),
        ],
        responses={200: s.FlowDiffSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        description="What changed from one version (or the draft) to another: nodes added, removed and "
        "changed (with their changed fields), edges added and removed, and trigger fields changed.",
    )
    def get(self, request, flow_id: int):
        query = s.FlowDiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        flow = selectors.flow_get(flow_id=flow_id)

        def document(ref):
            if ref == "draft":
                return flow.draft
            return selectors.flow_version_get(flow_id=flow_id, number=ref).document

        refs = query.validated_data
        return Response(
            {"from": refs["from"], "to": refs["to"], **document_diff(document(refs["from"]), document(refs["to"]))}
        )


class FlowRollbackApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS

    @extend_schema(
        request=s.FlowRollbackSerializer,
        responses={201: s.FlowVersionSummarySerializer, **_ERRORS},
        description="Publishes an earlier version's document again as a new version (history is never "
        "rewritten) and makes it the draft. 400 `invalid_flow` if that document no longer validates; "
        "409 `unchanged` if it equals the current version.",
    )
    def post(self, request, flow_id: int):
        incoming = s.FlowRollbackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        version = services.flow_rollback(
            flow_id=flow_id,
            version=data["version"],
            user=request.user,
            notes=data["notes"] or None,
            actor=Actor.user(request.user),
        )
        return Response(version_summary(version), status=status.HTTP_201_CREATED)


class _FlowSwitchApi(APIView):
    read_roles = EVERYONE
    write_roles = FLOW_EDITORS
    enabled: bool

    def post(self, request, flow_id: int):
        no_body(request)
        services.flow_set_enabled(flow_id=flow_id, enabled=self.enabled, actor=Actor.user(request.user))
        return _answer(request, selectors.flow_get(flow_id=flow_id), with_problems=False)


@extend_schema(
    request=None,
    responses={200: s.FlowSerializer, **_ERRORS},
    description="The runtime starts executing the current version. 409 `not_published` before a first publish.",
)
class FlowEnableApi(_FlowSwitchApi):
    enabled = True


@extend_schema(request=None, responses={200: s.FlowSerializer, **_ERRORS})
class FlowDisableApi(_FlowSwitchApi):
    enabled = False


class FlowValidateApi(APIView):
    """Checks a document without saving anything; any role may ask."""

    read_roles = EVERYONE
    write_roles = EVERYONE

    @extend_schema(
        request=s.FlowValidateSerializer,
        responses={200: s.FlowValidationResultSerializer, 400: OpenApiTypes.OBJECT},
        description="200 `{valid: true, problems: []}` for a publishable document; otherwise 400 "
        "`invalid_flow` with `details.problems` [{code, message, node_id, pointer}].",
    )
    def post(self, request):
        incoming = s.FlowValidateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        problems = document_problems(incoming.validated_data["definition"])
        if problems:
            raise InvalidFlow(problems, message=_("The flow document has problems."))
        return Response({"valid": True, "problems": []})


class PickerApi(APIView):
    """The values a param may name, over the real rows (``builder.pickers``); every role may read them."""

    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.PickerQuerySerializer],
        responses={200: s.PickerAnswerSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        description="`kind` is one of channel, status, queue, tag, role, user, warehouse, sku, connection, "
        "message_template, ticket_priority, courier, event (`x-picker` in the catalog). Options match `q` in "
        "their value or either label. 404 `no_such_picker` for another kind.",
    )
    def get(self, request, kind: str):
        query = s.PickerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = {key: data[key] for key in ("connector", "connection") if key in data}
        options = pickers.picker_options(kind=kind, q=data["q"], limit=data["limit"], filters=filters)
        if options is None:
            raise NoSuchPicker(kind=kind, kinds=pickers.picker_kinds())
        return Response({"kind": kind, "options": options})
