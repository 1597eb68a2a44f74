"""``/api/v1/refunds/``: file, list and read refund requests; approve, reject, cancel; the policy."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders.models import Order
from commerce.refunds import evidence as evidence_services
from commerce.refunds import filing, selectors, services
from commerce.refunds.errors import EvidenceTooLarge
from commerce.refunds.representation import refund_representation
from commerce.refunds.tracking import tracking_path
from core.accounts.roles import ADMINS, EVERYONE, FINANCE, ORDER_WORKERS, SUPERVISOR
from core.api.actors import request_actor
from core.api.bodies import no_body
from core.api.pagination import CursorPagination
from core.errors import NotFound

from . import serializers as s

APPROVERS = frozenset({SUPERVISOR, FINANCE})
FILERS = ORDER_WORKERS | {FINANCE}


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")


def _row(refund) -> dict:
    return {**refund_representation(refund), "order_number": refund.order.number}


def _detail(request, refund) -> dict:
    """The request with its decisions, returned goods and a fresh customer tracking link (``tracking``)."""
    decisions = [
        {
            "kind": d.kind,
            "role": d.role,
            "by": d.actor_label,
            "policy_version": d.policy_version,
            "note": d.note,
            "at": d.at.isoformat(),
        }
        for d in refund.decisions.all()
    ]
    returns = [
        {
            "sku": r.sku,
            "quantity": r.quantity,
            "condition": r.condition,
            "disposition": r.disposition,
            "warehouse": r.warehouse,
            "tracking_no": r.tracking_no,
            "by": r.actor_label,
            "at": r.received_at.isoformat(),
        }
        for r in refund.returns.all()
    ]
    return {
        **_row(refund),
        "decisions": decisions,
        "returns": returns,
        "evidence": [_evidence(e) for e in refund.evidence.all()],
        "tracking_url": request.build_absolute_uri(tracking_path(refund.pk)),
    }


def _evidence(evidence) -> dict:
    return {
        "id": evidence.pk,
        "name": evidence.name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "uploaded_by": evidence.uploaded_by,
        "uploaded_at": evidence.uploaded_at.isoformat(),
        "download_url": reverse(
            "refund-evidence-item", kwargs={"refund_id": evidence.request_id, "evidence_id": evidence.pk}
        ),
    }


def _found(refund_id: int):
    """The request a URL names; an unknown id answers 404 ``not_found`` as every URL id of the API does."""
    refund = selectors.refund_get(refund_id=refund_id)
    if refund is None:
        raise NotFound(details={"refund": f"no refund request has id {refund_id}"})
    return refund


class RefundListCreateApi(GenericAPIView):
    read_roles = EVERYONE
    write_roles = FILERS
    serializer_class = s.RefundSerializer
    pagination_class = NewestFirst

    @extend_schema(parameters=[s.RefundFilterSerializer], responses=s.RefundSerializer(many=True))
    def get(self, request):
        filters = s.RefundFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        refunds = selectors.refund_list(
            status=wanted.get("status"), order_id=wanted.get("order"), queue=wanted.get("queue", "")
        )
        page = self.paginate_queryset(refunds) or []
        return self.get_paginated_response([_row(r) for r in page])

    @extend_schema(
        request=s.RefundCreateSerializer,
        responses={201: s.RefundSerializer},
        description="Files a refund request and applies the approval policy in force: within the automatic "
        "tier (or for a trusted customer) it answers `approved`; otherwise `approving` with the roles whose "
        "approval it needs, in order. More than the order paid answers 409 `refund_exceeds_paid`.",
    )
    def post(self, request):
        incoming = s.RefundCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if not Order.objects.filter(pk=data["order"]).exists():
            raise NotFound(details={"order": f"no order has id {data['order']}"})
        refund, _created = services.refund_request(
            data=services.RefundInput(
                order_id=data["order"],
                amount=Decimal(data["amount"]),
                reason=data["reason"],
                note=data["note"],
                lines=tuple(services.RefundLineInput(sku=ln["sku"], quantity=ln["quantity"]) for ln in data["lines"]),
                return_needed=data["return_needed"],
                user=request.user,
            ),
            actor=request_actor(request),
        )
        return Response(_row(refund), status=status.HTTP_201_CREATED)


class RefundSummaryApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.SummaryQuerySerializer],
        responses=s.RefundSummarySerializer,
        description="The day's refund figures (a calendar day in Asia/Shanghai): requested, refunded, "
        "rejected, pending at the day's end, and the mean hours from filing to money back.",
    )
    def get(self, request):
        wanted = s.SummaryQuerySerializer(data=request.query_params)
        wanted.is_valid(raise_exception=True)
        tz = ZoneInfo(settings.ORDERFLOW_DISPLAY_TIME_ZONE)
        day = wanted.validated_data.get("date") or timezone.now().astimezone(tz).date()
        return Response(selectors.refund_summary(day=day, tz=tz))


class RefundDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.RefundDetailSerializer)
    def get(self, request, refund_id: int):
        return Response(_detail(request, _found(refund_id)))


class RefundApproveApi(APIView):
    read_roles = EVERYONE
    write_roles = APPROVERS

    @extend_schema(
        request=s.ApproveSerializer,
        responses=s.RefundDetailSerializer,
        description="Gives the next approval the request needs, as the caller. The caller must hold that "
        "role (403 `not_your_approval`), must not have requested it nor approved it already "
        "(403 `self_approval`). The last approval of an offline refund needs the payment `reference`.",
    )
    def post(self, request, refund_id: int):
        incoming = s.ApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _found(refund_id)
        refund = services.refund_approve(
            refund_id=refund_id,
            user=request.user,
            note=incoming.validated_data["note"],
            reference=incoming.validated_data["reference"],
        )
        return Response(_detail(request, _found(refund.pk)))


class RefundRejectApi(APIView):
    read_roles = EVERYONE
    write_roles = APPROVERS

    @extend_schema(request=s.RejectSerializer, responses=s.RefundDetailSerializer)
    def post(self, request, refund_id: int):
        incoming = s.RejectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _found(refund_id)
        refund = services.refund_reject(
            refund_id=refund_id, user=request.user, reason=incoming.validated_data["reason"]
        )
        return Response(_detail(request, _found(refund.pk)))


class RefundCancelApi(APIView):
    read_roles = EVERYONE
    write_roles = FILERS

    @extend_schema(request=s.CancelSerializer, responses=s.RefundDetailSerializer)
    def post(self, request, refund_id: int):
        incoming = s.CancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _found(refund_id)
        refund = services.refund_cancel(
            refund_id=refund_id, actor=request_actor(request), note=incoming.validated_data["note"]
        )
        return Response(_detail(request, _found(refund.pk)))


class RefundRetryApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS | {FINANCE}

    @extend_schema(
        request=None,
        responses=s.RefundDetailSerializer,
        description="Sends a failed gateway payout again (`failed` → `approved`); the payout uses the same "
        "idempotency key, so the gateway never pays twice. Any other status answers 409 `refund_not_pending`.",
    )
    def post(self, request, refund_id: int):
        no_body(request)
        _found(refund_id)
        services.refund_retry(refund_id=refund_id, actor=request_actor(request))
        return Response(_detail(request, _found(refund_id)))


class RefundReturnReceivedApi(APIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=s.ReturnReceivedSerializer,
        responses=s.RefundDetailSerializer,
        description="Records goods received back against the request, all lines or none: `sellable` ones go back "
        "on hand (a `return` movement in the stock ledger, in the warehouse the order took them from), `damaged` "
        "ones are quarantined and never reach stock. Per SKU, all that comes back may not pass the request's lines "
        "(or the order's, for a request without lines). A rejected or cancelled request answers 409 "
        "`refund_not_pending`. `tracking_no` becomes the request's return tracking number.",
    )
    def post(self, request, refund_id: int):
        incoming = s.ReturnReceivedSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        _found(refund_id)
        services.refund_return_receive(
            refund_id=refund_id,
            lines=[
                services.ReturnLineInput(sku=ln["sku"], quantity=ln["quantity"], condition=ln["condition"])
                for ln in data["lines"]
            ],
            tracking_no=data["tracking_no"],
            actor=request_actor(request),
        )
        return Response(_detail(request, _found(refund_id)))


class RefundEvidenceApi(APIView):
    """Evidence images of a request: list (every staff role that sees refunds) and upload (filers)."""

    read_roles = EVERYONE
    write_roles = FILERS
    parser_classes = [MultiPartParser]
    accepts_uploads = True  # the upload body limit (core.api.middleware); each image is checked below it

    @extend_schema(responses=s.EvidenceSerializer(many=True))
    def get(self, request, refund_id: int):
        return Response([_evidence(e) for e in _found(refund_id).evidence.all()])

    @extend_schema(
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.EvidenceSerializer},
        description="Adds an image (field `file`) to a request that has not ended. Its type is read from its "
        "bytes: not a JPEG, PNG or WebP image answers 400 `invalid_evidence` (whatever the part's content type), "
        "more than `ORDERFLOW_REFUND_EVIDENCE_MAX_BYTES` (5 MB) 413 `evidence_too_large`, a request already "
        "holding `ORDERFLOW_REFUND_EVIDENCE_MAX_FILES` (9) 409 `evidence_limit`. The same bytes again answer the "
        "stored file.",
    )
    def post(self, request, refund_id: int):
        _found(refund_id)  # an unknown id answers 404 whatever the body
        incoming = s.EvidenceUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        limit = evidence_services.evidence_max_bytes()
        content = upload.read(limit + 1)  # never more than one byte past the limit into memory
        if len(content) > limit:
            raise EvidenceTooLarge(details={"file": f"{upload.name} is larger than {limit} bytes"})
        stored = evidence_services.evidence_add(
            refund_id=refund_id, content=content, name=upload.name or "", actor=request_actor(request)
        )
        return Response(_evidence(stored), status=status.HTTP_201_CREATED)


class RefundEvidenceItemApi(APIView):
    read_roles = EVERYONE
    write_roles = FILERS

    @extend_schema(
        responses={
            (200, kind): OpenApiResponse(OpenApiTypes.BINARY, description="The image itself.")
            for kind in ("image/jpeg", "image/png", "image/webp")
        },
        description="The image, with the type its bytes have and `X-Content-Type-Options: nosniff`.",
    )
    def get(self, request, refund_id: int, evidence_id: int):
        _found(refund_id)
        return evidence_services.evidence_response(
            evidence_services.evidence_get(refund_id=refund_id, evidence_id=evidence_id)
        )

    @extend_schema(
        responses={204: None},
        description="Removes an image while the request waits for a decision (409 `refund_not_pending` after).",
    )
    def delete(self, request, refund_id: int, evidence_id: int):
        no_body(request)
        _found(refund_id)
        evidence_services.evidence_delete(refund_id=refund_id, evidence_id=evidence_id, actor=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RefundBulkApproveApi(APIView):
    read_roles = EVERYONE
    write_roles = APPROVERS

    @extend_schema(
        request=s.BulkApproveSerializer,
        responses=s.BulkApproveAnswerSerializer,
        description="Gives the caller's approval to each request (at most 100), each in its own transaction under "
        "its order's lock, with the same rules as `…/approve/`: one refused never undoes another. Answers per id, "
        "in the order given: `approved` with the status now, or `refused` with the error `code` and `message` "
        "(`not_found`, `not_your_approval`, `self_approval`, `refund_not_pending`, or `invalid_refund` for an "
        "offline refund whose last approval needs its payment reference, given one by one).",
    )
    def post(self, request):
        incoming = s.BulkApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        results = services.refunds_bulk_approve(
            refund_ids=incoming.validated_data["ids"], user=request.user, note=incoming.validated_data["note"]
        )
        return Response({"results": results})


class RefundFilingLinkApi(APIView):
    read_roles = EVERYONE
    write_roles = FILERS

    @extend_schema(
        request=s.FilingLinkRequestSerializer,
        responses={201: s.FilingLinkSerializer},
        description="A link (发送退款链接) the customer files a refund request of this order on: signed, valid "
        "for `ORDERFLOW_REFUND_FILING_DAYS` (7), showing that order's lines only. Unknown order: 404.",
    )
    def post(self, request):
        incoming = s.FilingLinkRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        order_id = incoming.validated_data["order"]
        if not Order.objects.filter(pk=order_id).exists():
            raise NotFound(details={"order": f"no order has id {order_id}"})
        link = filing.filing_link(order_id=order_id, base_url=request.build_absolute_uri("/"))
        return Response(link, status=status.HTTP_201_CREATED)


class RefundPolicyApi(APIView):
    read_roles = EVERYONE
    write_roles = ADMINS

    @staticmethod
    def _answer(policy) -> dict:
        return {
            "version": policy.version,
            "document": policy.document,
            "note": policy.note,
            "created_by": policy.created_by,
            "created_at": policy.created_at.isoformat(),
        }

    @extend_schema(responses=s.PolicySerializer)
    def get(self, request):
        return Response(self._answer(services.policy_current()))

    @extend_schema(
        request=s.PolicySerializer,
        responses={201: s.PolicySerializer},
        description="Saves the document as the next version; requests already filed keep theirs.",
    )
    def post(self, request):
        incoming = s.PolicySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        policy = services.policy_save(
            document=incoming.validated_data["document"],
            note=incoming.validated_data["note"],
            actor=request_actor(request),
        )
        return Response(self._answer(policy), status=status.HTTP_201_CREATED)
