from django.contrib.auth import authenticate, get_user_model, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.bodies import no_body

from .authentication import TokenAuthentication, token_for_login, token_revoke
from .roles import ADMINS, EVERYONE, roles_of


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(APIView):
    """``{username, password}`` → ``{token}``; use it as ``Authorization: Token <token>``.

    An unknown username, a wrong password and an inactive user get the same answer (Django's
    backend hashes the password for an unknown username too, so the time does not tell either).
    The token lasts ``ORDERFLOW_TOKEN_TTL_HOURS``.
    """

    # Token auth only so that a failed login answers 401 (with WWW-Authenticate), not 403.
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, auth=[])
    def post(self, request):
        incoming = TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # Django's request, not DRF's wrapper: django-axes marks a lockout on it for AxesMiddleware.
        user = authenticate(request._request, **incoming.validated_data)
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong username or password."))
        # A token login is a login: last_login is kept, and django-axes resets the failure count.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token = token_for_login(user=user)
        return Response({"token": token.key})


class TokenRevokeApi(APIView):
    """The caller's own token revoked (signing out every client that holds it): 204."""

    write_roles = EVERYONE

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        no_body(request)
        token_revoke(user_id=request.user.pk)
        return Response(status=204)


class UserTokenApi(APIView):
    """An admin revokes another user's token (a lost laptop, a leaving colleague): 204, also when
    the user had none; 404 for no such user."""

    read_roles = write_roles = ADMINS

    @extend_schema(responses={204: None})
    def delete(self, request, user_id: int):
        no_body(request)
        if not get_user_model().objects.filter(pk=user_id).exists():
            raise NotFound()
        token_revoke(user_id=user_id)
        return Response(status=204)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class MeApi(APIView):
    """Who the caller is and which roles they hold (the browser app draws its menus from this)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response({"username": request.user.get_username(), "roles": sorted(roles_of(request.user))})
