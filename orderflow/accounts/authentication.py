"""API token authentication in one query: the token's user with its roles.

DRF's ``TokenAuthentication`` reads the token with its user, and the role check then reads the
user's groups: two queries through the ORM on every API call. This reads both at once, so
``roles_of`` finds the roles already on the user. Same contract: an unknown token or an inactive
user fails authentication with DRF's own messages, and ``request.auth`` is the token's key.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from commerce.db import model_reader, prepared_cursor

from .roles import EVERYONE


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the user's roles read in the same query."""

    def authenticate_credentials(self, key):
        sql, user_of = token_user_query()
        with prepared_cursor() as cursor:
            cursor.execute(sql, [key])
            rows = cursor.fetchall()
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = user_of(rows[0][:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._orderflow_roles = frozenset(row[-1] for row in rows if row[-1]) & EVERYONE
        return user, key


def token_user_query() -> tuple[str, Callable[[tuple], models.Model]]:
    """The statement that reads a token's user and roles (``%s``: the key), one row per role, and
    the reader that makes the user of a row's columns but the last (the role's name)."""
    User = get_user_model()
    columns, user_of = model_reader(User, alias="u")
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {columns}, g.name FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(User.groups.through._meta.db_table)} m ON m.user_id = u.id "
        f"LEFT JOIN {quote(Group._meta.db_table)} g ON g.id = m.group_id "
        "WHERE t.key = %s"
    )
    return sql, user_of
