from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.accounts.roles import EVERYONE
from core.api.bodies import no_body
from insights.boards import selectors, services

from .serializers import BoardViewSerializer, stored_filters


def _incoming(request, *, partial: bool) -> dict:
    incoming = BoardViewSerializer(data=request.data, partial=partial)
    incoming.is_valid(raise_exception=True)
    data = dict(incoming.validated_data)
    if "filters" in data:
        data["filters"] = stored_filters(data["filters"])
    return data


class BoardViewListApi(APIView):
    """The caller's own saved views of the order board; every role may keep views."""

    read_roles = EVERYONE
    write_roles = EVERYONE

    @extend_schema(responses=BoardViewSerializer(many=True), operation_id="v1_board_views_list")
    def get(self, request):
        return Response(BoardViewSerializer(selectors.board_views_of(owner=request.user), many=True).data)

    @extend_schema(
        request=BoardViewSerializer,
        responses={201: BoardViewSerializer},
        description="A name the caller uses already answers 400 naming `name`; a 51st view 409 `too_many_views`.",
    )
    def post(self, request):
        view = services.board_view_create(owner=request.user, data=_incoming(request, partial=False))
        return Response(BoardViewSerializer(view).data, status=status.HTTP_201_CREATED)


class BoardViewDetailApi(APIView):
    """One of the caller's views; another user's view answers 404 as if it did not exist."""

    read_roles = EVERYONE
    write_roles = EVERYONE

    def _view(self, request, view_id: int):
        view = selectors.board_view_of(owner=request.user, view_id=view_id)
        if view is None:
            raise Http404
        return view

    @extend_schema(responses=BoardViewSerializer)
    def get(self, request, view_id: int):
        return Response(BoardViewSerializer(self._view(request, view_id)).data)

    @extend_schema(request=BoardViewSerializer, responses=BoardViewSerializer)
    def patch(self, request, view_id: int):
        view = self._view(request, view_id)
        view = services.board_view_update(view=view, data=_incoming(request, partial=True))
        return Response(BoardViewSerializer(view).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, view_id: int):
        view = self._view(request, view_id)
        no_body(request)
        services.board_view_delete(view=view)
        return Response(status=status.HTTP_204_NO_CONTENT)
