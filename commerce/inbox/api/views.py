"""The caller's own inbox: notifications addressed to any role the caller holds.

Every role may read and mark its own inbox; a notification addressed to other roles answers 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from commerce.inbox import selectors, services
from commerce.inbox.representation import notification_representation
from core.accounts.roles import EVERYONE, roles_of
from core.api.bodies import no_body

from . import serializers as s


class InboxListApi(GenericAPIView):
    read_roles = EVERYONE
    serializer_class = s.NotificationSerializer

    @extend_schema(parameters=[s.InboxFilterSerializer], responses=s.NotificationSerializer(many=True))
    def get(self, request):
        filters = s.InboxFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = selectors.inbox_list(
            user=request.user, roles=roles_of(request.user), filters=filters.validated_data
        )
        page = self.paginate_queryset(notifications) or []
        return self.get_paginated_response([notification_representation(n) for n in page])


class InboxUnreadCountApi(APIView):
    read_roles = EVERYONE

    @extend_schema(responses=s.UnreadCountSerializer)
    def get(self, request):
        return Response({"unread": selectors.inbox_unread_count(user=request.user, roles=roles_of(request.user))})


class InboxReadApi(APIView):
    read_roles = EVERYONE
    write_roles = EVERYONE

    @extend_schema(request=None, responses=s.NotificationSerializer)
    def post(self, request, notification_id: int):
        no_body(request)
        notification = services.inbox_mark_read(
            notification_id=notification_id, user=request.user, roles=roles_of(request.user)
        )
        return Response(notification_representation(notification, read=True))


class InboxReadAllApi(APIView):
    read_roles = EVERYONE
    write_roles = EVERYONE

    @extend_schema(request=None, responses=s.ReadAllSerializer)
    def post(self, request):
        no_body(request)
        roles = roles_of(request.user)
        marked = services.inbox_mark_all_read(user=request.user, roles=roles)
        return Response({"marked": marked, "unread": selectors.inbox_unread_count(user=request.user, roles=roles)})
