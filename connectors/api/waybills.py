"""``/api/v1/parcels/{id}/waybill/`` (and ``…/waybill/cancel/``), ``/api/v1/waybills/`` and ``/api/v1/labels/``:
e-waybills, their cancel at the courier, and their labels.

A courier that cannot be reached or refuses answers 502 with its error code (``unreachable``,
``sf_…``, ``kuaidi100_…``) and nothing is recorded; asking again is safe (one waybill per parcel).
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.shipments import parcels
from commerce.shipments.api.serializers import ParcelSerializer
from core.accounts.roles import ORDER_WORKERS
from core.api.actors import request_actor
from core.api.errors import error_response
from core.errors import NotFound

from ..base import ProviderError
from ..couriers import waybills


def _ids(*, required: bool = True) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=200,
        required=required,
    )


COURIER = serializers.ChoiceField(choices=waybills.WAYBILL_COURIERS, help_text="sf (顺丰) or kuaidi100 (快递100).")
CARRIER = serializers.RegexField(
    r"^[a-z0-9_]{1,32}$",
    required=False,
    default="",
    help_text="With kuaidi100: the carrier's code (yuantong, zhongtong, yunda, shentong); default yuantong.",
)


class WaybillSerializer(serializers.Serializer):
    courier = COURIER
    carrier = CARRIER


class OrdersWaybillSerializer(serializers.Serializer):
    order_ids = _ids()
    courier = COURIER
    carrier = CARRIER


class WaybillsAnswerSerializer(serializers.Serializer):
    parcels = ParcelSerializer(many=True)
    # The answer's own "errors" (documentation only), not Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        help_text="By order id: why that order got no waybill ({code, message})."
    )


class LabelsSerializer(serializers.Serializer):
    order_ids = _ids(required=False)
    parcel_ids = _ids(required=False)

    def validate(self, attrs):
        if ("order_ids" in attrs) == ("parcel_ids" in attrs):
            raise serializers.ValidationError({"order_ids": "give either order_ids or parcel_ids"})
        return attrs


def _provider_error(exc: ProviderError, *, cancelling: bool = False):
    message = (
        _("The courier did not cancel the waybill: %(reason)s. Try again, or check the courier connection.")
        if cancelling
        else _("The courier did not give a waybill: %(reason)s. Try again, or check the courier connection.")
    )
    return error_response(
        status.HTTP_502_BAD_GATEWAY,
        exc.code or "provider_error",
        message % {"reason": exc.message},
        {"retryable": exc.retryable},
    )


class ParcelWaybillApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=WaybillSerializer,
        responses={201: ParcelSerializer, 200: ParcelSerializer, 502: OpenApiResponse(description="courier error")},
        operation_id="v1_parcels_waybill",
        description="Requests the parcel's e-waybill (电子面单) from the courier's order API: 201 with the tracking "
        "number when placed now, 200 with the same number when the parcel already had one.",
    )
    def post(self, request, parcel_id: int):
        if parcels.parcel_find(parcel_id=parcel_id) is None:
            raise NotFound(details={"parcel": parcel_id})
        incoming = WaybillSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            parcel, placed = waybills.parcel_waybill_request(
                parcel_id=parcel_id,
                courier=incoming.validated_data["courier"],
                carrier=incoming.validated_data["carrier"],
                actor=request_actor(request),
            )
        except ProviderError as exc:
            return _provider_error(exc)
        return Response(
            parcels.parcel_representation(parcel), status=status.HTTP_201_CREATED if placed else status.HTTP_200_OK
        )


class WaybillCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ParcelWaybillCancelApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=WaybillCancelSerializer,
        responses={200: ParcelSerializer, 502: OpenApiResponse(description="courier error")},
        operation_id="v1_parcels_waybill_cancel",
        description="Cancels the parcel's e-waybill at the courier before pickup: the parcel is back to "
        "`planned` without a tracking number, and a new waybill can be requested. A parcel without a waybill "
        "(cancelled already), shipped, or picked up by the courier answers 409 `waybill_not_cancellable`.",
    )
    def post(self, request, parcel_id: int):
        if parcels.parcel_find(parcel_id=parcel_id) is None:
            raise NotFound(details={"parcel": parcel_id})
        incoming = WaybillCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            parcel = waybills.parcel_waybill_cancel(
                parcel_id=parcel_id, reason=incoming.validated_data["reason"], actor=request_actor(request)
            )
        except ProviderError as exc:
            return _provider_error(exc, cancelling=True)
        return Response(parcels.parcel_representation(parcel))


class OrdersWaybillsApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=OrdersWaybillSerializer,
        responses=WaybillsAnswerSerializer,
        operation_id="v1_waybills_create",
        description="E-waybills for every parcel of the selected orders (an order not boxed yet becomes one "
        "parcel; a merged parcel is asked for once). Each order's failure is listed in `errors`.",
    )
    def post(self, request):
        incoming = OrdersWaybillSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        answer = waybills.orders_waybills_request(
            order_ids=incoming.validated_data["order_ids"],
            courier=incoming.validated_data["courier"],
            carrier=incoming.validated_data["carrier"],
            actor=request_actor(request),
        )
        return Response(
            {"parcels": [parcels.parcel_representation(p) for p in answer["parcels"]], "errors": answer["errors"]}
        )


class LabelsApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=LabelsSerializer,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        operation_id="v1_labels_print",
        description="The labels (100 × 150 mm, Code 128 barcode) of the parcels, or of the orders' waybilled "
        "parcels, in one PDF — a pick wave prints at once.",
    )
    def post(self, request):
        incoming = LabelsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "parcel_ids" in data:
            pdf = waybills.labels_pdf(parcel_ids=data["parcel_ids"])
        else:
            pdf = waybills.orders_labels_pdf(order_ids=data["order_ids"])
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="labels.pdf"'
        return response
