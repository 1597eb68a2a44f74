from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders.selectors import order_find
from commerce.shipments import selectors, services
from commerce.shipments.representation import shipment_representation, tracking_event_representation
from core.accounts.roles import EVERYONE, ORDER_WORKERS
from core.api.actors import request_actor
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
