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
    cached = getattr(user, "_orderflow_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & EVERYONE
        user._orderflow_roles = cached
    return cached
