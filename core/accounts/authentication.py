"""API token authentication in one query: the token's user with its roles, and the token's age.

DRF's ``TokenAuthentication`` reads the token with its user, and the role check then reads the
user's groups: two queries on every API call. This reads both at once — one row per group of the
token's user, through the ORM — so ``roles_of`` finds the roles already on the user. Same
contract: an unknown token or an inactive user fails authentication with DRF's own messages, and
``request.auth`` is the token's key.

A token expires ``ORDERFLOW_TOKEN_TTL_HOURS`` after it was issued (its ``created``): an expired
one answers 401 like an unknown one, and the next login issues a new key. A revoked token is a
deleted row (``token_revoke``), so it is unknown from then on.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from .roles import EVERYONE, remember_roles


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.ORDERFLOW_TOKEN_TTL_HOURS)


def token_expired(created) -> bool:
    return created <= timezone.now() - token_lifetime()


def token_for_login(*, user) -> Token:
    """The user's token, or a new one when they have none or theirs has expired.

    A live token is handed out again, so a second client logging in does not sign the first out;
    an expired one is replaced (a new key, a new ``created``), never extended.
    """
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expired(token.created):
        token.delete()
        token = None
    if token is None:
        token, _created = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, user_id: int) -> bool:
    """Deletes the user's token; whether there was one. The key answers 401 from then on."""
    deleted, _rows = Token.objects.filter(user_id=user_id).delete()
    return bool(deleted)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the user's roles read in the same query."""

    def authenticate_credentials(self, key):
        rows = list(
            get_user_model()
            .objects.filter(auth_token__key=key)
            .annotate(role_name=F("groups__name"), token_created=F("auth_token__created"))
        )
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = rows[0]
        if token_expired(user.token_created):
            raise exceptions.AuthenticationFailed(_("The token has expired. Log in again for a new one."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(user, frozenset(row.role_name for row in rows if row.role_name) & EVERYONE)
        return user, key
