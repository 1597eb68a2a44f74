"""The five roles, as Django groups, and who may do what.

``operator`` works orders and stock, ``supervisor`` and ``finance`` approve within their limits,
``admin`` does everything, ``manager`` reads. Superusers count as admins.
"""

OPERATOR = "operator"
SUPERVISOR = "supervisor"
FINANCE = "finance"
ADMIN = "admin"
MANAGER = "manager"

ALL_ROLES = (OPERATOR, SUPERVISOR, FINANCE, ADMIN, MANAGER)

EVERYONE = frozenset(ALL_ROLES)
ORDER_WORKERS = frozenset({OPERATOR, SUPERVISOR, ADMIN})
FLOW_EDITORS = ORDER_WORKERS
STOCK_KEEPERS = frozenset({OPERATOR, SUPERVISOR, ADMIN})
ADMINS = frozenset({ADMIN})


def roles_of(user) -> frozenset[str]:
    if not user or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset({ADMIN})
    cached = getattr(user, _ROLES_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & EVERYONE
        remember_roles(user, cached)
    return cached


# Where a user object keeps the roles read for it, for the rest of the request.
_ROLES_ATTRIBUTE = "_orderflow_roles"


def remember_roles(user, roles: frozenset[str]) -> None:
    """Keeps ``roles`` on ``user`` so that ``roles_of`` does not read them again."""
    setattr(user, _ROLES_ATTRIBUTE, roles)
