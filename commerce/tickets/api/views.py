from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.tickets import selectors, services
from commerce.tickets.representation import ticket_representation
from core.accounts.roles import ADMIN, EVERYONE, FINANCE, OPERATOR, SUPERVISOR
from core.api.actors import request_actor
from core.api.bodies import no_body

from . import serializers as s

# Everyone reads tickets; managers only read.
TICKET_WORKERS = frozenset({OPERATOR, SUPERVISOR, FINANCE, ADMIN})


def _detail(ticket_id: int) -> dict:
    return ticket_representation(selectors.ticket_get(ticket_id=ticket_id), with_comments=True)


class TicketListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.TicketSerializer

    @extend_schema(parameters=[s.TicketFilterSerializer], responses=s.TicketSerializer(many=True))
    def get(self, request):
        filters = s.TicketFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        now = timezone.now()
        tickets = selectors.ticket_list(filters=filters.validated_data, viewer=request.user, now=now)
        page = self.paginate_queryset(tickets) or []
        return self.get_paginated_response([ticket_representation(t, now=now) for t in page])


class TicketDetailApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.TicketDetailSerializer)
    def get(self, request, ticket_id: int):
        return Response(_detail(ticket_id))


class TicketAssignToMeApi(APIView):
    read_roles = EVERYONE
    write_roles = TICKET_WORKERS

    @extend_schema(
        request=None,
        responses=s.TicketDetailSerializer,
        description="The caller takes the ticket (from whoever had it); an open ticket moves to "
        "`in_progress`. A closed ticket answers 409 `ticket_closed`.",
    )
    def post(self, request, ticket_id: int):
        no_body(request)
        services.ticket_assign(ticket_id=ticket_id, user=request.user, actor=request_actor(request))
        return Response(_detail(ticket_id))


class TicketCommentApi(APIView):
    read_roles = EVERYONE
    write_roles = TICKET_WORKERS

    @extend_schema(request=s.CommentSerializer, responses={201: s.TicketDetailSerializer})
    def post(self, request, ticket_id: int):
        incoming = s.CommentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.ticket_comment(
            ticket_id=ticket_id,
            body=incoming.validated_data["body"],
            actor=request_actor(request),
            author=request.user,
        )
        return Response(_detail(ticket_id), status=status.HTTP_201_CREATED)


class TicketCloseApi(APIView):
    read_roles = EVERYONE
    write_roles = TICKET_WORKERS

    @extend_schema(
        request=s.CloseSerializer,
        responses=s.TicketDetailSerializer,
        description="Closes the ticket. Closing a closed ticket changes nothing (the first resolution stays).",
    )
    def post(self, request, ticket_id: int):
        incoming = s.CloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.ticket_close(
            ticket_id=ticket_id, resolution=incoming.validated_data["resolution"], actor=request_actor(request)
        )
        return Response(_detail(ticket_id))
