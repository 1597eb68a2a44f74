"""API token authentication in one query: the token's user with its roles.

DRF's ``TokenAuthentication`` reads the token with its user, and the role check then reads the
user's groups: two queries on every API call. This reads both at once — one row per group of the
token's user, through the ORM — so ``roles_of`` finds the roles already on the user. Same
contract: an unknown token or an inactive user fails authentication with DRF's own messages, and
``request.auth`` is the token's key.
"""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .roles import EVERYONE, remember_roles


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the user's roles read in the same query."""

    def authenticate_credentials(self, key):
        rows = list(get_user_model().objects.filter(auth_token__key=key).annotate(role_name=F("groups__name")))
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = rows[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(user, frozenset(row.role_name for row in rows if row.role_name) & EVERYONE)
        return user, key
