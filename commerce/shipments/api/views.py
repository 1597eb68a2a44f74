from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders.selectors import order_find
from commerce.shipments import parcels, selectors, services
from commerce.shipments.representation import shipment_representation, tracking_event_representation
from core.accounts.roles import EVERYONE, ORDER_WORKERS
from core.api.actors import request_actor
from core.api.bodies import no_body
from core.errors import NotFound

from . import serializers as s


def _shipment(shipment) -> dict:
    events = list(selectors.tracking_events_of(shipment_id=shipment.pk))
    return {
        **shipment_representation(shipment, latest_event=events[-1] if events else None),
        "events": [tracking_event_representation(event) for event in events],
    }


def _existing(order_id: int) -> int:
    order = order_find(order_id=order_id)
    if order is None:
        raise NotFound(details={"order": order_id})
    return order.pk


class OrderShipmentsApi(APIView):
    read_roles = EVERYONE
    write_roles = ORDER_WORKERS

    @extend_schema(responses=s.ShipmentListSerializer, operation_id="v1_orders_shipments_list")
    def get(self, request, order_id: int):
        shipments = selectors.shipments_of_order(order_id=_existing(order_id))
        return Response({"results": [_shipment(shipment) for shipment in shipments]})

    @extend_schema(
        request=s.ShipmentCreateSerializer,
        responses={201: s.ShipmentSerializer, 200: s.ShipmentSerializer},
        operation_id="v1_orders_shipments_create",
        description="Records a parcel of the order by hand (`shipment.created`, on the order's timeline). "
        "The same courier and tracking number again answers 200 with the parcel; a tracking number "
        "recorded for another order answers 409 `tracking_no_taken`.",
    )
    def post(self, request, order_id: int):
        incoming = s.ShipmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        shipment, created = services.shipment_create(
            order_id=_existing(order_id),
            courier=incoming.validated_data["courier"],
            tracking_no=incoming.validated_data["tracking_no"],
            carrier=incoming.validated_data["carrier"],
            actor=request_actor(request),
        )
        return Response(_shipment(shipment), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- planned parcels: merge (合单), split (拆单) ------------------------------------------------------


def _parcel(parcel_id: int):
    parcel = parcels.parcel_find(parcel_id=parcel_id)
    if parcel is None:
        raise NotFound(details={"parcel": parcel_id})
    return parcel


def _parcels_answer(found, *, created: bool = False) -> Response:
    return Response(
        {"results": [parcels.parcel_representation(p) for p in found]},
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class MergeSuggestionsApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        parameters=[s.SuggestionQuerySerializer],
        responses={200: s.SuggestionListSerializer, 404: None},
        operation_id="v1_parcels_merge_suggestions",
        description="Groups of unshipped orders of one buyer and one address (any channels) that could ship "
        "in one parcel; `order` keeps only that order's group (404 when there is no such order).",
    )
    def get(self, request):
        query = s.SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"results": parcels.merge_suggestions(order_id=query.validated_data.get("order"))})


class MergeApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=s.MergeSerializer,
        responses={201: s.ParcelSerializer},
        operation_id="v1_parcels_merge",
        description="Merges the orders into one parcel (合单). Money is never merged: each order keeps its "
        "status, amounts and its own shipment. 409 `merge_refused` names each order that cannot join.",
    )
    def post(self, request):
        incoming = s.MergeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        parcel = parcels.orders_merge(order_ids=incoming.validated_data["order_ids"], actor=request_actor(request))
        return Response(parcels.parcel_representation(parcel), status=status.HTTP_201_CREATED)


class ParcelApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.ParcelSerializer, operation_id="v1_parcels_retrieve")
    def get(self, request, parcel_id: int):
        return Response(parcels.parcel_representation(_parcel(parcel_id)))


class UnmergeApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=None,
        responses=s.ParcelListSerializer,
        operation_id="v1_parcels_unmerge",
        description="Un-merges a merged parcel that has not shipped: each order gets its own parcel again "
        "(a waybill's tracking number is voided).",
    )
    def post(self, request, parcel_id: int):
        _parcel(parcel_id)
        no_body(request)
        return _parcels_answer(parcels.parcel_unmerge(parcel_id=parcel_id, actor=request_actor(request)))


class ParcelShipApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=None,
        responses=s.ParcelSerializer,
        operation_id="v1_parcels_ship",
        description="The waybilled parcel was handed to its courier: each order it carries gets its shipment; "
        "an order moves to shipped when its last parcel leaves (before that: processing).",
    )
    def post(self, request, parcel_id: int):
        _parcel(parcel_id)
        no_body(request)
        return Response(
            parcels.parcel_representation(parcels.parcel_ship(parcel_id=parcel_id, actor=request_actor(request)))
        )


class OrderParcelsApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.ParcelListSerializer, operation_id="v1_orders_parcels_list")
    def get(self, request, order_id: int):
        return _parcels_answer(parcels.parcels_of_order(order_id=_existing(order_id)))


class OrderSplitApi(APIView):
    write_roles = ORDER_WORKERS

    @extend_schema(
        request=s.SplitSerializer,
        responses={201: s.ParcelListSerializer},
        operation_id="v1_orders_split",
        description="Splits the order into parcels (拆单): by warehouse, by availability (presale later) or by "
        "hand. 409 `split_refused` when the order is merged, shipped or would stay one parcel.",
    )
    def post(self, request, order_id: int):
        order_id = _existing(order_id)
        incoming = s.SplitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        created = parcels.order_split(
            order_id=order_id,
            by=data.get("by"),
            parcels=[[dict(entry) for entry in box] for box in data["parcels"]] if "parcels" in data else None,
            later_skus=data["later_skus"],
            actor=request_actor(request),
        )
        return _parcels_answer(created, created=True)
