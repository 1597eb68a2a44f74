"""What the order detail page needs beyond the order itself, in one call: its channel by name, its
payments and their refunds, its parcels with their tracking, its tickets.

The timeline (``/orders/{id}/timeline/``) and the flows that ran on the order
(``/executions/?subject=order:{id}``) have their own endpoints; the runtime's executions are not
the domain's to read.
"""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.orders import selectors
from commerce.payments.models import Payment, PaymentRefund
from commerce.refunds.api.serializers import RefundSerializer
from commerce.refunds.representation import refund_representation
from commerce.refunds.selectors import refund_list
from commerce.shipments.api.serializers import ShipmentSerializer
from commerce.shipments.models import Shipment, TrackingEvent
from commerce.shipments.representation import shipment_representation, tracking_event_representation
from commerce.tickets.api.serializers import TicketSerializer
from commerce.tickets.representation import ticket_representation
from commerce.tickets.selectors import ticket_list
from core.accounts.roles import EVERYONE
from core.errors import NotFound
from core.time import iso_utc

from . import serializers as s
from .answers import order_answer


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def gateway_refund_representation(refund: PaymentRefund, payment: Payment) -> dict:
    return {
        "id": refund.pk,
        "payment": payment.pk,
        "gateway": payment.gateway,
        "out_request_no": refund.out_request_no,
        "amount": _money(refund.amount),
        "reason": refund.reason,
        "status": refund.status,
        "error": refund.error,
        "created_at": iso_utc(refund.created_at),
        "updated_at": iso_utc(refund.updated_at),
    }


def payment_representation(payment: Payment) -> dict:
    """A payment attempt without the gateway's raw notifications (they are for the connector's own pages)."""
    return {
        "id": payment.pk,
        "attempt": payment.attempt,
        "gateway": payment.gateway,
        "connection": payment.connection_id,
        "out_trade_no": payment.out_trade_no,
        "gateway_trade_no": payment.gateway_trade_no,
        "amount": _money(payment.amount),
        "paid_amount": _money(payment.paid_amount),
        "refunded_amount": _money(payment.refunded_amount),
        "currency": payment.currency,
        "status": payment.status,
        "confirmed_by": payment.confirmed_by,
        "paid_at": iso_utc(payment.paid_at),
        "created_at": iso_utc(payment.created_at),
    }


class ChannelRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class PaymentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    attempt = serializers.IntegerField()
    gateway = serializers.CharField(help_text="The gateway connector's key (alipay, wechatpay).")
    connection = serializers.IntegerField(allow_null=True)
    out_trade_no = serializers.CharField()
    gateway_trade_no = serializers.CharField()
    amount = serializers.CharField()
    paid_amount = serializers.CharField(allow_null=True)
    refunded_amount = serializers.CharField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=Payment.STATUSES)
    confirmed_by = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class RefundOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    payment = serializers.IntegerField()
    gateway = serializers.CharField()
    out_request_no = serializers.CharField()
    amount = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=PaymentRefund.STATUSES)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrderWorkspaceSerializer(serializers.Serializer):
    order = s.OrderSerializer()
    channel = ChannelRefSerializer()
    payments = PaymentOutSerializer(many=True, help_text="Payment attempts, newest first.")
    refunds = RefundOutSerializer(many=True, help_text="Refunds sent back through the order's payments, oldest first.")
    refund_requests = RefundSerializer(many=True, help_text="Refund requests of the order, oldest first.")
    shipments = ShipmentSerializer(many=True, help_text="Parcels, oldest first, each with its tracking history.")
    tickets = TicketSerializer(many=True, help_text="Tickets about the order, newest first.")


class OrderWorkspaceApi(APIView):
    read_roles = EVERYONE

    @extend_schema(
        responses=OrderWorkspaceSerializer,
        operation_id="v1_orders_workspace_retrieve",
        description="The order with what its detail page shows around it, in one call: the channel's name, "
        "payments and their refunds, refund requests, parcels with tracking events, tickets. Every role may "
        "read it; phones are masked as in the order list.",
    )
    def get(self, request, order_id: int):
        order = selectors.order_list().filter(pk=order_id).first()
        if order is None:
            raise NotFound(details={"order": order_id})
        payments = list(
            Payment.objects.filter(order_id=order.pk)
            .prefetch_related(Prefetch("refunds", queryset=PaymentRefund.objects.order_by("created_at", "id")))
            .order_by("-attempt")
        )
        refunds = sorted(
            ((refund, payment) for payment in payments for refund in payment.refunds.all()),
            key=lambda pair: (pair[0].created_at, pair[0].pk),
        )
        shipments = Shipment.objects.filter(order_id=order.pk).prefetch_related(
            Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
        )
        now = timezone.now()
        return Response(
            {
                "order": order_answer(request, order),
                "channel": {"code": order.channel.code, "name": order.channel.name, "kind": order.channel.kind},
                "payments": [payment_representation(p) for p in payments],
                "refunds": [gateway_refund_representation(refund, payment) for refund, payment in refunds],
                "refund_requests": [
                    refund_representation(refund_request)
                    for refund_request in refund_list(order_id=order.pk).order_by("created_at", "id")
                ],
                "shipments": [_shipment(shipment) for shipment in shipments.order_by("created_at", "id")],
                "tickets": [
                    ticket_representation(ticket, now=now)
                    for ticket in ticket_list(filters={"order": order.pk}).order_by("-created_at", "-id")
                ],
            }
        )


def _shipment(shipment: Shipment) -> dict:
    events = list(shipment.events.all())
    return {
        **shipment_representation(shipment, latest_event=events[-1] if events else None),
        "events": [tracking_event_representation(event) for event in events],
    }
