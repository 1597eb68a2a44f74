from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import TokenAuthentication
from .roles import roles_of


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(APIView):
    """``{username, password}`` → ``{token}``; use it as ``Authorization: Token <token>``."""

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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class MeApi(APIView):
    """Who the caller is and which roles they hold (the browser app draws its menus from this)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response({"username": request.user.get_username(), "roles": sorted(roles_of(request.user))})
